package io.kubus.agent.server;

import io.kubus.agent.NodeAgentApplication;
import io.kubus.agent.certificate.NodeCredentials;
import io.kubus.agent.config.AgentSettings;
import io.kubus.client.server.SecurePort;
import io.kubus.client.tls.CertificateAuthority;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.ssl.ClientAuthentication;
import io.micronaut.http.ssl.ServerSslConfiguration;
import jakarta.inject.Singleton;

import java.nio.file.Path;
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
        List<String> hosts = new ArrayList<>(CertificateAuthority.localHosts());
        if (!settings.getHostIp().isEmpty()) {
            hosts.add(settings.getHostIp());
        }
        return SecurePort.configure(event.getBean(), Path.of(settings.getDataDir()).resolve("pki"), "kubus-agent", hosts,
                credentials.config().authorities(), ClientAuthentication.NEED);
    }
}
