package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.gateway.apiextensions.ServedTypes;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * API discovery, generated from the resource catalog: the aggregated v2 form kubectl 1.32 asks for first (which
 * must be answered with its own content type, kubectl switches on it), and the legacy per-group-version lists.
 */
@Singleton
public class Discovery {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");

    /**
     * Group name → its versions' resource types, in catalog order, except that a group's versions that store
     * objects come before those only converted from them: the first is the preferred version, as kube-apiserver
     * lists autoscaling v2 before v1. "" is the core group.
     */
    private record Groups(long generation, Map<String, Map<String, List<ResourceType>>> byName) {
    }

    private final ServedTypes types;
    private volatile Groups groups = new Groups(-1, Map.of());

    public Discovery(ServedTypes types) {
        this.types = types;
    }

    /** The served groups, rebuilt when the served types changed (a CustomResourceDefinition came or went). */
    private Map<String, Map<String, List<ResourceType>>> groups() {
        Groups current = groups;
        long generation = types.generation();
        if (current.generation == generation) {
            return current.byName;
        }
        Map<String, Map<String, List<ResourceType>>> inCatalogOrder = new LinkedHashMap<>();
        for (ResourceType t : java.util.stream.Stream.concat(types.all().stream(), Reviews.TYPES.stream()).toList()) {
            inCatalogOrder.computeIfAbsent(t.group(), g -> new LinkedHashMap<>())
                    .computeIfAbsent(t.version(), v -> new java.util.ArrayList<>()).add(t);
        }
        Map<String, Map<String, List<ResourceType>>> byName = new LinkedHashMap<>();
        inCatalogOrder.forEach((group, versions) -> {
            Map<String, List<ResourceType>> ordered = new LinkedHashMap<>();
            for (boolean storing : List.of(true, false)) {
                versions.forEach((version, list) -> {
                    if (list.stream().anyMatch(ResourceType::isStorageType) == storing) {
                        ordered.put(version, list);
                    }
                });
            }
            byName.put(group, ordered);
        });
        groups = new Groups(generation, byName);
        return byName;
    }

    /**
     * {@code GET /api}. The legacy form's serverAddressByClientCIDRs has kube-apiserver's one rule, every client
     * ("0.0.0.0/0") to {@code serverAddress}: there the advertise address and secure port, here the address and port
     * the request reached the gateway at (host:port, as Go's net.JoinHostPort writes it).
     */
    public HttpResponse<?> coreVersions(@Nullable String accept, String serverAddress) {
        if (wantsAggregated(accept)) {
            return json(aggregated(true), AGGREGATED);
        }
        ObjectNode versions = NODES.objectNode();
        versions.put("kind", "APIVersions");
        versions.putArray("versions").add("v1");
        ObjectNode cidr = versions.putArray("serverAddressByClientCIDRs").addObject();
        cidr.put("clientCIDR", "0.0.0.0/0");
        cidr.put("serverAddress", serverAddress);
        return json(versions, "application/json");
    }

    /** host:port as net.JoinHostPort writes it: an IPv6 literal in brackets. */
    static String joinHostPort(java.net.InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone); // a scope id is of no use to a client elsewhere
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    public HttpResponse<?> groups(@Nullable String accept) {
        if (wantsAggregated(accept)) {
            return json(aggregated(false), AGGREGATED);
        }
        ObjectNode list = NODES.objectNode();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode arr = list.putArray("groups");
        groups().keySet().stream().filter(g -> !g.isEmpty()).forEach(g -> arr.add(groupNode(g)));
        return json(list, "application/json");
    }

    public HttpResponse<?> group(String method, String group) {
        requireGet(method);
        if (group.isEmpty() || !groups().containsKey(group)) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        return json(groupNode(group), "application/json");
    }

