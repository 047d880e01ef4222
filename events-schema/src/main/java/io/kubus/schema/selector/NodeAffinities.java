package io.kubus.schema.selector;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a pod's spec.nodeSelector and required node affinity hold for a node (Kubernetes'
 * GetRequiredNodeAffinity(pod).Match(node)): one rule shared by the scheduler, which places pods by it, and the
 * DaemonSet controller, which decides by it which nodes get a daemon pod.
 */
public final class NodeAffinities {
    /** The only node field a matchFields requirement may name. */
    public static final String NAME_FIELD = "metadata.name";

    private NodeAffinities() {
    }

    /** spec.nodeSelector (every label equal) and any one of the required node affinity's terms. */
    public static boolean matches(PodSpec spec, Node node) {
        Map<String, String> labels = labels(node);
        Map<String, String> sel = spec.getNodeSelector();
        if (sel != null) {
            for (Map.Entry<String, String> e : sel.entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        Affinity a = spec.getAffinity();
        if (a == null || a.getNodeAffinity() == null) {
            return true;
        }
        NodeSelector required = a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required == null) {
            return true;
        }
        for (NodeSelectorTerm term : orEmpty(required.getNodeSelectorTerms())) {
            if (termMatches(term, node)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The requirements of a term are ANDed: matchExpressions on the node's labels, matchFields on its
     * {@code metadata.name}; a term without any requirement matches no node.
     */
    public static boolean termMatches(NodeSelectorTerm term, Node node) {
        List<NodeSelectorRequirement> exprs = orEmpty(term.getMatchExpressions());
        List<NodeSelectorRequirement> fields = orEmpty(term.getMatchFields());
        if (exprs.isEmpty() && fields.isEmpty()) {
            return false;
        }
        Map<String, String> labels = labels(node);
        for (NodeSelectorRequirement r : exprs) {
            if (!requirementMatches(r, labels)) {
                return false;
            }
        }
        Map<String, String> nodeFields = Map.of(NAME_FIELD, node.getMetadata().getName());
        for (NodeSelectorRequirement r : fields) {
            if (!requirementMatches(r, nodeFields)) {
                return false;
            }
        }
        return true;
    }

    static boolean requirementMatches(NodeSelectorRequirement r, Map<String, String> labels) {
        String v = labels.get(r.getKey());
        List<String> values = orEmpty(r.getValues());
        return switch (Objects.requireNonNullElse(r.getOperator(), "")) {
            case "In" -> v != null && values.contains(v);
            case "NotIn" -> v == null || !values.contains(v);
            case "Exists" -> v != null;
            case "DoesNotExist" -> v == null;
            case "Gt", "Lt" -> {
                if (v == null || values.size() != 1) {
                    yield false;
                }
                try {
                    long have = Long.parseLong(v);
                    long want = Long.parseLong(values.getFirst());
                    yield r.getOperator().equals("Gt") ? have > want : have < want;
                } catch (NumberFormatException e) {
                    yield false;
                }
            }
            default -> false;
        };
    }

    private static Map<String, String> labels(Node node) {
        Map<String, String> l = node.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
