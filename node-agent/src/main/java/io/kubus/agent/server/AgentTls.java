package io.kubus.agent.server;

import io.kubus.agent.NodeAgentApplication;
import io.kubus.agent.config.AgentSettings;
import io.kubus.agent.certificate.NodeCredentials;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.TlsContexts;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.ssl.ClientAuthentication;
import io.micronaut.http.ssl.ServerSslConfiguration;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's port (logs, exec) is HTTPS and serves only clients with a certificate of the cluster's CA (and,
 * {@link GatewayOnlyFilter}, only the gateway's): the CA comes from the agent's kubeconfig (made first when the agent
 * joins with a bootstrap token: {@link NodeCredentials}). The serving certificate
 * is the agent's own, made on its first start and kept in its data folder, as a kubelet makes its self-signed one;
 * the gateway, like kube-apiserver without --kubelet-certificate-authority, does not check it.
 */
@Requires(env = NodeAgentApplication.ENVIRONMENT)
@Singleton
public class AgentTls implements BeanCreatedEventListener<ServerSslConfiguration> {
    private final AgentSettings settings;
    private final NodeCredentials credentials;

    public AgentTls(AgentSettings settings, NodeCredentials credentials) {
        this.settings = settings;
        this.credentials = credentials;
    }

    @Override
    public ServerSslConfiguration onCreated(BeanCreatedEvent<ServerSslConfiguration> event) {
        ServerSslConfiguration ssl = event.getBean();
        Path dir = Path.of(settings.getDataDir()).resolve("pki");
        Path serving = dir.resolve("serving.p12");
        Path trusted = dir.resolve("clients-ca.p12");
        try {
            Files.createDirectories(dir);
            if (!Files.exists(serving)) {
                List<String> hosts = new ArrayList<>(CertificateAuthority.localHosts());
                if (!settings.getHostIp().isEmpty()) {
                    hosts.add(settings.getHostIp());
                }
                CertificateAuthority self = CertificateAuthority.create("kubus-agent-ca", Duration.ofDays(3650));
                CertificateAuthority.Issued cert = self.issue("kubus-agent", List.of(), hosts.stream().distinct().toList(),
                        CertificateAuthority.Usage.SERVER, Duration.ofDays(3650));
                TlsContexts.write(TlsContexts.keyStore(cert.key(), List.of(cert.certificate(), self.certificate())), serving);
            }
            TlsContexts.write(TlsContexts.trustStore(credentials.config().authorities()), trusted);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the agent's TLS files in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot prepare the agent's TLS files in " + dir, e);
        }
        ssl.setEnabled(true);
        ssl.setClientAuthentication(ClientAuthentication.NEED);
        ssl.getKeyStore().setPath("file:" + serving.toAbsolutePath());
        ssl.getKeyStore().setType("PKCS12");
        ssl.getKeyStore().setPassword(TlsContexts.STORE_PASSWORD);
        ssl.getTrustStore().setPath("file:" + trusted.toAbsolutePath());
        ssl.getTrustStore().setType("PKCS12");
        ssl.getTrustStore().setPassword(TlsContexts.STORE_PASSWORD);
        return ssl;
    }
}
