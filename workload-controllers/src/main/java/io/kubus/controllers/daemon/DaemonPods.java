package io.kubus.controllers.daemon;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kubus.controllers.common.PodControl;
import io.kubus.schema.KubusJson;
import io.kubus.schema.selector.NodeAffinities;
import io.kubus.schema.selector.Tolerations;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a daemon pod is (Kubernetes' pkg/controller/daemon/util and NodeShouldRunDaemonPod): which nodes it belongs
 * on, the tolerations every daemon pod gets, and the node-name affinity through which the scheduler binds it.
 */
final class DaemonPods {
    /** The label naming a pod's and a ControllerRevision's revision (apps.DefaultDaemonSetUniqueLabelKey). */
    static final String HASH_LABEL = "controller-revision-hash";

    /**
     * The tolerations Kubernetes adds to every daemon pod (AddOrUpdateDaemonPodTolerations): node problems and a
     * cordon must not take a node's daemon away, nor keep one from a node that has none yet.
     */
    private static final List<Toleration> DAEMON_TOLERATIONS = List.of(
            exists("node.kubernetes.io/not-ready", "NoExecute"),
            exists("node.kubernetes.io/unreachable", "NoExecute"),
            exists("node.kubernetes.io/disk-pressure", "NoSchedule"),
            exists("node.kubernetes.io/memory-pressure", "NoSchedule"),
            exists("node.kubernetes.io/pid-pressure", "NoSchedule"),
            exists("node.kubernetes.io/unschedulable", "NoSchedule"));
    /** A host-network pod does not need the pod network, so it also tolerates its absence. */
    private static final Toleration NETWORK_UNAVAILABLE = exists("node.kubernetes.io/network-unavailable", "NoSchedule");

    private DaemonPods() {
    }

    /**
     * Whether a daemon pod should be created on a node, and whether one already there may stay: a node that fails
     * the pod's node selector or affinity gets none and keeps none; a node with an untolerated NoSchedule taint gets
     * none but keeps the one it has; an untolerated NoExecute taint also takes it away.
     */
    record Placement(boolean shouldRun, boolean shouldContinueRunning) {
        static final Placement NONE = new Placement(false, false);
    }

    static Placement placement(Node node, DaemonSet ds) {
        PodSpec spec = ds.getSpec().getTemplate().getSpec();
        String nodeName = spec.getNodeName();
        if (nodeName != null && !nodeName.isEmpty() && !nodeName.equals(node.getMetadata().getName())) {
            return Placement.NONE;
        }
        if (!NodeAffinities.matches(spec, node)) {
            return Placement.NONE;
        }
        List<Toleration> tolerations = daemonTolerations(spec);
        boolean fits = true;
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        for (Taint t : taints) {
            boolean noExecute = "NoExecute".equals(t.getEffect());
            if ((noExecute || "NoSchedule".equals(t.getEffect()))
                    && Tolerations.firstTolerating(tolerations, t).isEmpty()) {
                if (noExecute) {
                    return Placement.NONE;
                }
                fits = false;
            }
        }
        return new Placement(fits, true);
    }

    /**
     * The template of the DaemonSet's pods at revision {@code hash} (CreatePodTemplate): the DaemonSet's template
     * with the daemon tolerations and the revision label.
     */
    static PodTemplateSpec podTemplate(DaemonSet ds, String hash) {
        PodTemplateSpec t = KubusJson.copy(ds.getSpec().getTemplate(), PodTemplateSpec.class);
        t.getSpec().setTolerations(daemonTolerations(t.getSpec()));
        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(t.getMetadata().getLabels(), Map.of()));
        labels.put(HASH_LABEL, hash);
        t.getMetadata().setLabels(labels);
        return t;
    }

    /** A daemon pod of {@code template} for {@code node}: the scheduler binds it there by its node-name affinity. */
    static Pod forNode(PodTemplateSpec template, DaemonSet ds, String node) {
        Pod pod = PodControl.fromTemplate(template, ds);
        PodSpec spec = KubusJson.copy(pod.getSpec(), PodSpec.class);
        spec.setAffinity(withNodeNameAffinity(spec.getAffinity(), node));
        pod.setSpec(spec);
        return pod;
    }

    /**
     * {@code affinity} with its required node affinity replaced by the one term {@code metadata.name In [node]}
     * (ReplaceDaemonSetPodNodeNameNodeAffinity): the controller checked the DaemonSet's own terms for this node
     * already, and the preferred terms and pod (anti-)affinity stay.
     */
    static Affinity withNodeNameAffinity(Affinity affinity, String node) {
        NodeSelectorRequirement name = new NodeSelectorRequirementBuilder().withKey(NodeAffinities.NAME_FIELD)
                .withOperator("In").withValues(node).build();
        NodeSelectorTerm term = new NodeSelectorTermBuilder().withMatchFields(name).build();
        Affinity a = affinity == null ? new Affinity() : affinity;
        if (a.getNodeAffinity() == null) {
            a.setNodeAffinity(new NodeAffinity());
        }
        a.getNodeAffinity().setRequiredDuringSchedulingIgnoredDuringExecution(new NodeSelector(List.of(term)));
        return a;
    }

    /**
     * The node a daemon pod is on or is meant for (GetTargetNodeName): its spec.nodeName once bound, until then the
     * single node its {@code metadata.name In [...]} matchFields term names; null when it names none.
     */
    static String targetNode(Pod pod) {
        PodSpec spec = pod.getSpec();
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty()) {
            return spec.getNodeName();
        }
        if (spec.getAffinity() == null || spec.getAffinity().getNodeAffinity() == null
                || spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return null;
        }
        var terms = spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        for (NodeSelectorTerm term : terms == null ? List.<NodeSelectorTerm>of() : terms) {
            for (NodeSelectorRequirement r : term.getMatchFields() == null ? List.<NodeSelectorRequirement>of()
                    : term.getMatchFields()) {
                if (NodeAffinities.NAME_FIELD.equals(r.getKey()) && "In".equals(r.getOperator())
                        && r.getValues() != null && r.getValues().size() == 1) {
                    return r.getValues().getFirst();
                }
            }
        }
        return null;
    }

    /**
     * The spec's tolerations with the daemon tolerations added (AddOrUpdateTolerationInPodSpec): one the template
     * has with the same key, operator, value and effect is replaced, dropping its tolerationSeconds, so that no node
     * problem ever evicts a daemon pod.
     */
    static List<Toleration> daemonTolerations(PodSpec spec) {
        List<Toleration> tolerations = new ArrayList<>(Objects.requireNonNullElse(spec.getTolerations(), List.of()));
        for (Toleration t : DAEMON_TOLERATIONS) {
            addOrUpdate(tolerations, t);
        }
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            addOrUpdate(tolerations, NETWORK_UNAVAILABLE);
        }
        return tolerations;
    }

    private static void addOrUpdate(List<Toleration> tolerations, Toleration toleration) {
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration old = tolerations.get(i);
            if (Objects.equals(old.getKey(), toleration.getKey())
                    && Objects.equals(old.getOperator(), toleration.getOperator())
                    && Objects.equals(Objects.requireNonNullElse(old.getValue(), ""),
                    Objects.requireNonNullElse(toleration.getValue(), ""))
                    && Objects.equals(old.getEffect(), toleration.getEffect())) {
                tolerations.set(i, toleration);
                return;
            }
        }
        tolerations.add(toleration);
    }

    private static Toleration exists(String key, String effect) {
        return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build();
    }
}
