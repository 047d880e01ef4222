package io.kubus.schema.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.storage.VolumeMatch;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What an object counts against a ResourceQuota, as Kubernetes' quota evaluators measure it (k8s.io/apiserver
 * pkg/quota/v1/generic for object counts, pkg/quota/v1/evaluator/core for pods, services and claims). The gateway's
 * ResourceQuota admission charges a new object with it and the quota controller sums it over a namespace, so both
 * count the same way. Objects are the JSON the API serves.
 */
public final class QuotaEvaluator {
    public static final String PODS = "pods";
    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String REQUESTS_CPU = "requests.cpu";
    public static final String REQUESTS_MEMORY = "requests.memory";
    public static final String REQUESTS_EPHEMERAL_STORAGE = "requests.ephemeral-storage";
    public static final String LIMITS_CPU = "limits.cpu";
    public static final String LIMITS_MEMORY = "limits.memory";
    public static final String LIMITS_EPHEMERAL_STORAGE = "limits.ephemeral-storage";
    public static final String REQUESTS_STORAGE = "requests.storage";
    public static final String SERVICES = "services";
    public static final String SERVICES_NODE_PORTS = "services.nodeports";
    public static final String SERVICES_LOAD_BALANCERS = "services.loadbalancers";
    public static final String PERSISTENT_VOLUME_CLAIMS = "persistentvolumeclaims";
    static final String REQUESTS_PREFIX = "requests.";
    static final String HUGEPAGES_PREFIX = "hugepages-";
    static final String STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/";

    /** The scopes a quota may name (helper.IsStandardResourceQuotaScope). */
    public static final List<String> SCOPES = List.of("Terminating", "NotTerminating", "BestEffort", "NotBestEffort",
            "PriorityClass", "CrossNamespacePodAffinity");

    /** The pod resources a quota tracks (the pod evaluator's podResources). */
    private static final Set<String> POD_RESOURCES = Set.of("count/pods", CPU, MEMORY, EPHEMERAL_STORAGE, REQUESTS_CPU,
            REQUESTS_MEMORY, REQUESTS_EPHEMERAL_STORAGE, LIMITS_CPU, LIMITS_MEMORY, LIMITS_EPHEMERAL_STORAGE, PODS);
    /** Kinds whose objects a quota also counts under their plain plural (before count/ existed). */
    private static final Map<ResourceType, String> LEGACY_COUNTS = Map.of(
            ResourceTypes.SERVICES, SERVICES,
            ResourceTypes.CONFIGMAPS, "configmaps",
            ResourceTypes.SECRETS, "secrets",
            ResourceTypes.REPLICATIONCONTROLLERS, "replicationcontrollers",
            ResourceTypes.RESOURCEQUOTAS, "resourcequotas",
            ResourceTypes.PERSISTENTVOLUMECLAIMS, PERSISTENT_VOLUME_CLAIMS);
    /**
     * The resources whose absence from a container a cpu or memory quota refuses (Kubernetes calls requiring them a
     * mistake it keeps for compatibility, and adds no others).
     */
    private static final Set<String> MUST_SPECIFY = Set.of(CPU, MEMORY, REQUESTS_CPU, REQUESTS_MEMORY, LIMITS_CPU,
            LIMITS_MEMORY);

    private QuotaEvaluator() {
    }

    /** Whether quota counts this kind at all: every namespaced kind but events, which kube-apiserver leaves out. */
    public static boolean counts(ResourceType type) {
        return type.namespaced() && type != ResourceTypes.EVENTS;
    }

    /** The object count resource of a kind: {@code count/pods}, {@code count/deployments.apps}. */
    public static String objectCountName(ResourceType type) {
        return "count/" + type.plural() + (type.group().isEmpty() ? "" : "." + type.group());
    }

