package io.kubus.client.kafka;

import io.kubus.client.config.ClientConfig;
import io.kubus.client.tls.Pem;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SslConfigs;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How a Kubus process reaches Kafka and who it is there: the bootstrap servers and the security settings every
 * producer, consumer and admin client of the process shares. With {@code security-protocol: SSL} the process
 * presents its own client certificate (the one of its kubeconfig; the gateway's from the PKI folder) and trusts the
 * cluster's CA, so the broker knows it by the certificate's name ({@link KafkaAcls}); any other Kafka client setting
 * (SASL for a Kafka of one's own) comes from a Kafka client properties file.
 */
public record KafkaClientConfig(String bootstrapServers, Map<String, Object> security) {
    public static final String PLAINTEXT = "PLAINTEXT";
    public static final String SSL = "SSL";
    /** The prefix of a service's Kafka settings. */
    public static final String SETTINGS = "kubus.kafka.";

    public KafkaClientConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        security = Map.copyOf(security);
    }

    /** A broker without security: the tests' temporary brokers. */
    public static KafkaClientConfig plaintext(String bootstrapServers) {
        return new KafkaClientConfig(bootstrapServers, Map.of());
    }

    /** TLS, presenting {@code chain} (and its key), trusting {@code authorities} for the broker's certificate. */
    public static KafkaClientConfig tls(String bootstrapServers, PrivateKey key, List<X509Certificate> chain,
                                        List<X509Certificate> authorities) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SSL);
        s.putAll(pemStores(key, chain, authorities));
        return new KafkaClientConfig(bootstrapServers, s);
    }

    /**
     * Kafka's in-line PEM key and trust stores (KIP-651): no key store file to write, and the key is the very one
     * the process holds for the API.
     */
    public static Map<String, Object> pemStores(PrivateKey key, List<X509Certificate> chain,
                                                List<X509Certificate> authorities) {
        return Map.of(
                SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM",
                SslConfigs.SSL_KEYSTORE_KEY_CONFIG, Pem.encode(key),
                SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, pem(chain),
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM",
                SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, pem(authorities));
    }

    /**
     * From a service's {@code kubus.kafka.*} settings, {@code setting} giving each by its name:
     * {@code bootstrap-servers} (127.0.0.1:9092), {@code security-protocol} ({@value #PLAINTEXT}, or {@value #SSL}
     * with {@code identity}, the process's client certificate, trusting {@code authorities}) and
     * {@code client-properties-file}, a file of Kafka client settings taken as they are (SASL for a Kafka of one's
     * own, as Kafka's tools take {@code --command-config}).
     */
    public static KafkaClientConfig fromSettings(Function<String, Optional<String>> setting,
                                                 Optional<ClientConfig.Identity> identity,
                                                 List<X509Certificate> authorities) {
        String bootstrap = setting.apply("bootstrap-servers").orElse("127.0.0.1:9092");
        String protocol = setting.apply("security-protocol").orElse(PLAINTEXT).toUpperCase(Locale.ROOT);
        Map<String, Object> s = new LinkedHashMap<>();
        if (protocol.equals(SSL)) {
            ClientConfig.Identity id = identity.orElseThrow(() -> new IllegalArgumentException(
                    "kubus.kafka.security-protocol SSL needs a client certificate in the service's kubeconfig"));
            s.putAll(tls(bootstrap, id.key(), id.chain(), authorities).security());
        } else if (!protocol.equals(PLAINTEXT)) {
            s.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        }
        Optional<String> file = setting.apply("client-properties-file").filter(f -> !f.isBlank());
        if (file.isPresent()) {
            Properties extra = new Properties();
            try (Reader in = Files.newBufferedReader(Path.of(file.get()))) {
                extra.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubus.kafka.client-properties-file " + file.get(), e);
            }
            extra.forEach((k, v) -> s.put((String) k, v));
        }
        return new KafkaClientConfig(bootstrap, s);
    }

    /** As {@link #fromSettings(Function, Optional, List)}, with the identity and CA of a process's kubeconfig. */
    public static KafkaClientConfig fromSettings(Function<String, Optional<String>> setting, ClientConfig credentials) {
        return fromSettings(setting, credentials.identity(), credentials.authorities());
    }

    /** The settings of one client: the bootstrap servers, the security settings, then {@code specific}. */
    public Map<String, Object> client(Map<String, ?> specific) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        all.putAll(security);
        all.putAll(specific);
        return all;
    }

    private static String pem(List<X509Certificate> certificates) {
        return certificates.stream().map(Pem::encode).collect(Collectors.joining());
    }

    @Override
    public String toString() {
        // the key stays out of logs
        return "KafkaClientConfig[" + bootstrapServers + ", "
                + security.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, PLAINTEXT) + "]";
    }
}