    public HttpResponse<?> resources(String method, String group, String version) {
        requireGet(method);
        List<ResourceType> types = groups().getOrDefault(group, Map.of()).get(version);
        if (types == null) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        ObjectNode list = NODES.objectNode();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", types.getFirst().apiVersion());
        ArrayNode arr = list.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = arr.addObject();
            r.put("name", t.plural());
            r.put("singularName", t.singular());
            r.put("namespaced", t.namespaced());
            r.put("kind", t.kind());
            strings(r.putArray("verbs"), verbs(t));
            if (!t.shortNames().isEmpty()) {
                strings(r.putArray("shortNames"), t.shortNames());
            }
            if (!t.categories().isEmpty()) {
                strings(r.putArray("categories"), t.categories());
            }
            for (String sub : t.subresources().stream().sorted().toList()) {
                ObjectNode s = arr.addObject();
                s.put("name", t.plural() + "/" + sub);
                s.put("singularName", "");
                s.put("namespaced", t.namespaced());
                Sub info = sub(t, sub);
                if (!info.group.equals(t.group())) {
                    s.put("group", info.group);
                    s.put("version", info.version);
                }
                s.put("kind", info.kind);
                strings(s.putArray("verbs"), info.verbs);
            }
        }
        return json(list, "application/json");
    }

    private ObjectNode aggregated(boolean core) {
        ObjectNode list = NODES.objectNode();
        list.put("kind", "APIGroupDiscoveryList");
        list.put("apiVersion", "apidiscovery.k8s.io/v2");
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        groups().forEach((group, versions) -> {
            if (group.isEmpty() != core) {
                return;
            }
            ObjectNode item = items.addObject();
            item.putObject("metadata").put("name", group);
            ArrayNode vs = item.putArray("versions");
            versions.forEach((version, types) -> {
                ObjectNode v = vs.addObject();
                v.put("version", version);
                v.put("freshness", "Current");
                ArrayNode resources = v.putArray("resources");
                for (ResourceType t : types) {
                    ObjectNode r = resources.addObject();
                    r.put("resource", t.plural());
                    r.set("responseKind", gvk(t.group(), t.version(), t.kind()));
                    r.put("scope", t.namespaced() ? "Namespaced" : "Cluster");
                    r.put("singularResource", t.singular());
                    strings(r.putArray("verbs"), verbs(t));
                    if (!t.shortNames().isEmpty()) {
                        strings(r.putArray("shortNames"), t.shortNames());
                    }
                    if (!t.categories().isEmpty()) {
                        strings(r.putArray("categories"), t.categories());
                    }
                    ArrayNode subs = r.putArray("subresources");
                    for (String sub : t.subresources().stream().sorted().toList()) {
                        Sub info = sub(t, sub);
                        ObjectNode s = subs.addObject();
                        s.put("subresource", sub);
                        s.set("responseKind", gvk(info.group, info.version, info.kind));
                        strings(s.putArray("verbs"), info.verbs);
                    }
                }
            });
        });
        return list;
    }

    /** Every verb for a stored kind; only create for a review, which is answered and never stored. */
    private static List<String> verbs(ResourceType t) {
        return Reviews.TYPES.contains(t) ? List.of("create") : VERBS;
    }

    private ObjectNode groupNode(String group) {
        ObjectNode g = NODES.objectNode();
        g.put("kind", "APIGroup");
        g.put("apiVersion", "v1");
        g.put("name", group);
        ArrayNode versions = g.putArray("versions");
        for (String v : groups().get(group).keySet()) {
            ObjectNode gv = versions.addObject();
            gv.put("groupVersion", group + "/" + v);
            gv.put("version", v);
        }
        g.set("preferredVersion", versions.get(0).deepCopy());
        return g;
    }

    private record Sub(String group, String version, String kind, List<String> verbs) {
    }

    private static Sub sub(ResourceType t, String sub) {
        return switch (sub) {
            case "scale" -> new Sub("autoscaling", "v1", "Scale", List.of("get", "patch", "update"));
            case "binding" -> new Sub("", "v1", "Binding", List.of("create"));
            case "log" -> new Sub(t.group(), t.version(), t.kind(), List.of("get"));
            case "exec" -> new Sub("", "v1", "PodExecOptions", List.of("create", "get"));
            case "portforward" -> new Sub("", "v1", "PodPortForwardOptions", List.of("create", "get"));
            // kubectl drain evicts (rather than deletes) only where discovery lists pods/eviction with this kind
            case "eviction" -> new Sub("policy", "v1", "Eviction", List.of("create"));
            case "token" -> new Sub("authentication.k8s.io", "v1", "TokenRequest", List.of("create"));
            case "finalize" -> new Sub(t.group(), t.version(), t.kind(), List.of("update"));
            case "proxy" -> new Sub("", "v1", t.kind().equals("Pod") ? "PodProxyOptions" : "ServiceProxyOptions",
                    List.of("create", "delete", "get", "patch", "update"));
            default -> new Sub(t.group(), t.version(), t.kind(), List.of("get", "patch", "update"));
        };
    }

    private static ObjectNode gvk(String group, String version, String kind) {
        ObjectNode n = NODES.objectNode();
        n.put("group", group);
        n.put("version", version);
        n.put("kind", kind);
        return n;
    }

    private static void strings(ArrayNode arr, List<String> values) {
        values.forEach(arr::add);
    }

    private static boolean wantsAggregated(@Nullable String accept) {
        return accept != null && accept.contains("g=apidiscovery.k8s.io") && accept.contains("as=APIGroupDiscoveryList");
    }

    private static void requireGet(String method) {
        if (!method.equals("GET")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    static HttpResponse<?> json(Object node, String contentType) {
        return HttpResponse.ok(KubusJson.write(node).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .contentType(contentType).header("Cache-Control", "no-cache, private");
    }
}
