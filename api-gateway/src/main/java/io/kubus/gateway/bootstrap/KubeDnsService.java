package io.kubus.gateway.bootstrap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.core.ServiceAddresses;
import io.kubus.gateway.store.ObjectStore;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster DNS Service, {@code kube-system/kube-dns}, as kubeadm installs it (its labels, ports dns 53/UDP and
 * dns-tcp 53/TCP, ClusterIP {@code kubus.gateway.cluster-dns-ip}), made or repaired once the API listens and every
 * {@code kubus.gateway.kubernetes-service-interval} after.
 *
 * <p>It has no selector, and so no endpoints: every Docker node agent answers it itself (its DNS server, like
 * NodeLocal DNSCache), and each node's service proxy sends the ClusterIP's port 53 to its own agent. {@code kubectl get
 * endpoints -n kube-system kube-dns} is empty by design.
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT)
public class KubeDnsService implements ApplicationEventListener<ServerStartupEvent> {
    static final String NAME = "kube-dns";
    static final String NAMESPACE = "kube-system";
    /** kubeadm's labels on its kube-dns Service, which tools select it by. */
    static final Map<String, String> LABELS = Map.of("k8s-app", "kube-dns",
            "kubernetes.io/cluster-service", "true", "kubernetes.io/name", "CoreDNS");
    private static final Logger LOG = LoggerFactory.getLogger(KubeDnsService.class);

    private final SystemService system;
    private final GatewaySettings settings;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("kube-dns-service").factory());

    public KubeDnsService(ObjectStore store, GatewaySettings settings, Clock clock) {
        this.system = new SystemService(store, clock);
        this.settings = settings;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        String ip = settings.getClusterDnsIp();
        if (ip == null || ip.isBlank()) {
            return;
        }
        if (!ServiceAddresses.inRange(ip)) {
            LOG.error("kubus.gateway.cluster-dns-ip {} is not in the service range: no kube-dns Service", ip);
            return;
        }
        // before the server counts as started, as the kubernetes Service: tests that read the store after start
        // see it already there
        reconcile(ip);
        long every = settings.getKubernetesServiceInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> reconcile(ip), every, every, TimeUnit.MILLISECONDS);
    }

    private void reconcile(String ip) {
        ArrayNode ports = JsonTree.F.arrayNode();
        ports.addObject().put("name", "dns").put("protocol", "UDP").put("port", 53).put("targetPort", 53);
        ports.addObject().put("name", "dns-tcp").put("protocol", "TCP").put("port", 53).put("targetPort", 53);
        try {
            system.ensure(NAMESPACE, NAME, ip, LABELS, ports);
        } catch (RuntimeException e) {
            LOG.warn("could not reconcile the kube-dns Service: {}", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
