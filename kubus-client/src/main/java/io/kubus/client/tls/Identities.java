package io.kubus.client.tls;

import java.util.List;

/**
 * Who the parts of a cluster are, as their client certificates name them (CN the user, O the groups), kept in one
 * place for the launcher, the gateway, which writes the compose stack's kubeconfigs, and the tests: kubeadm's names
 * where Kubernetes has them.
 */
public final class Identities {
    public static final String NODES = "system:nodes";
    /**
     * An agent that simulates many nodes (the simulated runtime, as kwok does) is one identity, {@code system:node:P}
     * in {@link #NODES} and this group, acting for its nodes {@code P-0}, {@code P-1}...
     */
    public static final String SIMULATED_NODE_POOLS = "kubus:simulated-node-pools";

    /** The administrator of the kubeconfig `./kubus up` writes: anything goes. */
    public static final Identity ADMIN = new Identity("kubus-admin", List.of("system:masters"));
    public static final Identity SCHEDULER = new Identity("system:kube-scheduler", List.of());
    /** One identity for all controllers, as kube-controller-manager without --use-service-account-credentials. */
    public static final Identity CONTROLLER_MANAGER = new Identity("system:kube-controller-manager", List.of());
    /** The gateway towards node agents (kubeadm's apiserver-kubelet-client): the only caller they serve. */
    public static final Identity KUBELET_CLIENT = new Identity("kube-apiserver-kubelet-client", List.of());
    /** The gateway towards Kafka, where it owns the topics (kubeadm's apiserver-etcd-client is the store's). */
    public static final Identity GATEWAY_KAFKA_CLIENT = new Identity("kube-apiserver-kafka-client", List.of());

    private Identities() {
    }

    /** A user and the groups a certificate puts it in. */
    public record Identity(String user, List<String> groups) {
        public Identity {
            groups = List.copyOf(groups);
        }
    }

    /** The node agent running {@code nodes} nodes named after {@code name}: one node, or a pool of simulated ones. */
    public static Identity node(String name, int nodes) {
        return new Identity("system:node:" + name, nodes > 1 ? List.of(NODES, SIMULATED_NODE_POOLS) : List.of(NODES));
    }
}