    /** Of {@code names}, the quota resources objects of this kind use (an evaluator's MatchingResources). */
    public static List<String> matchingResources(ResourceType type, Collection<String> names) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (tracks(type, name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static boolean tracks(ResourceType type, String name) {
        if (!counts(type)) {
            return false;
        }
        if (name.equals(objectCountName(type)) || name.equals(LEGACY_COUNTS.get(type))) {
            return true;
        }
        if (type == ResourceTypes.PODS) {
            return POD_RESOURCES.contains(name) || name.startsWith(HUGEPAGES_PREFIX)
                    || name.startsWith(REQUESTS_PREFIX + HUGEPAGES_PREFIX)
                    || name.startsWith(REQUESTS_PREFIX) && !isNative(name);
        }
        if (type == ResourceTypes.SERVICES) {
            return name.equals(SERVICES_NODE_PORTS) || name.equals(SERVICES_LOAD_BALANCERS);
        }
        if (type == ResourceTypes.PERSISTENTVOLUMECLAIMS) {
            return name.equals(REQUESTS_STORAGE) || name.contains(STORAGE_CLASS_SUFFIX)
                    && (name.endsWith("/" + REQUESTS_STORAGE) || name.endsWith("/" + PERSISTENT_VOLUME_CLAIMS));
        }
        return false;
    }

    /** The kinds whose objects count toward any of {@code names}, with the names each counts. */
    public static Map<ResourceType, List<String>> trackingKinds(Collection<String> names) {
        Map<ResourceType, List<String>> out = new LinkedHashMap<>();
        for (ResourceType type : ResourceTypes.stored()) {
            List<String> matched = matchingResources(type, names);
            if (!matched.isEmpty()) {
                out.put(type, matched);
            }
        }
        return out;
    }

    /**
     * What the objects of one kind use of {@code names} (CalculateUsageStats): the usage of those in the quota's scopes
     * summed, each name present, zero when nothing uses it.
     */
    public static ResourceAmounts used(ResourceType type, Collection<String> names, JsonNode quotaSpec,
                                       Iterable<? extends JsonNode> objects, Instant now) {
        ResourceAmounts sum = ResourceAmounts.empty();
        for (JsonNode object : objects) {
            if (inScopes(type, quotaSpec, object)) {
                sum = sum.plus(usage(type, object, now));
            }
        }
        Map<String, ResourceQuantity> out = new TreeMap<>();
        for (String name : names) {
            out.put(name, sum.get(name));
        }
        return ResourceAmounts.copyOf(out);
    }

    /** What one object uses, as its kind's evaluator measures it ({@code now} decides whether a deleted pod still counts). */
    public static ResourceAmounts usage(ResourceType type, JsonNode object, Instant now) {
        Map<String, ResourceQuantity> out = new TreeMap<>();
        out.put(objectCountName(type), ResourceQuantity.ofLong(1));
        String legacy = LEGACY_COUNTS.get(type);
        if (legacy != null) {
            out.put(legacy, ResourceQuantity.ofLong(1));
        }
        ResourceAmounts usage = ResourceAmounts.copyOf(out);
        if (type == ResourceTypes.PODS) {
            return isCharged(object, now) ? usage.plus(podCompute(object.path("spec"))) : usage;
        }
        if (type == ResourceTypes.SERVICES) {
            return usage.plus(serviceUsage(object.path("spec")));
        }
        if (type == ResourceTypes.PERSISTENTVOLUMECLAIMS) {
            return usage.plus(claimUsage(object));
        }
        return usage;
    }

    /**
     * QuotaV1Pod: a pod counts toward compute quota until it has finished, or until the grace period of its deletion
     * has passed (a pod stuck terminating on a lost node must not block its replacement).
     */
    static boolean isCharged(JsonNode pod, Instant now) {
        String phase = pod.path("status").path("phase").asText("");
        if (PodPhases.isTerminal(phase)) {
            return false;
        }
        JsonNode meta = pod.path("metadata");
        if (meta.hasNonNull("deletionTimestamp") && meta.hasNonNull("deletionGracePeriodSeconds")) {
            try {
                Instant deadline = Instant.parse(meta.path("deletionTimestamp").asText())
                        .plus(Duration.ofSeconds(meta.path("deletionGracePeriodSeconds").asLong()));
                return !now.isAfter(deadline);
            } catch (DateTimeParseException e) {
                return true;
            }
        }
        return true;
    }

    private static ResourceAmounts podCompute(JsonNode podSpec) {
        return computeUsage(PodResources.requests(podSpec, true), PodResources.limits(podSpec, true));
    }

    /** podComputeUsageHelper: the quota resources a set of requests and limits stands for. */
    private static ResourceAmounts computeUsage(ResourceAmounts requests, ResourceAmounts limits) {
        Map<String, ResourceQuantity> out = new TreeMap<>();
        out.put(PODS, ResourceQuantity.ofLong(1));
        for (String r : List.of(CPU, MEMORY, EPHEMERAL_STORAGE)) {
            if (requests.contains(r)) {
                out.put(r, requests.get(r));
                out.put(REQUESTS_PREFIX + r, requests.get(r));
            }
            if (limits.contains(r)) {
                out.put("limits." + r, limits.get(r));
            }
        }
        requests.asMap().forEach((name, q) -> {
            if (name.startsWith(HUGEPAGES_PREFIX)) {
                out.put(name, q);
                out.put(REQUESTS_PREFIX + name, q);
            } else if (isExtended(name)) {
                out.put(REQUESTS_PREFIX + name, q);
            }
        });
        return ResourceAmounts.copyOf(out);
    }

    private static ResourceAmounts serviceUsage(JsonNode spec) {
        long ports = spec.path("ports").size();
        long nodePorts = 0;
        long loadBalancers = 0;
        switch (spec.path("type").asText("")) {
            case "NodePort" -> nodePorts = ports;
            case "LoadBalancer" -> {
                loadBalancers = 1;
                if (spec.path("allocateLoadBalancerNodePorts").asBoolean(true)) {
                    nodePorts = ports;
                }
            }
            default -> {
                // ClusterIP and ExternalName services hold no node port and no load balancer
            }
        }
        return ResourceAmounts.empty().with(SERVICES_NODE_PORTS, ResourceQuantity.ofLong(nodePorts))
                .with(SERVICES_LOAD_BALANCERS, ResourceQuantity.ofLong(loadBalancers));
    }

    /** A claim counts once, and for its storage (the larger of what it asked for and what it got), also per class. */
    private static ResourceAmounts claimUsage(JsonNode pvc) {
        String annotated = pvc.path("metadata").path("annotations").path(VolumeMatch.BETA_STORAGE_CLASS)
                .asText("");
        String storageClass = annotated.isEmpty() ? pvc.path("spec").path("storageClassName").asText("") : annotated;
        ResourceAmounts usage = ResourceAmounts.empty();
        if (!storageClass.isEmpty()) {
            usage = usage.with(storageClass + STORAGE_CLASS_SUFFIX + PERSISTENT_VOLUME_CLAIMS, ResourceQuantity.ofLong(1));
        }
        ResourceQuantity requested = ResourceAmounts.fromJson(pvc.path("spec").path("resources").path("requests"))
                .get("storage");
        ResourceQuantity allocated = ResourceAmounts.fromJson(pvc.path("status").path("allocatedResources")).get("storage");
        ResourceQuantity storage = allocated.compareTo(requested) > 0 ? allocated : requested;
        if (!storage.isZero()) {
            usage = usage.with(REQUESTS_STORAGE, storage);
            if (!storageClass.isEmpty()) {
                usage = usage.with(storageClass + STORAGE_CLASS_SUFFIX + REQUESTS_STORAGE, storage);
            }
        }
        return usage;
    }

    // ---- scopes ----

    /**
     * Whether the quota applies to the object (generic.Matches): it limits at least one resource of the object's kind
     * in {@code status.hard}, and the object is in every one of its scopes. Only pods are in any scope.
     */
    public static boolean matches(ResourceType type, JsonNode quota, JsonNode object) {
        List<String> hard = new ArrayList<>();
        quota.path("status").path("hard").fieldNames().forEachRemaining(hard::add);
        return !matchingResources(type, hard).isEmpty() && inScopes(type, quota.path("spec"), object);
    }

    /** Whether the object is in every scope of the quota's spec (spec.scopes and spec.scopeSelector). */
    public static boolean inScopes(ResourceType type, JsonNode quotaSpec, JsonNode object) {
        for (JsonNode scope : quotaSpec.path("scopes")) {
            if (!inScope(type, scope.asText(""), "Exists", List.of(), object)) {
                return false;
            }
        }
        for (JsonNode req : quotaSpec.path("scopeSelector").path("matchExpressions")) {
            List<String> values = new ArrayList<>();
            req.path("values").forEach(v -> values.add(v.asText("")));
            if (!inScope(type, req.path("scopeName").asText(""), req.path("operator").asText(""), values, object)) {
                return false;
            }
        }
        return true;
    }

    private static boolean inScope(ResourceType type, String scope, String operator, List<String> values, JsonNode obj) {
        if (type != ResourceTypes.PODS) {
            return false;
        }
        JsonNode spec = obj.path("spec");
        return switch (scope) {
            case "Terminating" -> isTerminating(spec);
            case "NotTerminating" -> !isTerminating(spec);
            case "BestEffort" -> isBestEffort(obj);
            case "NotBestEffort" -> !isBestEffort(obj);
            case "PriorityClass" -> priorityClassMatches(spec.path("priorityClassName").asText(""), operator, values);
            case "CrossNamespacePodAffinity" -> usesCrossNamespaceAffinity(spec.path("affinity"));
            default -> false;
        };
    }

    private static boolean isTerminating(JsonNode podSpec) {
        return podSpec.hasNonNull("activeDeadlineSeconds") && podSpec.path("activeDeadlineSeconds").asLong() >= 0;
    }

    /** The pod's QoS class is fixed when it is created (its resources cannot change), so the stored one is read. */
    private static boolean isBestEffort(JsonNode pod) {
        return "BestEffort".equals(pod.path("status").path("qosClass").asText(""));
    }

    /** The PriorityClass scope selects by the pod's class name as if it were the value of a label of that name. */
    private static boolean priorityClassMatches(String className, String operator, List<String> values) {
        boolean set = !className.isEmpty();
        return switch (operator) {
            case "Exists" -> set;
            case "DoesNotExist" -> !set;
            case "In" -> set && values.contains(className);
            case "NotIn" -> !set || !values.contains(className);
            default -> false;
        };
    }

    private static boolean usesCrossNamespaceAffinity(JsonNode affinity) {
        for (String kind : List.of("podAffinity", "podAntiAffinity")) {
            JsonNode a = affinity.path(kind);
            for (JsonNode term : a.path("requiredDuringSchedulingIgnoredDuringExecution")) {
                if (crossNamespace(term)) {
                    return true;
                }
            }
            for (JsonNode weighted : a.path("preferredDuringSchedulingIgnoredDuringExecution")) {
                if (crossNamespace(weighted.path("podAffinityTerm"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean crossNamespace(JsonNode term) {
        return !term.path("namespaces").isEmpty() || term.path("namespaceSelector").isObject();
    }

    // ---- constraints ----

    /**
     * The pod evaluator's Constraints: a quota on cpu or memory needs every container to state that resource, so a
     * pod that leaves one out is refused ("must specify requests.cpu for: web"). Empty when the object is fine.
     */
    public static String unmetConstraints(ResourceType type, Collection<String> required, JsonNode object) {
        if (type != ResourceTypes.PODS) {
            return "";
        }
        Set<String> wanted = new TreeSet<>(required);
        wanted.retainAll(MUST_SPECIFY);
        Map<String, Set<String>> missing = new TreeMap<>();
        JsonNode spec = object.path("spec");
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : spec.path(list)) {
                Set<String> stated = computeUsage(PodResources.container(c, "requests"), PodResources.container(c, "limits"))
                        .asMap().keySet();
                for (String r : wanted) {
                    if (!stated.contains(r)) {
                        missing.computeIfAbsent(r, k -> new TreeSet<>()).add(c.path("name").asText(""));
                    }
                }
            }
        }
        if (missing.isEmpty()) {
            return "";
        }
        return "must specify " + missing.entrySet().stream()
                .map(e -> e.getKey() + " for: " + String.join(",", e.getValue()))
                .collect(Collectors.joining("; "));
    }

    // ---- resource names ----

    /** IsNativeResource: unprefixed names and those in the kubernetes.io/ namespace. */
    public static boolean isNative(String name) {
        return !name.contains("/") || name.contains("kubernetes.io/");
    }

    /**
     * IsExtendedResourceName: a name outside kubernetes.io/ that does not start with {@code requests.} and that stays
     * a qualified name as {@code requests.<name>}.
     */
    public static boolean isExtended(String name) {
        return !isNative(name) && !name.startsWith(REQUESTS_PREFIX)
                && io.kubus.schema.validation.Names.qualifiedName(REQUESTS_PREFIX + name).isEmpty();
    }
}
