package io.kubus.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.scheduler.plugins.BalancedAllocation;
import io.kubus.scheduler.plugins.InterPodAffinity;
import io.kubus.scheduler.plugins.LeastAllocated;
import io.kubus.scheduler.plugins.NodeAffinity;
import io.kubus.scheduler.plugins.NodeAffinityScore;
import io.kubus.scheduler.plugins.NodeName;
import io.kubus.scheduler.plugins.NodePorts;
import io.kubus.scheduler.plugins.NodeReady;
import io.kubus.scheduler.plugins.NodeResourcesFit;
import io.kubus.scheduler.plugins.NodeUnschedulable;
import io.kubus.scheduler.plugins.PodTopologySpread;
import io.kubus.scheduler.plugins.PodTopologySpreadScore;
import io.kubus.scheduler.plugins.SelectorSpread;
import io.kubus.scheduler.plugins.TaintToleration;
import io.kubus.scheduler.plugins.TaintTolerationScore;
import io.kubus.scheduler.plugins.VolumeBinding;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One scheduling cycle for one pod, as kube-scheduler runs it: every filter on every node (a node's first failing
 * filter gives its reason), then every score on the feasible nodes (normalized per plugin, summed with the plugins'
 * weights), the highest total wins, ties broken at random.
 *
 * <p>A filter may report several reasons at once joined by {@value #REASON_SEPARATOR} ({@link NodeResourcesFit}
 * does: "Insufficient cpu, Insufficient memory"); the failure message counts each of them on its own, as
 * kube-scheduler does: {@code 0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2
 * Insufficient memory.}
 */
public final class SchedulingPipeline {
    public static final String REASON_SEPARATOR = ", ";

    /** @param nodeName the chosen node, null when none fits; message says why none fits; reasonByNode per unfit node */
    public record Result(String nodeName, String message, Map<String, String> reasonByNode) {
        public boolean scheduled() {
            return nodeName != null;
        }
    }

    private final List<FilterPlugin> filters;
    private final List<ScorePlugin> scores;
    private final RandomGenerator random;

    public SchedulingPipeline(List<FilterPlugin> filters, List<ScorePlugin> scores, RandomGenerator random) {
        this.filters = List.copyOf(filters);
        this.scores = List.copyOf(scores);
        this.random = Objects.requireNonNull(random);
    }

    /**
     * All plugins in kube-scheduler's default order and weights: filters NodeUnschedulable, NodeReady, NodeName,
     * TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, VolumeBinding, PodTopologySpread, InterPodAffinity; scores
     * TaintToleration 3, NodeAffinity 2, LeastAllocated 1, PodTopologySpread 2, BalancedAllocation 1,
     * SelectorSpread 1.
     */
    public static SchedulingPipeline defaults(RandomGenerator random) {
        return new SchedulingPipeline(
                List.of(new NodeUnschedulable(), new NodeReady(), new NodeName(), new TaintToleration(),
                        new NodeAffinity(), new NodePorts(), new NodeResourcesFit(), new VolumeBinding(), new PodTopologySpread(),
                        new InterPodAffinity()),
                List.of(new TaintTolerationScore(), new NodeAffinityScore(), new LeastAllocated(),
                        new PodTopologySpreadScore(), new BalancedAllocation(), new SelectorSpread()),
                random);
    }

    public List<FilterPlugin> filters() {
        return filters;
    }

    public List<ScorePlugin> scores() {
        return scores;
    }

    /** Where the next search for feasible nodes starts (only the scheduling loop's thread schedules). */
    private int nextStart;

