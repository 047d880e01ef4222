package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.kubus.scheduler.framework.ClusterView;
import io.kubus.scheduler.framework.FilterPlugin;
import io.kubus.scheduler.framework.NodeInfo;

import java.util.List;

/**
 * Required pod affinity and anti-affinity, for any topologyKey read from node labels ({@code kubernetes.io/hostname}
 * being the usual one): a node fits an affinity term when a pod the term selects runs on a node in the same
 * topology domain, and fails an anti-affinity term when one does. Existing pods' required anti-affinity against the
 * incoming pod is honoured too. As in Kubernetes, a pod whose affinity terms select no pod anywhere but match the
 * pod itself may go anywhere (the first of a group).
 */
public final class InterPodAffinity implements FilterPlugin {
    public static final String AFFINITY_REASON = "node(s) didn't match pod affinity rules";
    public static final String ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
    public static final String EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";

    @Override
    public String name() {
        return "InterPodAffinity";
    }

    @Override
    public String filter(Pod pod, NodeInfo node, ClusterView cluster) {
        for (NodeInfo other : cluster.anyRequiredAntiAffinity() ? cluster.nodes() : java.util.List.<NodeInfo>of()) {
            for (Pod existing : other.pods()) {
                for (PodAffinityTerm t : antiAffinityTerms(existing)) {
                    if (Matching.sameTopology(other.node(), node.node(), t.getTopologyKey())
                            && Matching.termSelects(t, existing, pod)) {
                        return EXISTING_ANTI_AFFINITY_REASON;
                    }
                }
            }
        }
        for (PodAffinityTerm t : antiAffinityTerms(pod)) {
            if (anyInDomain(t, pod, node, cluster)) {
                return ANTI_AFFINITY_REASON;
            }
        }
        List<PodAffinityTerm> affinity = affinityTerms(pod);
        boolean allMet = true;
        for (PodAffinityTerm t : affinity) {
            if (!anyInDomain(t, pod, node, cluster)) {
                allMet = false;
                break;
            }
        }
        if (allMet) {
            return null;
        }
        // the first pod of a group that selects itself may land anywhere the topology key exists
        boolean selectsAnyPod = false;
        boolean selectsItself = true;
        for (PodAffinityTerm t : affinity) {
            selectsItself &= Matching.termSelects(t, pod, pod)
                    && Matching.labels(node.node()).containsKey(t.getTopologyKey());
            for (NodeInfo other : cluster.nodes()) {
                for (Pod existing : other.pods()) {
                    selectsAnyPod |= Matching.termSelects(t, pod, existing);
                }
            }
        }
        return !selectsAnyPod && selectsItself ? null : AFFINITY_REASON;
    }

    private static boolean anyInDomain(PodAffinityTerm t, Pod pod, NodeInfo node, ClusterView cluster) {
        for (NodeInfo other : cluster.nodes()) {
            if (!Matching.sameTopology(other.node(), node.node(), t.getTopologyKey())) {
                continue;
            }
            for (Pod existing : other.pods()) {
                if (Matching.termSelects(t, pod, existing)) {
                    return true;
                }
            }
        }
        return false;
    }

    static List<PodAffinityTerm> affinityTerms(Pod pod) {
        Affinity a = pod.getSpec().getAffinity();
        return a == null || a.getPodAffinity() == null ? List.of()
                : Matching.orEmpty(a.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution());
    }

    static List<PodAffinityTerm> antiAffinityTerms(Pod pod) {
        Affinity a = pod.getSpec().getAffinity();
        return a == null || a.getPodAntiAffinity() == null ? List.of()
                : Matching.orEmpty(a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution());
    }
}
