package io.kubus.gateway.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.registry.ServerMetadata;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.store.WriteResult;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The bootstrap RBAC policy ({@code rbac/bootstrap-policy.yaml}), reconciled at every gateway start as
 * kube-apiserver's rbac/bootstrap-roles post-start hook does it: missing objects are made, existing ones get what
 * they lack ({@link PolicyReconciliation}), through the store like any write.
 */
@Context
@Requires(env = GatewayApplication.ENVIRONMENT)
public class RbacBootstrap {
    static final String POLICY = "rbac/bootstrap-policy.yaml";
    private static final Logger LOG = LoggerFactory.getLogger(RbacBootstrap.class);

    private final ObjectStore store;
    private final Clock clock;

    public RbacBootstrap(ObjectStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @PostConstruct
    void reconcile() {
        JsonNode policy = read();
        for (ObjectNode role : clusterRoles(policy)) {
            write(ResourceTypes.CLUSTERROLES, role, PolicyReconciliation::role);
        }
        for (ObjectNode binding : clusterRoleBindings(policy)) {
            write(ResourceTypes.CLUSTERROLEBINDINGS, binding, PolicyReconciliation::binding);
        }
    }

    private interface Reconcile {
        PolicyReconciliation.Result apply(ObjectNode existing, ObjectNode expected);
    }

    private void write(ResourceType type, ObjectNode expected, Reconcile reconcile) {
        String name = expected.path("metadata").path("name").asText();
        WriteResult result = store.write(type, "", name, current -> {
            if (current == null) {
                return WriteOutcome.put(created(expected));
            }
            PolicyReconciliation.Result r = reconcile.apply(current, expected);
            return switch (r.operation()) {
                case NONE -> WriteOutcome.keep();
                case UPDATE -> {
                    GenericRegistry.bumpGeneration(current, r.object());
                    yield WriteOutcome.put(r.object());
                }
                // a binding to another role is deleted here and made anew below, as kube deletes and creates it
                case RECREATE -> WriteOutcome.remove();
            };
        });
        if (result.change() != null) {
            LOG.info("RBAC bootstrap policy: reconciled {} {}", type.kind(), name);
        }
        if (result.change() == WatchEventType.DELETED) {
            store.write(type, "", name, current -> current != null ? WriteOutcome.keep() : WriteOutcome.put(created(expected)));
        }
    }

    private ObjectNode created(ObjectNode expected) {
        ObjectNode object = expected.deepCopy();
        ObjectNode meta = object.with("metadata");
        ServerMetadata.created(meta, clock);
        return object;
    }

    private static JsonNode read() {
        try (InputStream in = RbacBootstrap.class.getClassLoader().getResourceAsStream(POLICY)) {
            if (in == null) {
                throw new IllegalStateException(POLICY + " is missing from the classpath");
            }
            return KubusJson.yaml().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bootstrap ClusterRoles as stored objects: with kube's bootstrapping label and autoupdate annotation. */
    static List<ObjectNode> clusterRoles(JsonNode policy) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode item : policy.path("clusterRoles")) {
            ObjectNode role = object("ClusterRole", item.path("metadata"));
            if (item.has("rules")) {
                role.set("rules", item.get("rules").deepCopy());
            }
            if (item.has("aggregationRule")) {
                role.set("aggregationRule", item.get("aggregationRule").deepCopy());
            }
            out.add(role);
        }
        return out;
    }

    /** The bootstrap ClusterRoleBindings: to their ClusterRole, groups first, then users (kube's builder order). */
    static List<ObjectNode> clusterRoleBindings(JsonNode policy) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode item : policy.path("clusterRoleBindings")) {
            ObjectNode binding = object("ClusterRoleBinding", item.path("metadata"));
            ObjectNode ref = binding.putObject("roleRef");
            ref.put("apiGroup", ResourceTypes.CLUSTERROLES.group());
            ref.put("kind", "ClusterRole");
            ref.put("name", item.path("role").asText());
            ArrayNode subjects = binding.putArray("subjects");
            item.path("groups").forEach(g -> subject(subjects, "Group", g.asText()));
            item.path("users").forEach(u -> subject(subjects, "User", u.asText()));
            out.add(binding);
        }
        return out;
    }

    private static void subject(ArrayNode subjects, String kind, String name) {
        ObjectNode s = subjects.addObject();
        s.put("apiGroup", ResourceTypes.CLUSTERROLES.group());
        s.put("kind", kind);
        s.put("name", name);
    }

    private static ObjectNode object(String kind, JsonNode metadata) {
        ObjectNode o = KubusJson.json().createObjectNode();
        o.put("apiVersion", ResourceTypes.CLUSTERROLES.apiVersion());
        o.put("kind", kind);
        ObjectNode meta = metadata.deepCopy();
        meta.with("labels").put("kubernetes.io/bootstrapping", "rbac-defaults");
        meta.with("annotations").put(PolicyReconciliation.AUTOUPDATE, "true");
        o.set("metadata", meta);
        return o;
    }
}
