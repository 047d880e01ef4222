package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.or;
import static io.kubus.gateway.table.Cells.text;

/** Nodes (pkg/registry/core/node): registered by their agents, which report their status. */
@Singleton
public class NodeStrategy implements Strategy {
    private static final PatchSchema SCHEMA = PatchSchemas.object(
            PatchSchema.builder().mergePrimitiveList("podCIDRs").build(),
            PatchSchema.builder().mergeList("conditions", "type").mergeList("addresses", "type").build());
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Status", "string", "The status of the node",
            "Roles", "string", "The roles of the node",
            "Age", "string", TablePrinters.AGE,
            "Version", "string", "Kubelet Version reported by the node.",
            "Internal-IP*", "string", "List of addresses reachable to the node.",
            "External-IP*", "string", "List of addresses reachable to the node.",
            "OS-Image*", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
            "Kernel-Version*", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
            "Container-Runtime*", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
            (o, now) -> {
                // only the Ready condition makes the status; a missing one is Unknown
                List<String> status = new ArrayList<>();
                for (JsonNode c : o.path("status").path("conditions")) {
                    if (c.path("type").asText().equals("Ready")) {
                        status.add(c.path("status").asText().equals("True") ? "Ready" : "NotReady");
                        break;
                    }
                }
                if (status.isEmpty()) {
                    status.add("Unknown");
                }
                if (o.path("spec").path("unschedulable").asBoolean(false)) {
                    status.add("SchedulingDisabled");
                }
                return List.of(name(o), String.join(",", status), roles(o), TablePrinters.age(o, now),
                        text(o, "/status/nodeInfo/kubeletVersion"), address(o, "InternalIP"), address(o, "ExternalIP"),
                        or(text(o, "/status/nodeInfo/osImage"), "<unknown>"),
                        or(text(o, "/status/nodeInfo/kernelVersion"), "<unknown>"),
                        or(text(o, "/status/nodeInfo/containerRuntimeVersion"), "<unknown>"));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.NODES;
    }

    /** An agent registers its node with the status it observed, as a kubelet does: the status is kept on create. */
    @Override
    public void prepareForCreate(ObjectNode node, UserInfo creator) {
    }

    /** A node's own agent reports its status. */
    @Override
    public String boundNode(ObjectNode node) {
        return node.path("metadata").path("name").asText("");
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
    }

    @Override
    public Set<String> selectableFields() {
        return Set.of("spec.unschedulable");
    }

    /** Roles come from node-role.kubernetes.io/&lt;role&gt; labels and the older kubernetes.io/role label. */
    private static String roles(ObjectNode node) {
        TreeSet<String> roles = new TreeSet<>();
        node.path("metadata").path("labels").properties().forEach(e -> {
            if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                String role = e.getKey().substring("node-role.kubernetes.io/".length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (e.getKey().equals("kubernetes.io/role") && !e.getValue().asText().isEmpty()) {
                roles.add(e.getValue().asText());
            }
        });
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    private static String address(ObjectNode node, String type) {
        for (JsonNode a : node.path("status").path("addresses")) {
            if (a.path("type").asText().equals(type)) {
                return a.path("address").asText();
            }
        }
        return "<none>";
    }
}
