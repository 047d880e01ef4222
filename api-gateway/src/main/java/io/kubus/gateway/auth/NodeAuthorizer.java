package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Order;
import jakarta.inject.Singleton;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a node agent's identity ({@code system:node:NAME} in {@code system:nodes}) may touch, as kube-apiserver's Node
 * authorizer and NodeRestriction admission decide it together: the Secrets, ConfigMaps and PersistentVolumeClaims
 * that pods bound to the node use, and the PersistentVolumes bound to those claims, one by one (no lists); the ServiceAccount tokens of those pods; its own Node and
 * Lease; and, of pods, it may change or delete only those bound to it. Everything else a node does (read pods and
 * nodes, record events) the {@code system:node} role allows through RBAC.
 *
 * <p>Kubernetes binds the {@code system:node} role to nobody and lets this authorizer apply its rules; Kubus binds
 * it to the group {@code system:nodes} and has this authorizer, consulted first, deny what a node may not do.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
@Order(1)
public class NodeAuthorizer implements Authorizer {
    private static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");

    private static final String SECRET = "secret";
    private static final String CONFIG_MAP = "configMap";
    private static final String CLAIM = "persistentVolumeClaim";
    private static final String SERVICE_ACCOUNT = "serviceAccount";

    private final ObjectStore store;
    private final NodeGraph graph;

    public NodeAuthorizer(ObjectStore store, NodeGraph graph) {
        this.store = store;
        this.graph = graph;
    }

    @Override
    public Decision authorize(RequestAttributes a) {
        UserInfo user = a.user();
        if (!Nodes.isNode(user) || !a.resourceRequest()) {
            return Decision.noOpinion("");
        }
        Nodes node = Nodes.of(user);
        String group = a.apiGroup();
        String resource = a.resource();
        if (group.isEmpty()) {
            switch (resource) {
                case "secrets", "configmaps", "persistentvolumeclaims" -> {
                    return referenced(node, a);
                }
                case "serviceaccounts" -> {
                    if (a.subresource().equals("token") && a.verb().equals("create")) {
                        return related(node, a.namespace(), SERVICE_ACCOUNT, a.name()) ? Decision.allow("")
                                : noRelationship(node);
                    }
                    return Decision.noOpinion("");
                }
                case "pods" -> {
                    return pod(node, a);
                }
                case "persistentvolumes" -> {
                    return volume(node, a);
                }
                case "nodes" -> {
                    if ((WRITES.contains(a.verb()) || !a.subresource().isEmpty()) && !a.name().isEmpty() && !node.covers(a.name())) {
                        return Decision.deny("node '" + node + "' cannot modify node '" + a.name() + "'");
                    }
                    return Decision.noOpinion("");
                }
                default -> {
                    return Decision.noOpinion("");
                }
            }
        }
        if (group.equals("coordination.k8s.io") && resource.equals("leases")) {
            // a create names its object in the body, which NodeRestriction admission checks
            boolean create = a.verb().equals("create") && a.name().isEmpty();
            if (!a.namespace().equals("kube-node-lease") || !create && !node.covers(a.name())) {
                return Decision.deny("can only access node lease with the same name as the requesting node");
            }
            return Decision.noOpinion("");
        }
        return Decision.noOpinion("");
    }

    /** A Secret, ConfigMap or claim a pod of this node uses, asked for by name. */
    private Decision referenced(Nodes node, RequestAttributes a) {
        if (!a.verb().equals("get") || a.name().isEmpty()) {
            return Decision.deny("can only get individual resources of this type");
        }
        String kind = switch (a.resource()) {
            case "secrets" -> SECRET;
            case "configmaps" -> CONFIG_MAP;
            default -> CLAIM;
        };
        return related(node, a.namespace(), kind, a.name()) ? Decision.allow("") : noRelationship(node);
    }

    /** A volume bound to a claim that a pod of this node uses, asked for by name (kube's graph: pv -> pvc -> pod -> node). */
    private Decision volume(Nodes node, RequestAttributes a) {
        if (!a.verb().equals("get") || a.name().isEmpty()) {
            return Decision.deny("can only get individual resources of this type");
        }
        JsonNode claimRef = store.get(ResourceTypes.PERSISTENTVOLUMES, "", a.name())
                .map(pv -> pv.path("spec").path("claimRef")).orElse(null);
        return claimRef != null && claimRef.hasNonNull("name") && related(node, claimRef.path("namespace").asText(""),
                CLAIM, claimRef.path("name").asText()) ? Decision.allow("") : noRelationship(node);
    }

