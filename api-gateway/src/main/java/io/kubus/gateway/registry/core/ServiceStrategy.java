package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.config.GatewaySettings;
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
import io.kubus.gateway.auth.UserInfo;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.GoQuote;
import io.kubus.schema.validation.IpAddresses;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.texts;
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
    private static final List<String> AFFINITIES = List.of("ClientIP", "None");
    private static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
    private static final List<String> LOAD_BALANCER_IP_MODES = List.of("Proxy", "VIP");
    /** DefaultClientIPServiceAffinitySeconds and MaxClientIPServiceAffinitySeconds: three hours, and one day. */
    private static final int DEFAULT_AFFINITY_SECONDS = 10800;
    private static final int MAX_AFFINITY_SECONDS = 86400;
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

    /** Addresses random allocation keeps for the system Services that are made later (kube-dns's). */
    private final Set<String> reserved;

    public ServiceStrategy(GatewaySettings settings) {
        String dns = settings.getClusterDnsIp();
        this.reserved = dns == null || dns.isBlank() ? Set.of() : Set.of(dns);
    }

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
        if (JsonTree.text(spec, "sessionAffinity").equals("ClientIP")
                && !spec.path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds").isNumber()) {
            spec.putObject("sessionAffinityConfig").putObject("clientIP").put("timeoutSeconds", DEFAULT_AFFINITY_SECONDS);
        }
        for (ObjectNode p : objects(spec, "ports")) {
            def(p, "protocol", "TCP");
            // an IntOrString's zero values, 0 and "", count as unset
            JsonNode target = p.path("targetPort");
            if ((target.isMissingNode() || target.isNull() || target.asText().equals("0") || target.asText().isEmpty())
                    && p.has("port")) {
                p.set("targetPort", p.get("port").deepCopy());
            }
        }
        // SetDefaults_Service (LoadBalancerIPMode): an ingress IP without a mode is a VIP
        for (ObjectNode ingress : objects(service.path("status").path("loadBalancer"), "ingress")) {
            if (!JsonTree.text(ingress, "ip").isEmpty()) {
                def(ingress, "ipMode", "VIP");
            }
        }
    }

    /** normalizeClusterIPs: a client that sets only clusterIP (kubectl, old clients) asks for that one address. */
    @Override
    public void prepareForCreate(ObjectNode service, UserInfo creator) {
        Strategy.super.prepareForCreate(service, creator);
        if (service.get("spec") instanceof ObjectNode spec && !JsonTree.text(spec, "clusterIP").isEmpty()
                && spec.path("clusterIPs").isEmpty()) {
            spec.putArray("clusterIPs").add(spec.get("clusterIP").asText());
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
        ServiceAddresses.allocate(service, null, store, reserved);
    }

    @Override
    public void beginUpdate(ObjectNode service, ObjectNode old, ObjectStore store) {
        ServiceAddresses.allocate(service, old, store, reserved);
    }

    /** ValidateService, less what the allocators refuse (node port ranges, addresses in use). */
    @Override
    public void validate(ObjectNode service, ErrorList errs) {
        ObjectNode spec = objOrNull(service, "spec");
        if (spec == null) {
            errs.required("spec");
            return;
        }
        String type = JsonTree.text(spec, "type");
        List<ObjectNode> ports = objects(spec, "ports");
        List<String> clusterIps = texts(spec.path("clusterIPs"));
        boolean headless = clusterIps.size() == 1 && clusterIps.getFirst().equals("None");
        if (ports.isEmpty() && !headless && !type.equals("ExternalName")) {
            errs.required("spec.ports");
        }
        switch (type) {
            case "LoadBalancer", "NodePort" -> {
                if (headless) {
                    errs.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for " + type + " services");
                }
            }
            case "ExternalName" -> {
                for (String field : List.of("clusterIPs", "ipFamilies")) {
                    if (!spec.path(field).isEmpty()) {
                        errs.forbidden("spec." + field, "may not be set for ExternalName services");
                    }
                }
                if (spec.hasNonNull("ipFamilyPolicy")) {
                    errs.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services");
                }
                // a CNAME may end in a dot to say it is fully qualified
                String cname = JsonTree.text(spec, "externalName");
                cname = cname.endsWith(".") ? cname.substring(0, cname.length() - 1) : cname;
                if (cname.isEmpty()) {
                    errs.required("spec.externalName");
                } else {
                    errs.invalidEach("spec.externalName", cname, Names.dns1123Subdomain(cname));
                }
            }
            default -> {
            }
        }
        ports(ports, type, errs);
        ObjectMetaValidation.labels(objOrNull(spec, "selector"), "spec.selector", errs);
        sessionAffinity(spec, errs);
        clusterIps(spec, type, clusterIps, errs);
        loadBalancerStatus(objects(service.path("status").path("loadBalancer"), "ingress"), errs);
        if (type.isEmpty()) {
            errs.required("spec.type");
        } else if (!TYPES.contains(type)) {
            errs.notSupported("spec.type", type, TYPES);
        }
        trafficPolicies(spec, type, errs);
    }

    /** validateServicePort for each port, and the duplicate checks of ValidateService. */
    private static void ports(List<ObjectNode> ports, String type, ErrorList errs) {
        Set<String> names = new HashSet<>();
        Set<String> nodePorts = new HashSet<>();
        Set<String> numbers = new HashSet<>();
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
            if (protocol.isEmpty()) {
                errs.required(p + ".protocol");
            } else if (!PodSpecValidation.PROTOCOLS.contains(protocol)) {
                errs.notSupported(p + ".protocol", protocol, PodSpecValidation.PROTOCOLS);
            }
            JsonNode target = port.path("targetPort");
            errs.portNumberOrName(p + ".targetPort", target.isNumber() ? (Object) target.asLong() : target.asText());
            long nodePort = port.path("nodePort").asLong(0);
            if (nodePort != 0) {
                if (type.equals("ClusterIP")) {
                    errs.forbidden(p + ".nodePort", "may not be used when `type` is 'ClusterIP'");
                }
                if (!nodePorts.add(protocol + "/" + nodePort)) {
                    errs.duplicate(p + ".nodePort", nodePort);
                }
            }
            if (!numbers.add(protocol + "/" + number)) {
                // kube-apiserver prints the key it compares, a ServicePort of only protocol and port
                errs.duplicate(p, new ErrorList.GoValue("core.ServicePort{Name:\"\", Protocol:" + GoQuote.quote(protocol)
                        + ", AppProtocol:(*string)(nil), Port:" + number + ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
                        + "StrVal:\"\"}, NodePort:0}"));
            }
        }
    }

    /** validateClientIPAffinityConfig, and no config without ClientIP affinity. */
    private static void sessionAffinity(ObjectNode spec, ErrorList errs) {
        String affinity = JsonTree.text(spec, "sessionAffinity");
        if (affinity.isEmpty()) {
            errs.required("spec.sessionAffinity");
        } else if (!AFFINITIES.contains(affinity)) {
            errs.notSupported("spec.sessionAffinity", affinity, AFFINITIES);
        }
        JsonNode config = spec.get("sessionAffinityConfig");
        String path = "spec.sessionAffinityConfig";
        if (affinity.equals("ClientIP")) {
            String detail = "when session affinity type is ClientIP";
            JsonNode timeout = config == null ? null : config.path("clientIP").get("timeoutSeconds");
            if (config == null || config.isNull()) {
                errs.required(path, detail);
            } else if (!config.path("clientIP").isObject()) {
                errs.required(path + ".clientIP", detail);
            } else if (timeout == null || timeout.isNull()) {
                errs.required(path + ".clientIP.timeoutSeconds", detail);
            } else if (timeout.asLong() <= 0 || timeout.asLong() > MAX_AFFINITY_SECONDS) {
                errs.invalid(path + ".clientIP.timeoutSeconds", timeout.asLong(),
                        "must be greater than 0 and less than " + MAX_AFFINITY_SECONDS);
            }
        } else if (affinity.equals("None") && config != null && !config.isNull()) {
            errs.forbidden(path, "must not be set when session affinity is None");
        }
    }

    /** ValidateServiceClusterIPsRelatedFields, for the one family (IPv4) this cluster serves. */
    private static void clusterIps(ObjectNode spec, String type, List<String> clusterIps, ErrorList errs) {
        if (type.equals("ExternalName")) {
            return;
        }
        ErrorList.GoValue all = new ErrorList.GoValue(GoQuote.stringSlice(clusterIps));
        if (!JsonTree.text(spec, "clusterIP").isEmpty()) {
            if (clusterIps.isEmpty()) {
                errs.required("spec.clusterIPs");
            } else if (!clusterIps.getFirst().equals(JsonTree.text(spec, "clusterIP"))) {
                errs.invalid("spec.clusterIPs", all, "first value must match `clusterIP`");
            }
        } else if (!clusterIps.isEmpty()) {
            errs.invalid("spec.clusterIPs", all, "must be empty when `clusterIP` is not specified");
        }
        for (int i = 0; i < clusterIps.size(); i++) {
            String ip = clusterIps.get(i);
            if (i == 0 && ip.equals("None")) {
                if (clusterIps.size() > 1) {
                    errs.invalid("spec.clusterIPs", all, "'None' must be the first and only value");
                }
                continue;
            }
            errs.addAll(IpAddresses.ip("spec.clusterIPs[" + i + "]", ip));
        }
        if (clusterIps.size() > 2) {
            errs.invalid("spec.clusterIPs", all, "may only hold up to 2 values");
        }
    }

    /**
     * validateServiceExternalTrafficPolicy and validateServiceInternalTrafficFieldsValue: only a Service reachable
     * from outside (NodePort, LoadBalancer, or with external IPs) has an external policy, and a health check node
     * port only where LoadBalancer meets Local.
     */
    private static void trafficPolicies(ObjectNode spec, String type, ErrorList errs) {
        boolean external = type.equals("NodePort") || type.equals("LoadBalancer")
                || type.equals("ClusterIP") && !spec.path("externalIPs").isEmpty();
        String policy = JsonTree.text(spec, "externalTrafficPolicy");
        if (!external) {
            if (!policy.isEmpty()) {
                errs.invalid("spec.externalTrafficPolicy", policy, "may only be set for externally-accessible services");
            }
        } else if (policy.isEmpty()) {
            errs.required("spec.externalTrafficPolicy");
        } else if (!TRAFFIC_POLICIES.contains(policy)) {
            errs.notSupported("spec.externalTrafficPolicy", policy, TRAFFIC_POLICIES);
        }
        long healthCheck = spec.path("healthCheckNodePort").asLong(0);
        if (!(type.equals("LoadBalancer") && policy.equals("Local"))) {
            if (healthCheck != 0) {
                errs.invalid("spec.healthCheckNodePort", healthCheck,
                        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
            }
        } else if (healthCheck != 0) {
            errs.invalidEach("spec.healthCheckNodePort", healthCheck, Names.portNumber(healthCheck));
        }
        String internal = JsonTree.text(spec, "internalTrafficPolicy");
        if (internal.isEmpty()) {
            if (!type.equals("ExternalName")) {
                errs.required("spec.internalTrafficPolicy");
            }
        } else if (!TRAFFIC_POLICIES.contains(internal)) {
            errs.notSupported("spec.internalTrafficPolicy", internal, TRAFFIC_POLICIES);
        }
    }

    /**
     * The cluster IP is allocated once. An update that omits it keeps the allocated one (as the apiserver's
     * patchAllocatedValues does, so a PUT of the original manifest works); one that changes it is refused. What only
     * the old type needed (node ports, the cluster IP of a Service turned ExternalName, an external traffic policy)
     * goes when the update left it as it was (dropTypeDependentFields), so changing the type alone is enough.
     */
    @Override
    public void prepareForUpdate(ObjectNode service, ObjectNode old) {
        Strategy.super.prepareForUpdate(service, old);
        if (!(service.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        JsonNode oldSpec = old.path("spec");
        String type = JsonTree.text(spec, "type");
        boolean nodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
        // normalizeClusterIPs: a new clusterIP beside the old clusterIPs is a client that sets only the singular
        if (!JsonTree.text(spec, "clusterIP").isEmpty() && !spec.path("clusterIP").equals(oldSpec.path("clusterIP"))
                && (absent(spec, "clusterIPs") || spec.path("clusterIPs").equals(oldSpec.path("clusterIPs")))) {
            spec.putArray("clusterIPs").add(JsonTree.text(spec, "clusterIP"));
        }
        for (String field : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")) {
            if (type.equals("ExternalName")) {
                if (spec.path(field).equals(oldSpec.path(field))) {
                    spec.remove(field);
                }
            } else if (absent(spec, field) && oldSpec.has(field)) {
                spec.set(field, oldSpec.get(field).deepCopy());
            }
        }
        for (ObjectNode port : objects(spec, "ports")) {
            for (JsonNode was : oldSpec.path("ports")) {
                if (was.path("port").asLong() != port.path("port").asLong() || !was.has("nodePort")) {
                    continue;
                }
                if (nodePorts && absent(port, "nodePort")) {
                    port.set("nodePort", was.get("nodePort").deepCopy());
                } else if (!nodePorts && port.path("nodePort").equals(was.get("nodePort"))) {
                    port.remove("nodePort");
                }
            }
        }
        if (!type.equals("LoadBalancer") && spec.path("healthCheckNodePort").equals(oldSpec.path("healthCheckNodePort"))) {
            spec.remove("healthCheckNodePort");
        }
        if (!nodePorts && spec.path("externalIPs").isEmpty()
                && spec.path("externalTrafficPolicy").equals(oldSpec.path("externalTrafficPolicy"))) {
            spec.remove("externalTrafficPolicy");
        }
    }

    /**
     * ValidateLoadBalancerStatus: what a load balancer (Kubus's service-lb controller, or the user's) writes into
     * status: an IP, or a host name that is not one, and an ipMode only beside an IP.
     */
    private static void loadBalancerStatus(List<ObjectNode> ingress, ErrorList errs) {
        for (int i = 0; i < ingress.size(); i++) {
            String p = "status.loadBalancer.ingress[" + i + "]";
            String ip = JsonTree.text(ingress.get(i), "ip");
            String hostname = JsonTree.text(ingress.get(i), "hostname");
            if (!ip.isEmpty()) {
                errs.addAll(IpAddresses.ip(p + ".ip", ip));
            }
            if (!hostname.isEmpty()) {
                errs.invalidEach(p + ".hostname", hostname, Names.dns1123Subdomain(hostname));
                if (IpAddresses.isIp(hostname)) {
                    errs.invalid(p + ".hostname", hostname, "must be a DNS name, not an IP address");
                }
            }
            String ipMode = JsonTree.text(ingress.get(i), "ipMode");
            if (!ipMode.isEmpty()) {
                if (ip.isEmpty()) {
                    errs.forbidden(p + ".ipMode", "may not be specified when `ip` is not");
                } else if (!LOAD_BALANCER_IP_MODES.contains(ipMode)) {
                    errs.notSupported(p + ".ipMode", ipMode, LOAD_BALANCER_IP_MODES);
                }
            }
        }
    }

    /** validateUpgradeDowngradeClusterIPs, single-stack: the allocated cluster IP stays (unless to or from ExternalName). */
    @Override
    public void validateUpdate(ObjectNode service, ObjectNode old, ErrorList errs) {
        if (JsonTree.text(service.path("spec"), "type").equals("ExternalName")
                || JsonTree.text(old.path("spec"), "type").equals("ExternalName")) {
            return;
        }
        List<String> before = texts(old.path("spec").path("clusterIPs"));
        List<String> after = texts(service.path("spec").path("clusterIPs"));
        if (!before.isEmpty() && (after.isEmpty() || !after.getFirst().equals(before.getFirst()))) {
            errs.invalid("spec.clusterIPs[0]", new ErrorList.GoValue(GoQuote.stringSlice(after)),
                    after.isEmpty() ? "primary clusterIP can not be unset" : "may not change once set");
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
