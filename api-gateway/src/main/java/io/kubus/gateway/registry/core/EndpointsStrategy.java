package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;
import io.kubus.schema.validation.IpAddresses;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.or;

/** Endpoints (pkg/registry/core/endpoint). */
@Singleton
public class EndpointsStrategy implements Strategy {
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns("Endpoints", "string",
            "Endpoints of the service", "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), formatEndpoints(o), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.ENDPOINTS;
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** SetDefaults_EndpointPort: a port without a protocol is TCP. */
    @Override
    public void defaults(ObjectNode endpoints) {
        for (ObjectNode subset : objects(endpoints, "subsets")) {
            for (ObjectNode port : objects(subset, "ports")) {
                if (JsonTree.text(port, "protocol").isEmpty()) {
                    port.put("protocol", "TCP");
                }
            }
        }
    }

    /**
     * ValidateEndpoints: every subset has an address; each address an IP that is neither unspecified, loopback nor
     * link-local (the gateway and the nodes would proxy to themselves), a DNS label for a hostname and a subdomain
     * for a node name; ports numbered 1-65535 with a known protocol, named (DNS labels) when there are several.
     */
    @Override
    public void validate(ObjectNode endpoints, ErrorList errs) {
        List<ObjectNode> subsets = objects(endpoints, "subsets");
        for (int i = 0; i < subsets.size(); i++) {
            ObjectNode subset = subsets.get(i);
            String path = "subsets[" + i + "]";
            if (subset.path("addresses").isEmpty() && subset.path("notReadyAddresses").isEmpty()) {
                errs.required(path, "must specify `addresses` or `notReadyAddresses`");
            }
            for (String field : List.of("addresses", "notReadyAddresses")) {
                List<ObjectNode> addresses = objects(subset, field);
                for (int a = 0; a < addresses.size(); a++) {
                    address(addresses.get(a), path + "." + field + "[" + a + "]", errs);
                }
            }
            List<ObjectNode> ports = objects(subset, "ports");
            for (int p = 0; p < ports.size(); p++) {
                port(ports.get(p), ports.size() > 1, path + ".ports[" + p + "]", errs);
            }
        }
    }

    private static void address(ObjectNode address, String path, ErrorList errs) {
        String ip = JsonTree.text(address, "ip");
        List<FieldProblem> invalid = IpAddresses.ip(path + ".ip", ip);
        errs.addAll(invalid.isEmpty() ? IpAddresses.endpointIp(path + ".ip", ip) : invalid);
        String hostname = JsonTree.text(address, "hostname");
        if (!hostname.isEmpty()) {
            errs.invalidEach(path + ".hostname", hostname, Names.dns1123Label(hostname));
        }
        String nodeName = JsonTree.text(address, "nodeName");
        if (!nodeName.isEmpty()) {
            errs.invalidEach(path + ".nodeName", nodeName, Names.dns1123Subdomain(nodeName));
        }
    }

    private static void port(ObjectNode port, boolean named, String path, ErrorList errs) {
        String name = JsonTree.text(port, "name");
        if (name.isEmpty() && named) {
            errs.required(path + ".name");
        } else if (!name.isEmpty()) {
            errs.invalidEach(path + ".name", name, Names.dns1123Label(name));
        }
        long number = port.path("port").asLong();
        errs.invalidEach(path + ".port", number, Names.portNumber(number));
        String protocol = JsonTree.text(port, "protocol");
        if (!PodSpecValidation.PROTOCOLS.contains(protocol)) {
            errs.notSupported(path + ".protocol", protocol, PodSpecValidation.PROTOCOLS);
        }
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

}
