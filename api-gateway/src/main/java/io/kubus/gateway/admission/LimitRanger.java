package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.watch.CachedObjects;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.quota.PodResources;
import io.kubus.gateway.GatewayApplication;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kubernetes' LimitRanger admission plugin (plugin/pkg/admission/limitranger): the LimitRanges of the namespace give
 * a new pod's containers the requests and limits they leave out (their {@code defaultRequest} and {@code default}),
 * and then refuse a pod, or a claim, outside their bounds (min, max, maxLimitRequestRatio), with Kubernetes' messages.
 * Pods only on create: their resources cannot change afterwards.
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT) // reads the cached objects, which only a gateway has
public class LimitRanger implements AdmissionPlugin {
    private static final String ANNOTATION = "kubernetes.io/limit-ranger";

    private final CachedObjects cache;

    public LimitRanger(CachedObjects cache) {
        this.cache = cache;
    }

    @Override
    public void mutate(AdmissionRequest request) {
        if (request.type() != ResourceTypes.PODS || !request.isCreate()) {
            return;
        }
        for (ObjectNode range : ranges(request)) {
            applyDefaults(request.object(), range);
        }
    }

    @Override
    public void validate(AdmissionRequest request) {
        boolean pod = request.type() == ResourceTypes.PODS && request.isCreate();
        boolean claim = request.type() == ResourceTypes.PERSISTENTVOLUMECLAIMS
                && (request.isCreate() || !request.old().path("metadata").hasNonNull("deletionTimestamp"));
        if (!pod && !claim) {
            return;
        }
        for (ObjectNode range : ranges(request)) {
            List<String> problems = pod ? podProblems(range, request.object().path("spec"))
                    : claimProblems(range, request.object().path("spec"));
            if (!problems.isEmpty()) {
                throw request.forbidden(aggregate(problems));
            }
        }
    }

    private List<ObjectNode> ranges(AdmissionRequest request) {
        return cache.list(ResourceTypes.LIMITRANGES, request.object().path("metadata").path("namespace").asText(""));
    }

    // ---- defaults ----

    /** mergePodResourceRequirements: each container gets the defaults it does not state, and the pod says which. */
    private static void applyDefaults(ObjectNode pod, ObjectNode range) {
        Map<String, JsonNode> requests = new TreeMap<>();
        Map<String, JsonNode> limits = new TreeMap<>();
        for (JsonNode item : range.path("spec").path("limits")) {
            if ("Container".equals(item.path("type").asText(""))) {
                item.path("defaultRequest").properties().forEach(e -> requests.put(e.getKey(), e.getValue()));
                item.path("default").properties().forEach(e -> limits.put(e.getKey(), e.getValue()));
            }
        }
        List<String> notes = new ArrayList<>();
        ObjectNode spec = JsonTree.obj(pod, "spec");
        for (String[] list : new String[][]{{"containers", "container"}, {"initContainers", "init container"}}) {
            for (ObjectNode c : JsonTree.objects(spec, list[0])) {
                List<String> setLimits = fill(c, "limits", limits);
                List<String> setRequests = fill(c, "requests", requests);
                if (!setRequests.isEmpty()) {
                    notes.add(String.join(", ", setRequests) + " request for " + list[1] + " " + JsonTree.text(c, "name"));
                }
                if (!setLimits.isEmpty()) {
                    notes.add(String.join(", ", setLimits) + " limit for " + list[1] + " " + JsonTree.text(c, "name"));
                }
            }
        }
        if (!notes.isEmpty()) {
            JsonTree.obj(JsonTree.obj(pod, "metadata"), "annotations")
                    .put(ANNOTATION, "LimitRanger plugin set: " + String.join("; ", notes));
        }
    }

    /** Sets the defaults a container's list lacks; the names set, sorted. */
    private static List<String> fill(ObjectNode container, String which, Map<String, JsonNode> defaults) {
        List<String> set = new ArrayList<>();
        for (Map.Entry<String, JsonNode> d : defaults.entrySet()) {
            if (container.path("resources").path(which).has(d.getKey())) {
                continue;
            }
            JsonTree.obj(JsonTree.obj(container, "resources"), which).set(d.getKey(), d.getValue().deepCopy());
            set.add(d.getKey());
        }
        return set;
    }

    // ---- bounds ----

    /** PodValidateLimitFunc: each container (init containers too) against Container items, the pod's total against Pod items. */
    private static List<String> podProblems(ObjectNode range, JsonNode spec) {
        List<String> problems = new ArrayList<>();
        for (JsonNode item : range.path("spec").path("limits")) {
            String type = item.path("type").asText("");
            if (type.equals("Container")) {
                for (String list : List.of("containers", "initContainers")) {
                    for (JsonNode c : spec.path(list)) {
                        bounds(item, type, PodResources.container(c, "requests"), PodResources.container(c, "limits"), problems);
                    }
                }
            } else if (type.equals("Pod")) {
                bounds(item, type, PodResources.requests(spec, false), PodResources.limits(spec, false), problems);
            }
        }
        return problems;
    }

