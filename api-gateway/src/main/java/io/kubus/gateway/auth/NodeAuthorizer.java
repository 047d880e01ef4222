package io.kubus.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Order;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a node agent's identity ({@code system:node:NAME} in {@code system:nodes}) may touch, as kube-apiserver's Node
 * authorizer and NodeRestriction admission decide it together: the Secrets, ConfigMaps and PersistentVolumeClaims
 * that pods bound to the node use, one by one (no lists); the ServiceAccount tokens of those pods; its own Node and
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

    private final ObjectStore store;

    public NodeAuthorizer(ObjectStore store) {
        this.store = store;
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
                        return podsOn(node, a.namespace(), pod -> a.name().equals(pod.path("spec").path("serviceAccountName").asText()))
                                ? Decision.allow("") : noRelationship(node);
                    }
                    return Decision.noOpinion("");
                }
                case "pods" -> {
                    return pod(node, a);
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
        String field = switch (a.resource()) {
            case "secrets" -> "secret";
            case "configmaps" -> "configMap";
            default -> "persistentVolumeClaim";
        };
        return podsOn(node, a.namespace(), pod -> uses(pod, field, a.name())) ? Decision.allow("") : noRelationship(node);
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

    private boolean podsOn(Nodes node, String namespace, Predicate<ObjectNode> test) {
        for (ObjectNode pod : store.listCommitted(ResourceTypes.PODS, namespace)) {
            if (node.covers(pod.path("spec").path("nodeName").asText()) && test.test(pod)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the pod refers to the object: a volume (or a projected volume's source), an env or envFrom reference
     * of any container, or an image pull secret.
     */
    static boolean uses(ObjectNode pod, String field, String name) {
        JsonNode spec = pod.path("spec");
        for (JsonNode v : spec.path("volumes")) {
            JsonNode source = v.path(field);
            if (name.equals(source.path(field.equals("secret") ? "secretName" : field.equals("configMap") ? "name" : "claimName").asText())) {
                return true;
            }
            for (JsonNode p : v.path("projected").path("sources")) {
                if (name.equals(p.path(field).path("name").asText())) {
                    return true;
                }
            }
        }
        if (field.equals("persistentVolumeClaim")) {
            return false;
        }
        String keyRef = field.equals("secret") ? "secretKeyRef" : "configMapKeyRef";
        String fromRef = field.equals("secret") ? "secretRef" : "configMapRef";
        for (String containers : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : spec.path(containers)) {
                for (JsonNode e : c.path("env")) {
                    if (name.equals(e.path("valueFrom").path(keyRef).path("name").asText())) {
                        return true;
                    }
                }
                for (JsonNode e : c.path("envFrom")) {
                    if (name.equals(e.path(fromRef).path("name").asText())) {
                        return true;
                    }
                }
            }
        }
        if (field.equals("secret")) {
            for (JsonNode s : spec.path("imagePullSecrets")) {
                if (name.equals(s.path("name").asText())) {
                    return true;
                }
            }
        }
        return false;
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
