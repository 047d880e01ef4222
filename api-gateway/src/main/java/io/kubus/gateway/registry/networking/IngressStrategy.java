package io.kubus.gateway.registry.networking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.IpAddresses;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.or;
import static io.kubus.gateway.table.Cells.text;

/** Ingresses (pkg/registry/networking/ingress, pkg/apis/networking/validation ValidateIngressCreate/Update). */
@Singleton
public class IngressStrategy implements Strategy {
    static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";
    private static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");
    private static final List<String> INVALID_PATH_SEQUENCES = List.of("//", "/./", "/../", "%2f", "%2F");
    private static final List<String> INVALID_PATH_SUFFIXES = List.of("/..", "/.");
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Class", "string", "The name of the IngressClass resource that should be used for additional configuration",
            "Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule",
            "Address", "string", "Address is a list containing ingress points for the load-balancer",
            "Ports", "string", "Ports of TLS configurations that open",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), or(text(o, "/spec/ingressClassName"), "<none>"), hosts(o.path("spec").path("rules")),
                    address(o.path("status").path("loadBalancer")), o.path("spec").path("tls").isEmpty() ? "80" : "80, 443",
                    TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.INGRESSES;
    }

    @Override
    public ObjectNode emptyStatus() {
        ObjectNode status = JsonTree.F.objectNode();
        status.putObject("loadBalancer");
        return status;
    }

    @Override
    public void validate(ObjectNode ingress, ErrorList errs) {
        ObjectNode spec = objOrNull(ingress, "spec");
        List<ObjectNode> rules = objects(spec, "rules");
        ObjectNode defaultBackend = objOrNull(spec, "defaultBackend");
        if (rules.isEmpty() && defaultBackend == null) {
            errs.invalid("spec", new GoValue("[]networking.IngressRule(nil)"), "either `defaultBackend` or `rules` must be specified");
        }
        if (defaultBackend != null) {
            backend(defaultBackend, "spec.defaultBackend", errs);
        }
        for (int i = 0; i < rules.size(); i++) {
            rule(rules.get(i), "spec.rules[" + i + "]", errs);
        }
        List<ObjectNode> tls = objects(spec, "tls");
        for (int i = 0; i < tls.size(); i++) {
            String path = "spec.tls[" + i + "]";
            JsonNode hosts = tls.get(i).path("hosts");
            for (int h = 0; h < hosts.size(); h++) {
                String host = hosts.get(h).asText();
                errs.invalidEach(path + ".hosts[" + h + "]", host, hostRule(host));
            }
            String secret = JsonTree.text(tls.get(i), "secretName");
            if (!secret.isEmpty()) {
                errs.invalidEach(path + ".secretName", secret, Names.dns1123Subdomain(secret));
            }
        }
        if (spec != null && spec.has("ingressClassName") && !spec.get("ingressClassName").isNull()) {
            String className = spec.get("ingressClassName").asText();
            errs.invalidEach("spec.ingressClassName", className, Names.dns1123Subdomain(className));
        }
    }

    /** The deprecated class annotation may not contradict ingressClassName on a new Ingress. */
    @Override
    public void validateCreate(ObjectNode ingress, ErrorList errs) {
        JsonNode annotation = ingress.path("metadata").path("annotations").get(CLASS_ANNOTATION);
        JsonNode className = ingress.path("spec").get("ingressClassName");
        if (annotation != null && className != null && !className.isNull() && !annotation.asText().equals(className.asText())) {
            errs.invalid("annotations." + CLASS_ANNOTATION, annotation.asText(), "must match `ingressClassName` when both are specified");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** A wildcard host must be "*." and a subdomain; any other host a subdomain. */
    private static List<String> hostRule(String host) {
        return host.contains("*") ? Names.wildcardDns1123Subdomain(host) : Names.dns1123Subdomain(host);
    }

    private static void rule(ObjectNode rule, String path, ErrorList errs) {
        String host = JsonTree.text(rule, "host");
        if (!host.isEmpty()) {
            if (IpAddresses.isIp(host)) {
                errs.invalid(path + ".host", host, "must be a DNS name, not an IP address");
            }
            errs.invalidEach(path + ".host", host, hostRule(host));
        }
        ObjectNode http = objOrNull(rule, "http");
        if (http == null) {
            return;
        }
        List<ObjectNode> paths = objects(http, "paths");
        if (paths.isEmpty()) {
            errs.required(path + ".http.paths");
        }
        for (int i = 0; i < paths.size(); i++) {
            httpPath(paths.get(i), path + ".http.paths[" + i + "]", errs);
        }
    }

    private static void httpPath(ObjectNode httpPath, String path, ErrorList errs) {
        JsonNode pathType = httpPath.get("pathType");
        if (pathType == null || pathType.isNull()) {
            errs.required(path + ".pathType", "pathType must be specified");
            return;
        }
        String value = JsonTree.text(httpPath, "path");
        switch (pathType.asText()) {
            case "Exact", "Prefix" -> {
                if (!value.startsWith("/")) {
                    errs.invalid(path + ".path", value, "must be an absolute path");
                }
                for (String sequence : INVALID_PATH_SEQUENCES) {
                    if (value.contains(sequence)) {
                        errs.invalid(path + ".path", value, "must not contain '" + sequence + "'");
                    }
                }
                for (String suffix : INVALID_PATH_SUFFIXES) {
                    if (value.endsWith(suffix)) {
                        errs.invalid(path + ".path", value, "cannot end with '" + suffix + "'");
                    }
                }
            }
            case "ImplementationSpecific" -> {
                if (!value.isEmpty() && !value.startsWith("/")) {
                    errs.invalid(path + ".path", value, "must be an absolute path");
                }
            }
            default -> errs.notSupported(path + ".pathType", pathType.asText(), PATH_TYPES);
        }
        ObjectNode backend = objOrNull(httpPath, "backend");
        backend(backend == null ? JsonTree.F.objectNode() : backend, path + ".backend", errs);
    }

    /** validateIngressBackend: a Service (by name, and port by number or name) or a typed resource, not both. */
    private static void backend(ObjectNode backend, String path, ErrorList errs) {
        ObjectNode resource = objOrNull(backend, "resource");
        ObjectNode service = objOrNull(backend, "service");
        if (resource != null && service != null) {
            errs.invalid(path, "", "cannot set both resource and service backends");
        } else if (resource != null) {
            typedReference(resource, path + ".resource", errs);
        } else if (service != null) {
            String name = JsonTree.text(service, "name");
            if (name.isEmpty()) {
                errs.required(path + ".service.name");
            } else {
                errs.invalidEach(path + ".service.name", name, Names.dns1035Label(name));
            }
            String portName = service.path("port").path("name").asText("");
            long portNumber = service.path("port").path("number").asLong(0);
            if (!portName.isEmpty() && portNumber != 0) {
                errs.invalid(path, "", "cannot set both port name & port number");
            } else if (!portName.isEmpty()) {
                errs.invalidEach(path + ".service.port.name", portName, Names.portName(portName));
            } else if (portNumber != 0) {
                errs.invalidEach(path + ".service.port.number", portNumber, Names.portNumber(portNumber));
            } else {
                errs.required(path, "port name or number is required");
            }
        } else {
            errs.invalid(path, "", "resource or service backend is required");
        }
    }

    /** validateIngressTypedLocalObjectReference: an optional API group, a kind and a name that fit in a URL path. */
    static void typedReference(ObjectNode reference, String path, ErrorList errs) {
        JsonNode apiGroup = reference.get("apiGroup");
        if (apiGroup != null && !apiGroup.isNull()) {
            errs.invalidEach(path + ".apiGroup", apiGroup.asText(), Names.dns1123Subdomain(apiGroup.asText()));
        }
        for (String field : List.of("kind", "name")) {
            String value = JsonTree.text(reference, field);
            if (value.isEmpty()) {
                errs.required(path + "." + field, field + " is required");
            } else {
                errs.invalidEach(path + "." + field, value, Names.pathSegmentName(value));
            }
        }
    }

    /** formatHosts: up to three hosts, then "+ N more..." counted over all rules; "*" when none names a host. */
    private static String hosts(JsonNode rules) {
        final int max = 3;
        List<String> list = new ArrayList<>();
        boolean more = false;
        for (JsonNode rule : rules) {
            if (list.size() == max) {
                more = true;
            }
            String host = rule.path("host").asText("");
            if (!more && !host.isEmpty()) {
                list.add(host);
            }
        }
        if (list.isEmpty()) {
            return "*";
        }
        String joined = String.join(",", list);
        return more ? joined + " + " + (rules.size() - max) + " more..." : joined;
    }

    /**
     * ingressLoadBalancerStatusStringer: the sorted, distinct IPs or hostnames; never clipped, since kube-apiserver
     * builds every Table as for -o wide.
     */
    private static String address(JsonNode loadBalancer) {
        TreeSet<String> result = new TreeSet<>();
        for (JsonNode ingress : loadBalancer.path("ingress")) {
            String ip = ingress.path("ip").asText("");
            String hostname = ingress.path("hostname").asText("");
            if (!ip.isEmpty()) {
                result.add(ip);
            } else if (!hostname.isEmpty()) {
                result.add(hostname);
            }
        }
        return String.join(",", result);
    }
}
