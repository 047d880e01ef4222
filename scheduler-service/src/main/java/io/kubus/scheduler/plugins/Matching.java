package io.kubus.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kubus.schema.selector.LabelSelector;
import io.kubus.schema.selector.NodeAffinities;
import io.kubus.schema.selector.Tolerations;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Matching rules several plugins share: tolerations, pod affinity terms, owners (node affinity: {@link NodeAffinities}). */
final class Matching {
    private Matching() {
    }

    static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }

    static Map<String, String> labels(Node node) {
        Map<String, String> l = node.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    static Map<String, String> labels(Pod pod) {
        Map<String, String> l = pod.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    static String namespace(Pod pod) {
        return Objects.requireNonNullElse(pod.getMetadata().getNamespace(), "default");
    }

    static List<Toleration> tolerations(Pod pod) {
        return orEmpty(pod.getSpec().getTolerations());
    }

    static List<Taint> taints(Node node) {
        return node.getSpec() == null ? List.of() : orEmpty(node.getSpec().getTaints());
    }

    static boolean tolerated(List<Toleration> tolerations, Taint taint) {
        return Tolerations.firstTolerating(tolerations, taint).isPresent();
    }

    /**
     * Whether {@code candidate} is one of the pods a term of {@code owner}'s (anti-)affinity refers to: in the
     * term's namespaces (the owner's own when none are listed; all when namespaceSelector is given, since namespace
     * labels are not in the cluster view) and matching its label selector.
     */
    static boolean termSelects(PodAffinityTerm term, Pod owner, Pod candidate) {
        List<String> namespaces = orEmpty(term.getNamespaces());
        String ns = namespace(candidate);
        if (namespaces.isEmpty()) {
            if (term.getNamespaceSelector() == null && !ns.equals(namespace(owner))) {
                return false;
            }
        } else if (!namespaces.contains(ns)
                && term.getNamespaceSelector() == null) {
            return false;
        }
        if (term.getLabelSelector() == null) {
            return false;
        }
        return LabelSelector.of(term.getLabelSelector()).matches(labels(candidate));
    }

    /** The uid of the pod's controller owner (its ReplicaSet, StatefulSet, Job...), or null. */
    static String controllerUid(Pod pod) {
        for (OwnerReference o : orEmpty(pod.getMetadata().getOwnerReferences())) {
            if (Boolean.TRUE.equals(o.getController())) {
                return o.getUid();
            }
        }
        return null;
    }

    static boolean sameTopology(Node a, Node b, String topologyKey) {
        String va = labels(a).get(topologyKey);
        return va != null && va.equals(labels(b).get(topologyKey));
    }
}
