package io.kubus.client.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.client.tls.Pem;
import io.kubus.client.tls.TlsContexts;
import io.kubus.schema.KubusJson;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How a client reaches the API and who it is there (client-go's rest.Config): the server URL, the TLS context
 * (trusting the cluster's CA, presenting a client certificate when it has one) and an optional bearer token, read
 * again from its file when the file changes (projected ServiceAccount tokens are rotated in place); with the client
 * certificate and the cluster's CA certificates themselves, for what else a service does with them (a node agent
 * signs its status reports, and trusts that CA for its own clients). The client certificate may be replaced while the
 * process runs ({@link ClientCertificate}: a node agent rotates its own); {@link #ssl} presents the current one.
 */
public record ClientConfig(String server, SSLContext ssl, Supplier<Optional<String>> bearerToken,
                           Optional<ClientCertificate> certificate, List<X509Certificate> authorities) {

    /** The client certificate (and its key) a client presents, when it authenticates with one. */
    public record Identity(PrivateKey key, List<X509Certificate> chain) {
    }

    public ClientConfig(String server, SSLContext ssl, Supplier<Optional<String>> bearerToken) {
        this(server, ssl, bearerToken, Optional.empty(), List.of());
    }

    /** A client of {@code server} trusting {@code authorities} and presenting whatever {@code certificate} holds. */
    public static ClientConfig withCertificate(String server, List<X509Certificate> authorities,
                                               ClientCertificate certificate) {
        return new ClientConfig(server, TlsContexts.client(authorities, certificate.keyManager()), Optional::empty,
                Optional.of(certificate), authorities);
    }

    /** The client certificate (and its key) presented now, when the client authenticates with one. */
    public Optional<Identity> identity() {
        return certificate.map(ClientCertificate::current);
    }

    /**
     * A new TLS context as {@link #ssl}, sharing none of its sessions: a client that reconnects after its certificate
     * was replaced takes it, so that no new connection resumes a TLS session of the certificate before.
     */
    public SSLContext newSsl() {
        return certificate.map(c -> TlsContexts.client(authorities, c.keyManager())).orElse(ssl);
    }

    /** Reads the current context of a kubeconfig file, as kubectl does. */
    public static ClientConfig fromKubeconfig(Path file) {
        JsonNode root;
        try {
            root = KubusJson.yaml().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kubeconfig " + file, e);
        }
        Path base = file.toAbsolutePath().getParent();
        String contextName = root.path("current-context").asText("");
        JsonNode context = named(root, "contexts", contextName, "context", file);
        JsonNode cluster = named(root, "clusters", context.path("cluster").asText(), "cluster", file);
        JsonNode user = named(root, "users", context.path("user").asText(), "user", file);
        String server = cluster.path("server").asText("");
        if (!server.startsWith("https://")) {
            throw new IllegalArgumentException("kubeconfig " + file + ": the cluster's server must be an https:// URL, got \""
                    + server + "\"");
        }
        List<X509Certificate> trusted = Pem.certificates(material(cluster, "certificate-authority", base, file));
        PrivateKey key = null;
        List<X509Certificate> chain = List.of();
        if (user.hasNonNull("client-certificate-data") || user.hasNonNull("client-certificate")) {
            chain = Pem.certificates(material(user, "client-certificate", base, file));
            key = Pem.privateKey(material(user, "client-key", base, file));
        }
        Supplier<Optional<String>> token = () -> Optional.empty();
        if (user.hasNonNull("token")) {
            Optional<String> fixed = Optional.of(user.get("token").asText());
            token = () -> fixed;
        } else if (user.hasNonNull("tokenFile")) {
            token = new TokenFile(base.resolve(user.get("tokenFile").asText()));
        }
        if (key == null) {
            return new ClientConfig(server, TlsContexts.client(trusted, null, List.of()), token, Optional.empty(),
                    trusted);
        }
        ClientCertificate certificate = new ClientCertificate(new Identity(key, chain));
        return new ClientConfig(server, TlsContexts.client(trusted, certificate.keyManager()), token,
                Optional.of(certificate), trusted);
    }

    private static JsonNode named(JsonNode root, String list, String name, String field, Path file) {
        for (JsonNode entry : root.path(list)) {
            if (entry.path("name").asText().equals(name)) {
                return entry.path(field);
            }
        }
        throw new IllegalArgumentException("kubeconfig " + file + ": no " + field + " named \"" + name + "\"");
    }

    /** {@code NAME-data} (base64 PEM) or {@code NAME} (a file, relative to the kubeconfig's folder). */
    private static String material(JsonNode node, String name, Path base, Path file) {
        try {
            if (node.hasNonNull(name + "-data")) {
                return new String(Base64.getDecoder().decode(node.get(name + "-data").asText()), StandardCharsets.US_ASCII);
            }
            if (node.hasNonNull(name)) {
                return Files.readString(base.resolve(node.get(name).asText()));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("kubeconfig " + file + ": unreadable " + name + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("kubeconfig " + file + ": no " + name + " or " + name + "-data");
    }

    /** A token file, read again when its modification time changes. */
    private static final class TokenFile implements Supplier<Optional<String>> {
        private final Path path;
        private long modified = Long.MIN_VALUE;
        private Optional<String> token = Optional.empty();

        TokenFile(Path path) {
            this.path = path;
        }

        @Override
        public synchronized Optional<String> get() {
            try {
                long m = Files.getLastModifiedTime(path).toMillis();
                if (m != modified) {
                    token = Optional.of(Files.readString(path).trim());
                    modified = m;
                }
            } catch (IOException e) {
                // keep the last token read; the server will say when it is no longer good
            }
            return token;
        }
    }
}