    /** PersistentVolumeClaimValidateLimitFunc: the storage a claim requests (claims have no limits). */
    private static List<String> claimProblems(ObjectNode range, JsonNode spec) {
        List<String> problems = new ArrayList<>();
        ResourceAmounts requested = ResourceAmounts.fromJson(spec.path("resources").path("requests"));
        for (JsonNode item : range.path("spec").path("limits")) {
            String type = item.path("type").asText("");
            if (!type.equals("PersistentVolumeClaim")) {
                continue;
            }
            for (Map.Entry<String, ResourceQuantity> min : sorted(item.path("min"))) {
                minimum(type, min.getKey(), min.getValue(), requested, ResourceAmounts.empty(), problems);
            }
            for (Map.Entry<String, ResourceQuantity> max : sorted(item.path("max"))) {
                String r = max.getKey();
                if (!requested.contains(r)) {
                    problems.add("maximum " + r + " usage per " + type + " is " + max.getValue() + ".  No request is specified");
                } else if (cmp(requested.get(r), max.getValue()) > 0) {
                    problems.add("maximum " + r + " usage per " + type + " is " + max.getValue() + ", but request is "
                            + requested.get(r));
                }
            }
        }
        return problems;
    }

    private static void bounds(JsonNode item, String type, ResourceAmounts requests, ResourceAmounts limits,
                               List<String> problems) {
        for (Map.Entry<String, ResourceQuantity> e : sorted(item.path("min"))) {
            minimum(type, e.getKey(), e.getValue(), requests, limits, problems);
        }
        for (Map.Entry<String, ResourceQuantity> e : sorted(item.path("max"))) {
            maximum(type, e.getKey(), e.getValue(), requests, limits, problems);
        }
        for (Map.Entry<String, ResourceQuantity> e : sorted(item.path("maxLimitRequestRatio"))) {
            ratio(type, e.getKey(), e.getValue(), requests, limits, problems);
        }
    }

    private static void minimum(String type, String r, ResourceQuantity min, ResourceAmounts requests,
                                ResourceAmounts limits, List<String> problems) {
        String head = "minimum " + r + " usage per " + type + " is " + min;
        if (!requests.contains(r)) {
            problems.add(head + ".  No request is specified");
        } else if (cmp(requests.get(r), min) < 0) {
            problems.add(head + ", but request is " + requests.get(r));
        } else if (limits.contains(r) && cmp(limits.get(r), min) < 0) {
            problems.add(head + ", but limit is " + limits.get(r));
        }
    }

    private static void maximum(String type, String r, ResourceQuantity max, ResourceAmounts requests,
                                ResourceAmounts limits, List<String> problems) {
        String head = "maximum " + r + " usage per " + type + " is " + max;
        if (!limits.contains(r)) {
            problems.add(head + ".  No limit is specified");
        } else if (cmp(limits.get(r), max) > 0) {
            problems.add(head + ", but limit is " + limits.get(r));
        } else if (requests.contains(r) && cmp(requests.get(r), max) > 0) {
            problems.add(head + ", but request is " + requests.get(r));
        }
    }

    private static void ratio(String type, String r, ResourceQuantity max, ResourceAmounts requests,
                              ResourceAmounts limits, List<String> problems) {
        String head = r + " max limit to request ratio per " + type + " is " + max;
        if (!requests.contains(r) || milli(requests.get(r)) == 0) {
            problems.add(head + ", but no request is specified or request is 0");
        } else if (!limits.contains(r) || milli(limits.get(r)) == 0) {
            problems.add(head + ", but no limit is specified or limit is 0");
        } else {
            double observed = (double) milli(limits.get(r)) / milli(requests.get(r));
            if (observed * 1000 > milli(max)) {
                problems.add(head + ", but provided ratio is " + String.format(Locale.ROOT, "%f", observed));
            }
        }
    }

    /** The item's amounts in name order (Kubernetes walks a map, so its order varies; this one is stable). */
    private static Set<Map.Entry<String, ResourceQuantity>> sorted(JsonNode list) {
        return new TreeMap<>(ResourceAmounts.fromJson(list).asMap()).entrySet();
    }

    /** Kubernetes compares these amounts in whole thousandths (1n counts as 1m). */
    private static int cmp(ResourceQuantity a, ResourceQuantity b) {
        return Long.compare(milli(a), milli(b));
    }

    private static long milli(ResourceQuantity q) {
        try {
            return q.milliValue();
        } catch (ArithmeticException e) {
            return q.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** utilerrors.NewAggregate: one message as it is, several in brackets, a repeated one once. */
    private static String aggregate(List<String> problems) {
        Set<String> distinct = new LinkedHashSet<>(problems);
        return distinct.size() == 1 ? distinct.iterator().next() : "[" + String.join(", ", distinct) + "]";
    }
}
