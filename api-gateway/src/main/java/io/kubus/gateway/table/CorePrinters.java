package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.kubus.gateway.table.Cells.accessModes;
import static io.kubus.gateway.table.Cells.labels;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.or;
import static io.kubus.gateway.table.Cells.since;
import static io.kubus.gateway.table.Cells.text;
import static io.kubus.gateway.table.KindPrinter.columns;
import static io.kubus.gateway.table.TablePrinters.age;

/** Columns and cells of the core/v1 kinds other than pods, after pkg/printers/internalversion/printers.go. */
final class CorePrinters {
    private static final String AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";

    private CorePrinters() {
    }

    static TablePrinter namespaces() {
        return new KindPrinter(columns("Status", "string", "The status of the namespace", "Age", "string", AGE),
                (o, now) -> List.of(name(o), text(o, "/status/phase"), age(o, now)));
    }

    static TablePrinter nodes() {
        return new KindPrinter(columns(
                "Status", "string", "The status of the node",
                "Roles", "string", "The roles of the node",
                "Age", "string", AGE,
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
                    return List.of(name(o), String.join(",", status), roles(o), age(o, now),
                            text(o, "/status/nodeInfo/kubeletVersion"), address(o, "InternalIP"), address(o, "ExternalIP"),
                            or(text(o, "/status/nodeInfo/osImage"), "<unknown>"),
                            or(text(o, "/status/nodeInfo/kernelVersion"), "<unknown>"),
                            or(text(o, "/status/nodeInfo/containerRuntimeVersion"), "<unknown>"));
                });
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

    static TablePrinter events() {
        List<TableColumn> cols = List.of(
                TableColumn.of("Last Seen", "string", 0, "The last time that the event was recorded."),
                TableColumn.of("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
                TableColumn.of("Reason", "string", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
                TableColumn.of("Object", "string", 0, "The object that this event is about."),
                TableColumn.of("Subobject", "string", 1, "The field of the object the event is about, e.g. spec.containers{name}."),
                TableColumn.of("Source", "string", 1, "The component reporting this event. Should be a short machine understandable string."),
                TableColumn.of("Message", "string", 0, "A human-readable description of the status of this operation."),
                TableColumn.of("First Seen", "string", 1, "The time at which the event was first recorded."),
                TableColumn.of("Count", "string", 1, "The number of times this event has occurred."),
                new TableColumn("Name", "string", "name", 1, "Name must be unique within a namespace."));
        return new KindPrinter(cols, (o, now) -> {
            String first = text(o, "/firstTimestamp").isEmpty() ? since(text(o, "/eventTime"), now)
                    : since(text(o, "/firstTimestamp"), now);
            String last = text(o, "/lastTimestamp").isEmpty() ? first : since(text(o, "/lastTimestamp"), now);
            long count = o.path("count").asLong(0);
            if (o.path("series").isObject()) {
                last = since(text(o, "/series/lastObservedTime"), now);
                count = o.path("series").path("count").asLong(0);
            } else if (count == 0) {
                count = 1;
            }
            String kind = text(o, "/involvedObject/kind").toLowerCase(java.util.Locale.ROOT);
            String involved = text(o, "/involvedObject/name");
            String target = involved.isEmpty() ? kind : kind + "/" + involved;
            String component = or(text(o, "/source/component"), text(o, "/reportingComponent"));
            String instance = or(text(o, "/source/host"), text(o, "/reportingInstance"));
            String source = component.isEmpty() ? "<unknown>" : instance.isEmpty() ? component : component + ", " + instance;
            return List.of(last, text(o, "/type"), text(o, "/reason"), target, text(o, "/involvedObject/fieldPath"), source,
                    text(o, "/message").strip(), first, count, name(o));
        });
    }

    static TablePrinter services() {
        return new KindPrinter(columns(
                "Type", "string", "The type of the service.",
                "Cluster-IP", "string", "The cluster IP of the service.",
                "External-IP", "string", "The external IP of the service.",
                "Port(s)", "string", "The ports of the service.",
                "Age", "string", AGE,
                "Selector*", "string", "Route service traffic to pods with label keys and values matching this selector."),
                (o, now) -> {
                    JsonNode spec = o.path("spec");
                    String clusterIp = or(text(spec, "/clusterIPs/0"), or(text(spec, "/clusterIP"), "<none>"));
                    List<String> ports = new ArrayList<>();
                    for (JsonNode p : spec.path("ports")) {
                        long nodePort = p.path("nodePort").asLong(0);
                        ports.add(p.path("port").asLong() + (nodePort > 0 ? ":" + nodePort : "") + "/" + p.path("protocol").asText());
                    }
                    return List.of(name(o), text(spec, "/type"), clusterIp, externalIp(o), or(String.join(",", ports), "<none>"),
                            age(o, now), labels(spec.path("selector")));
                });
    }

    /** getServiceExternalIP, as the server computes it (wide: load balancer addresses are not truncated). */
    private static String externalIp(ObjectNode svc) {
        JsonNode spec = svc.path("spec");
        List<String> externalIps = new ArrayList<>();
        spec.path("externalIPs").forEach(ip -> externalIps.add(ip.asText()));
        switch (text(spec, "/type")) {
            case "ClusterIP", "NodePort" -> {
                return externalIps.isEmpty() ? "<none>" : String.join(",", externalIps);
            }
            case "LoadBalancer" -> {
                List<String> result = new ArrayList<>();
                for (JsonNode ingress : svc.path("status").path("loadBalancer").path("ingress")) {
                    String ip = or(ingress.path("ip").asText(""), ingress.path("hostname").asText(""));
                    if (!ip.isEmpty()) {
                        result.add(ip);
                    }
                }
                result.addAll(externalIps);
                return result.isEmpty() ? "<pending>" : String.join(",", result);
            }
            case "ExternalName" -> {
                return text(spec, "/externalName");
            }
            default -> {
                return "<unknown>";
            }
        }
    }

    static TablePrinter endpoints() {
        return new KindPrinter(columns("Endpoints", "string", "Endpoints of the service", "Age", "string", AGE),
                (o, now) -> List.of(name(o), formatEndpoints(o), age(o, now)));
    }

    /** formatEndpoints: up to three ip:port pairs, then "+ N more...". */
    private static String formatEndpoints(ObjectNode endpoints) {
        final int max = 3;
        List<String> list = new ArrayList<>();
        int count = 0;
        boolean more = false;
        for (JsonNode subset : endpoints.path("subsets")) {
            JsonNode addresses = subset.path("addresses");
            if (subset.path("ports").isEmpty()) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    list.add(a.path("ip").asText());
                }
                continue;
            }
            for (JsonNode port : subset.path("ports")) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    String ip = a.path("ip").asText();
                    list.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port.path("port").asLong());
                }
            }
        }
        String joined = String.join(",", list);
        if (more) {
            return joined + " + " + (count - max) + " more...";
        }
        return or(joined, "<none>");
    }

    static TablePrinter secrets() {
        return new KindPrinter(columns("Type", "string", "The type of the secret", "Data", "string",
                        "The number of entries in the secret", "Age", "string", AGE),
                (o, now) -> List.of(name(o), text(o, "/type"), (long) o.path("data").size(), age(o, now)));
    }

    static TablePrinter configMaps() {
        return new KindPrinter(columns("Data", "string", "Number of data in the configmap", "Age", "string", AGE),
                (o, now) -> List.of(name(o), (long) (o.path("data").size() + o.path("binaryData").size()), age(o, now)));
    }

    static TablePrinter persistentVolumeClaims() {
        return new KindPrinter(columns(
                "Status", "string", "Phase represents the current phase of PersistentVolumeClaim.",
                "Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim.",
                "Capacity", "string", "capacity represents the actual resources of the underlying volume.",
                "Access Modes", "string", "accessModes contains the desired access modes the volume should have.",
                "StorageClass", "string", "storageClassName is the name of the StorageClass required by the claim.",
                "VolumeAttributesClass", "string", "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.",
                "Age", "string", AGE,
                "VolumeMode*", "string", "volumeMode defines what type of volume is required by the claim."),
                (o, now) -> {
                    String phase = Cells.deleting(o) ? "Terminating" : text(o, "/status/phase");
                    String volume = text(o, "/spec/volumeName");
                    // capacity and modes are the bound volume's, so they stay empty until the claim is bound
                    String capacity = volume.isEmpty() ? "" : text(o, "/status/capacity/storage");
                    String modes = volume.isEmpty() ? "" : accessModes(o.path("status").path("accessModes"));
                    return List.of(name(o), phase, volume, capacity, modes, Cells.storageClass(o),
                            or(text(o, "/spec/volumeAttributesClassName"), "<unset>"), age(o, now),
                            or(text(o, "/spec/volumeMode"), "<unset>"));
                });
    }

    static TablePrinter persistentVolumes() {
        return new KindPrinter(columns(
                "Capacity", "string", "capacity is the description of the persistent volume's resources and capacity.",
                "Access Modes", "string", "accessModes contains all ways the volume can be mounted.",
                "Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
                "Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim.",
                "Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
                "StorageClass", "string", "storageClassName is the name of StorageClass to which this persistent volume belongs.",
                "VolumeAttributesClass", "string", "Name of VolumeAttributesClass to which this persistent volume belongs.",
                "Reason", "string", "reason is a brief CamelCase string that describes any failure.",
                "Age", "string", AGE,
                "VolumeMode*", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state."),
                (o, now) -> {
                    JsonNode claim = o.path("spec").path("claimRef");
                    String claimCell = claim.isObject() ? text(claim, "/namespace") + "/" + text(claim, "/name") : "";
                    return List.of(name(o), or(text(o, "/spec/capacity/storage"), "0"), accessModes(o.path("spec").path("accessModes")),
                            text(o, "/spec/persistentVolumeReclaimPolicy"),
                            Cells.deleting(o) ? "Terminating" : text(o, "/status/phase"), claimCell, Cells.storageClass(o),
                            or(text(o, "/spec/volumeAttributesClassName"), "<unset>"), text(o, "/status/reason"), age(o, now),
                            or(text(o, "/spec/volumeMode"), "<unset>"));
                });
    }
}
