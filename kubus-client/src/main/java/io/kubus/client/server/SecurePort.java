package io.kubus.client.server;

import io.kubus.client.config.ClientConfig;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.TlsContexts;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.ssl.ClientAuthentication;
import io.micronaut.http.ssl.ServerSslConfiguration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * A component's own HTTPS port, as kube's components serve theirs (the kubelet's 10250, kube-scheduler's 10259,
 * kube-controller-manager's 10257): a self-signed serving certificate, made once in {@code folder} and kept there
 * (a temporary folder makes a new one each start, as kube-scheduler without {@code --cert-dir}), and client
 * certificates checked against the cluster's CA ({@code mode}: required, or wanted when the port also has
 * anonymous paths such as {@code /healthz}).
 */
public final class SecurePort {
    private SecurePort() {
    }

    /**
     * A component's server SSL, set when Micronaut makes it: a subclass in the component is the bean (it names the
     * component's environment), with a new self-signed certificate at each start and client certificates of the CA in
     * its kubeconfig wanted, not required, so that {@code /healthz} answers anyone.
     */
    public abstract static class EachStart implements BeanCreatedEventListener<ServerSslConfiguration> {
        private final String commonName;
        private final Supplier<String> kubeconfig;

        protected EachStart(String commonName, Supplier<String> kubeconfig) {
            this.commonName = commonName;
            this.kubeconfig = kubeconfig;
        }

        @Override
        public ServerSslConfiguration onCreated(BeanCreatedEvent<ServerSslConfiguration> event) {
            Path folder;
            try {
                folder = Files.createTempDirectory(commonName + "-tls");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            folder.toFile().deleteOnExit();
            return configure(event.getBean(), folder, commonName, CertificateAuthority.localHosts(),
                    ClientConfig.fromKubeconfig(Path.of(kubeconfig.get())).authorities(), ClientAuthentication.WANT);
        }
    }

    /** Points the server's SSL settings at the key and trust stores in {@code folder}, made when missing. */
    public static ServerSslConfiguration configure(ServerSslConfiguration ssl, Path folder, String commonName,
                                                   List<String> hosts, List<X509Certificate> clientAuthorities,
                                                   ClientAuthentication mode) {
        Path serving = folder.resolve("serving.p12");
        Path trusted = folder.resolve("clients-ca.p12");
        try {
            Files.createDirectories(folder);
            if (!Files.exists(serving)) {
                CertificateAuthority self = CertificateAuthority.create(commonName + "-ca", Duration.ofDays(3650));
                CertificateAuthority.Issued cert = self.issue(commonName, List.of(), hosts.stream().distinct().toList(),
                        CertificateAuthority.Usage.SERVER, Duration.ofDays(3650));
                TlsContexts.write(TlsContexts.keyStore(cert.key(), List.of(cert.certificate(), self.certificate())), serving);
            }
            TlsContexts.write(TlsContexts.trustStore(clientAuthorities), trusted);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the TLS files in " + folder, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot prepare the TLS files in " + folder, e);
        }
        ssl.setEnabled(true);
        ssl.setClientAuthentication(mode);
        ssl.getKeyStore().setPath("file:" + serving.toAbsolutePath());
        ssl.getKeyStore().setType("PKCS12");
        ssl.getKeyStore().setPassword(TlsContexts.STORE_PASSWORD);
        ssl.getTrustStore().setPath("file:" + trusted.toAbsolutePath());
        ssl.getTrustStore().setType("PKCS12");
        ssl.getTrustStore().setPassword(TlsContexts.STORE_PASSWORD);
        return ssl;
    }
}
