package io.kubus.gateway.auth;

import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.ClusterPki;
import io.kubus.client.tls.Identities;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.AuthSettings;
import io.kubus.gateway.registry.core.ServiceAddresses;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's PKI folder, made on the first start (k3s makes its CA the same way): a {@link Context} bean, so it
 * exists before the HTTPS server reads its key store from it (application.yml points the server there).
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class GatewayPki {
    private final ClusterPki pki;

    public GatewayPki(AuthSettings settings) {
        List<String> hosts = new ArrayList<>(CertificateAuthority.localHosts());
        hosts.addAll(settings.getHosts());
        // the kubernetes Service's address, which in-cluster clients dial (its names are always covered)
        hosts.add(ServiceAddresses.KUBERNETES_SERVICE_IP);
        this.pki = ClusterPki.ensure(Path.of(settings.getPkiDir()), hosts);
        if (settings.getKubeconfigDir() != null && !settings.getKubeconfigDir().isBlank()) {
            writeKubeconfigs(settings);
        }
    }

    private void writeKubeconfigs(AuthSettings settings) {
        Path dir = Path.of(settings.getKubeconfigDir());
        String server = settings.getKubeconfigServer();
        pki.writeKubeconfig(pki.dir().resolve("admin.kubeconfig"), server, Identities.ADMIN);
        pki.writeKubeconfig(dir.resolve("scheduler.kubeconfig"), server, Identities.SCHEDULER);
        pki.writeKubeconfig(dir.resolve("controller-manager.kubeconfig"), server, Identities.CONTROLLER_MANAGER);
        // node agents are not written here: they join with the bootstrap token of NodeBootstrapToken
    }

    public ClusterPki pki() {
        return pki;
    }
}