    public Result schedule(Pod pod, ClusterView view) {
        ClusterView cluster = new Cycle(view, pod, NodeInfo.requestsOf(pod));
        List<NodeInfo> feasible = new ArrayList<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        List<NodeInfo> nodes = new ArrayList<>(cluster.nodes());
        int total = nodes.size();
        int enough = feasibleNodesToFind(total);
        // As kube-scheduler: in a large cluster, stop once enough feasible nodes are found, and start each search
        // where the last one stopped, so that every node gets its turn.
        int start = total == 0 ? 0 : Math.floorMod(nextStart, total);
        int visited = 0;
        for (int i = 0; i < total && feasible.size() < enough; i++) {
            NodeInfo node = nodes.get((start + i) % total);
            visited++;
            String reason = firstFailure(pod, node, cluster);
            if (reason == null) {
                feasible.add(node);
            } else {
                reasons.put(node.name(), reason);
            }
        }
        nextStart = start + visited;
        Map<String, String> reasonByNode = Collections.unmodifiableMap(reasons);
        if (feasible.isEmpty()) {
            return new Result(null, failureMessage(total, reasonByNode.values()), reasonByNode);
        }
        if (feasible.size() == 1) {
            return new Result(feasible.getFirst().name(), null, reasonByNode);
        }
        Map<String, Long> totals = new LinkedHashMap<>();
        feasible.forEach(n -> totals.put(n.name(), 0L));
        for (ScorePlugin plugin : scores) {
            Map<String, Long> raw = new LinkedHashMap<>();
            for (NodeInfo n : feasible) {
                raw.put(n.name(), plugin.score(pod, n, cluster));
            }
            Map<String, Long> normalized = plugin.normalize(raw);
            for (String n : totals.keySet()) {
                totals.merge(n, plugin.weight() * normalized.getOrDefault(n, 0L), Long::sum);
            }
        }
        return new Result(pickBest(totals), null, reasonByNode);
    }

    /** The cluster as one cycle sees it: the view, and what the cycle computed once about its pod. */
    private record Cycle(ClusterView view, Pod pod, io.kubus.schema.quantity.ResourceAmounts requests)
            implements ClusterView {
        @Override
        public java.util.Collection<NodeInfo> nodes() {
            return view.nodes();
        }

        @Override
        public VolumeView volumes() {
            return view.volumes();
        }

        @Override
        public boolean anyRequiredAntiAffinity() {
            return view.anyRequiredAntiAffinity();
        }

        @Override
        public io.kubus.schema.quantity.ResourceAmounts requestsOf(Pod p) {
            return p == pod ? requests : view.requestsOf(p);
        }
    }

        /** kube-scheduler's numFeasibleNodesToFind: all of a small cluster, an adaptive share (at least 100) of a large one. */
    static int feasibleNodesToFind(int nodes) {
        if (nodes <= 100) {
            return nodes;
        }
        int percentage = Math.max(5, 50 - nodes / 125);
        return Math.max(100, nodes * percentage / 100);
    }

    private String firstFailure(Pod pod, NodeInfo node, ClusterView cluster) {
        for (FilterPlugin f : filters) {
            String reason = f.filter(pod, node, cluster);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    /** The highest total; among equal ones each is picked with equal chance (reservoir sampling, as kube-scheduler). */
    private String pickBest(Map<String, Long> totals) {
        String best = null;
        long bestScore = Long.MIN_VALUE;
        int ties = 0;
        for (Map.Entry<String, Long> e : totals.entrySet()) {
            if (e.getValue() > bestScore) {
                best = e.getKey();
                bestScore = e.getValue();
                ties = 1;
            } else if (e.getValue() == bestScore) {
                ties++;
                if (random.nextInt(ties) == 0) {
                    best = e.getKey();
                }
            }
        }
        return best;
    }

    /** kube-scheduler's FitError message: "0/N nodes are available: " + "count reason" sorted, joined, and ".". */
    static String failureMessage(int nodes, Iterable<String> reasons) {
        if (nodes == 0) {
            return "0/0 nodes are available: no nodes available to schedule pods.";
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (String r : reasons) {
            for (String one : r.split(REASON_SEPARATOR)) {
                counts.merge(one, 1, Integer::sum);
            }
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((reason, n) -> parts.add(n + " " + reason));
        Collections.sort(parts);
        return "0/" + nodes + " nodes are available: " + String.join(", ", parts) + ".";
    }
}
