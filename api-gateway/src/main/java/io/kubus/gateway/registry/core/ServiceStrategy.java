package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ObjectMetaValidation;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.absent;
import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.table.Cells.labels;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.or;
import static io.kubus.gateway.table.Cells.text;

/** Services (pkg/registry/core/service): a cluster IP and node ports allocated once, on create. */
@Singleton
public class ServiceStrategy implements Strategy {
    private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final PatchSchema SCHEMA = PatchSchemas.object(
            PatchSchema.builder().mergeList("ports", "port").build(), PatchSchemas.CONDITIONS_STATUS);
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Type", "string", "The type of the service.",
            "Cluster-IP", "string", "The cluster IP of the service.",
            "External-IP", "string", "The external IP of the service.",
            "Port(s)", "string", "The ports of the service.",
            "Age", "string", TablePrinters.AGE,
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
                        TablePrinters.age(o, now), labels(spec.path("selector")));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.SERVICES;
    }

    /** A Service's name becomes a DNS label that must start with a letter. */
    @Override
    public List<String> validateName(String name) {
        return Names.dns1035Label(name);
    }

    @Override
    public void defaults(ObjectNode service) {
        ObjectNode spec = obj(service, "spec");
        def(spec, "type", "ClusterIP");
        def(spec, "sessionAffinity", "None");
        String type = JsonTree.text(spec, "type");
        if (!type.equals("ExternalName")) {
            def(spec, "internalTrafficPolicy", "Cluster");
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            def(spec, "externalTrafficPolicy", "Cluster");
        }
        for (ObjectNode p : objects(spec, "ports")) {
            def(p, "protocol", "TCP");
            if (absent(p, "targetPort") && p.has("port")) {
                p.set("targetPort", p.get("port").deepCopy());
            }
        }
    }

    @Override
    public ObjectNode emptyStatus() {
        ObjectNode status = JsonTree.F.objectNode();
        status.putObject("loadBalancer");
        return status;
    }

    @Override
    public void beginCreate(ObjectNode service, ObjectStore store) {
        ServiceAddresses.assign(service, service.path("metadata").path("name").asText(), store);
    }

    @Override
    public void validate(ObjectNode service, ErrorList errs) {
        ObjectNode spec = objOrNull(service, "spec");
        if (spec == null) {
            errs.required("spec");
            return;
        }
        String type = JsonTree.text(spec, "type");
        if (!TYPES.contains(type)) {
            errs.notSupported("spec.type", type, TYPES);
        }
        List<ObjectNode> ports = objects(spec, "ports");
        boolean headless = JsonTree.text(spec, "clusterIP").equals("None");
        if (type.equals("ExternalName")) {
            String external = JsonTree.text(spec, "externalName");
            if (external.isEmpty()) {
                errs.required("spec.externalName");
            } else {
                errs.invalidEach("spec.externalName", external, Names.dns1123Subdomain(external));
            }
        } else if (ports.isEmpty() && !headless) {
            errs.required("spec.ports");
        }
        String affinity = JsonTree.text(spec, "sessionAffinity");
        if (!affinity.isEmpty() && !List.of("ClientIP", "None").contains(affinity)) {
            errs.notSupported("spec.sessionAffinity", affinity, List.of("ClientIP", "None"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ObjectNode port = ports.get(i);
            String p = "spec.ports[" + i + "]";
            String name = JsonTree.text(port, "name");
            if (name.isEmpty()) {
                if (ports.size() > 1) {
                    errs.required(p + ".name");
                }
            } else {
                errs.uniqueLabel(p + ".name", name, names);
            }
            long number = port.path("port").asLong(0);
            errs.invalidEach(p + ".port", number, Names.portNumber(number));
            String protocol = JsonTree.text(port, "protocol");
            if (!PodSpecValidation.PROTOCOLS.contains(protocol)) {
                errs.notSupported(p + ".protocol", protocol, PodSpecValidation.PROTOCOLS);
            }
            JsonNode target = port.get("targetPort");
            if (target != null && target.isNumber()) {
                errs.invalidEach(p + ".targetPort", target.asLong(), Names.portNumber(target.asLong()));
            } else if (target != null && target.isTextual()) {
                errs.invalidEach(p + ".targetPort", target.asText(), Names.portName(target.asText()));
            }
            JsonNode nodePort = port.get("nodePort");
            if (nodePort != null && nodePort.asLong() != 0) {
                if (type.equals("ClusterIP") || type.equals("ExternalName")) {
                    errs.forbidden(p + ".nodePort", "may not be used when `type` is '" + type + "'");
                } else {
                    errs.invalidEach(p + ".nodePort", nodePort.asLong(), Names.portNumber(nodePort.asLong()));
                }
            }
        }
        ObjectMetaValidation.labels(objOrNull(spec, "selector"), "spec.selector", errs);
    }

    /**
     * The cluster IP is allocated once. An update that omits it keeps the allocated one (as the apiserver's
     * patchAllocatedValues does, so a PUT of the original manifest works); one that changes it is refused.
     */
    @Override
    public void prepareForUpdate(ObjectNode service, ObjectNode old) {
        Strategy.super.prepareForUpdate(service, old);
        if (!(service.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        JsonNode oldSpec = old.path("spec");
        for (String field : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")) {
            if (absent(spec, field) && oldSpec.has(field)) {
                spec.set(field, oldSpec.get(field).deepCopy());
            }
        }
        for (ObjectNode port : objects(spec, "ports")) {
            if (absent(port, "nodePort")) {
                for (JsonNode was : oldSpec.path("ports")) {
                    if (was.path("port").asLong() == port.path("port").asLong() && was.has("nodePort")) {
                        port.set("nodePort", was.get("nodePort").deepCopy());
                    }
                }
            }
        }
    }

    @Override
    public void validateUpdate(ObjectNode service, ObjectNode old, ErrorList errs) {
        String before = old.path("spec").path("clusterIP").asText("");
        String after = service.path("spec").path("clusterIP").asText("");
        String type = service.path("spec").path("type").asText("");
        // ExternalName services have no cluster IP, so switching to one may drop it
        if (!before.isEmpty() && !before.equals(after) && !type.equals("ExternalName")) {
            errs.invalid("spec.clusterIP", after, "field is immutable");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
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

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}