    /** Pods are read by every node; changed or deleted only by the node they are bound to. */
    private Decision pod(Nodes node, RequestAttributes a) {
        if (!WRITES.contains(a.verb()) || a.verb().equals("create")) {
            return Decision.noOpinion("");
        }
        if (a.name().isEmpty()) {
            return Decision.deny("node '" + node + "' can only modify pods one by one");
        }
        String boundTo = store.get(ResourceTypes.PODS, a.namespace(), a.name())
                .map(p -> p.path("spec").path("nodeName").asText("")).orElse("");
        return node.covers(boundTo) ? Decision.noOpinion("")
                : Decision.deny("node '" + node + "' can only modify pods with spec.nodeName set to itself");
    }

    /**
     * Whether a pod bound to the node uses the object: asked of the graph, and of the store when the graph does not
     * know it, since a pod bound a moment ago may not have reached the graph yet.
     */
    private boolean related(Nodes node, String namespace, String kind, String name) {
        String reference = kind + "/" + name;
        if (graph.related(node, namespace, reference)) {
            return true;
        }
        for (ObjectNode pod : store.listCommitted(ResourceTypes.PODS, namespace)) {
            if (node.covers(pod.path("spec").path("nodeName").asText()) && references(pod).contains(reference)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a pod refers to, as "kind/name" with the kinds {@code secret}, {@code configMap},
     * {@code persistentVolumeClaim} and {@code serviceAccount}: its volumes (and projected volumes' sources), the env
     * and envFrom references of every container, its image pull secrets and its ServiceAccount.
     */
    static Set<String> references(ObjectNode pod) {
        JsonNode spec = pod.path("spec");
        Set<String> refs = new HashSet<>();
        add(refs, SERVICE_ACCOUNT, spec.path("serviceAccountName"));
        for (JsonNode v : spec.path("volumes")) {
            add(refs, SECRET, v.path(SECRET).path("secretName"));
            add(refs, CONFIG_MAP, v.path(CONFIG_MAP).path("name"));
            add(refs, CLAIM, v.path(CLAIM).path("claimName"));
            for (JsonNode p : v.path("projected").path("sources")) {
                add(refs, SECRET, p.path(SECRET).path("name"));
                add(refs, CONFIG_MAP, p.path(CONFIG_MAP).path("name"));
            }
        }
        for (String containers : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : spec.path(containers)) {
                for (JsonNode e : c.path("env")) {
                    add(refs, SECRET, e.path("valueFrom").path("secretKeyRef").path("name"));
                    add(refs, CONFIG_MAP, e.path("valueFrom").path("configMapKeyRef").path("name"));
                }
                for (JsonNode e : c.path("envFrom")) {
                    add(refs, SECRET, e.path("secretRef").path("name"));
                    add(refs, CONFIG_MAP, e.path("configMapRef").path("name"));
                }
            }
        }
        for (JsonNode s : spec.path("imagePullSecrets")) {
            add(refs, SECRET, s.path("name"));
        }
        return refs;
    }

    private static void add(Set<String> refs, String kind, JsonNode name) {
        if (name.isTextual() && !name.asText().isEmpty()) {
            refs.add(kind + "/" + name.asText());
        }
    }

    /** The node an identity is, or the pool of simulated nodes it runs ({@link UserInfo#SIMULATED_NODE_POOLS}). */
    public record Nodes(String name, boolean pool) {
        /** Whether the user is a node's identity: {@code system:node:NAME} in {@code system:nodes}. */
        public static boolean isNode(UserInfo user) {
            return user.inGroup(UserInfo.NODES) && user.name().startsWith(UserInfo.NODE_PREFIX);
        }

        public static Nodes of(UserInfo user) {
            return new Nodes(user.name().substring(UserInfo.NODE_PREFIX.length()), user.inGroup(UserInfo.SIMULATED_NODE_POOLS));
        }

        public boolean covers(String node) {
            return node.equals(name) || pool && node.startsWith(name + "-")
                    && node.substring(name.length() + 1).chars().allMatch(Character::isDigit) && node.length() > name.length() + 1;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Decision noRelationship(Nodes node) {
        return Decision.deny("no relationship found between node '" + node + "' and this object");
    }
}
