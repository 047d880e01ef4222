package io.kubus.gateway.registry.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ObjectMetaValidation;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.IpAddresses;
import io.kubus.schema.validation.Names;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.absent;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.table.Cells.name;

/**
 * EndpointSlices (pkg/registry/discovery/endpointslice, ValidateEndpointSlice): the endpointslice controller (in
 * workload-controllers) writes those of Services with a selector, the gateway the kubernetes Service's.
 */
@Singleton
public class EndpointSliceStrategy implements Strategy {
    private static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");
    private static final int MAX_ENDPOINTS = 1000;
    private static final int MAX_ADDRESSES = 100;
    private static final int MAX_PORTS = 100;
    private static final int MAX_TOPOLOGY_LABELS = 16;
    private static final int MAX_ZONE_HINTS = 8;
    /** Shown past the first three ports or addresses, as "+ N more...". */
    private static final int SHOWN = 3;
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice. All addresses "
                    + "in this slice must be the same type. This field is immutable after creation.",
            "Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice.",
            "Endpoints", "string", "endpoints is a list of unique endpoints in this slice.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), o.path("addressType").asText(""), ports(o.path("ports")),
                    addresses(o.path("endpoints")), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.ENDPOINTSLICES;
    }

    /** SetDefaults_EndpointPort: a port without a name has the name "", one without a protocol is TCP. */
    @Override
    public void defaults(ObjectNode slice) {
        for (ObjectNode port : objects(slice, "ports")) {
            if (absent(port, "name")) {
                port.put("name", "");
            }
            if (absent(port, "protocol")) {
                port.put("protocol", "TCP");
            }
        }
    }

    @Override
    public void validate(ObjectNode slice, ErrorList errs) {
        String addressType = JsonTree.text(slice, "addressType");
        if (addressType.isEmpty()) {
            errs.required("addressType");
        } else if (!ADDRESS_TYPES.contains(addressType)) {
            errs.notSupported("addressType", addressType, ADDRESS_TYPES);
        }
        endpoints(objects(slice, "endpoints"), addressType, errs);
        ports(objects(slice, "ports"), errs);
    }

    /** An address type fixes what every address in the slice is. */
    @Override
    public void validateUpdate(ObjectNode slice, ObjectNode old, ErrorList errs) {
        String addressType = JsonTree.text(slice, "addressType");
        if (!addressType.equals(JsonTree.text(old, "addressType"))) {
            errs.invalid("addressType", addressType, "field is immutable");
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    private static void endpoints(List<ObjectNode> endpoints, String addressType, ErrorList errs) {
        if (endpoints.size() > MAX_ENDPOINTS) {
            errs.tooMany("endpoints", endpoints.size(), MAX_ENDPOINTS);
            return;
        }
        for (int i = 0; i < endpoints.size(); i++) {
            ObjectNode endpoint = endpoints.get(i);
            String path = "endpoints[" + i + "]";
            JsonNode addresses = endpoint.path("addresses");
            if (addresses.isEmpty()) {
                errs.required(path + ".addresses", "must contain at least 1 address");
            } else if (addresses.size() > MAX_ADDRESSES) {
                errs.tooMany(path + ".addresses", addresses.size(), MAX_ADDRESSES);
            }
            for (int a = 0; a < addresses.size(); a++) {
                String address = addresses.get(a).asText();
                String addressPath = path + ".addresses[" + a + "]";
                // an unknown address type was refused above; its addresses are not checked
                switch (addressType) {
                    case "IPv4" -> {
                        errs.addAll(IpAddresses.ipv4(addressPath, address));
                        errs.addAll(IpAddresses.endpointIp(addressPath, address));
                    }
                    case "IPv6" -> {
                        errs.addAll(IpAddresses.ipv6(addressPath, address));
                        errs.addAll(IpAddresses.endpointIp(addressPath, address));
                    }
                    case "FQDN" -> errs.addAll(Names.fullyQualifiedDomainName(addressPath, address));
                    default -> {
                    }
                }
            }
            JsonNode nodeName = endpoint.get("nodeName");
            if (nodeName != null && !nodeName.isNull()) {
                errs.invalidEach(path + ".nodeName", nodeName.asText(), Names.dns1123Subdomain(nodeName.asText()));
            }
            ObjectNode topology = objOrNull(endpoint, "deprecatedTopology");
            if (topology != null && topology.size() > MAX_TOPOLOGY_LABELS) {
                errs.tooMany(path + ".deprecatedTopology", topology.size(), MAX_TOPOLOGY_LABELS);
            }
            ObjectMetaValidation.labels(topology, path + ".deprecatedTopology", errs);
            JsonNode hostname = endpoint.get("hostname");
            if (hostname != null && !hostname.isNull()) {
                errs.invalidEach(path + ".hostname", hostname.asText(), Names.dns1123Label(hostname.asText()));
            }
            ObjectNode hints = objOrNull(endpoint, "hints");
            if (hints != null) {
                zoneHints(objects(hints, "forZones"), path + ".hints.forZones", errs);
            }
        }
    }

    /** validateHints: at most 8 distinct zones, each a label value. */
    private static void zoneHints(List<ObjectNode> zones, String path, ErrorList errs) {
        if (zones.size() > MAX_ZONE_HINTS) {
            errs.tooMany(path, zones.size(), MAX_ZONE_HINTS);
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < zones.size(); i++) {
            String zone = JsonTree.text(zones.get(i), "name");
            String zonePath = path + "[" + i + "].name";
            if (!names.add(zone)) {
                errs.duplicate(zonePath, zone);
            }
            errs.invalidEach(zonePath, zone, Names.labelValue(zone));
        }
    }

    /** validatePorts: at most 100, names unique DNS labels (or ""), a known protocol, a qualified appProtocol. */
    private static void ports(List<ObjectNode> ports, ErrorList errs) {
        if (ports.size() > MAX_PORTS) {
            errs.tooMany("ports", ports.size(), MAX_PORTS);
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ObjectNode port = ports.get(i);
            String path = "ports[" + i + "]";
            String name = JsonTree.text(port, "name");
            if (!name.isEmpty()) {
                errs.invalidEach(path + ".name", name, Names.dns1123Label(name));
            }
            if (!names.add(name)) {
                errs.duplicate(path + ".name", name);
            }
            String protocol = JsonTree.text(port, "protocol");
            if (!PodSpecValidation.PROTOCOLS.contains(protocol)) {
                errs.notSupported(path + ".protocol", protocol, PodSpecValidation.PROTOCOLS);
            }
            JsonNode appProtocol = port.get("appProtocol");
            if (appProtocol != null && !appProtocol.isNull()) {
                errs.invalidEach(path + ".appProtocol", appProtocol.asText(), Names.qualifiedName(appProtocol.asText()));
            }
        }
    }

    /** formatDiscoveryPorts: the first three port numbers (or names, or "*"), then "+ N more...". */
    private static String ports(JsonNode ports) {
        List<String> list = new ArrayList<>();
        for (JsonNode port : ports) {
            if (list.size() < SHOWN) {
                list.add(port.hasNonNull("port") ? String.valueOf(port.get("port").asLong())
                        : port.hasNonNull("name") ? port.get("name").asText() : "*");
            }
        }
        return withMore(list, ports.size());
    }

    /** formatDiscoveryEndpoints: the first three addresses over all endpoints, then "+ N more...". */
    private static String addresses(JsonNode endpoints) {
        List<String> list = new ArrayList<>();
        int count = 0;
        for (JsonNode endpoint : endpoints) {
            for (JsonNode address : endpoint.path("addresses")) {
                if (list.size() < SHOWN) {
                    list.add(address.asText());
                }
                count++;
            }
        }
        return withMore(list, count);
    }

    /** listWithMoreString: {@code <unset>} for an empty list. */
    private static String withMore(List<String> list, int count) {
        String joined = String.join(",", list);
        if (count > SHOWN) {
            return joined + " + " + (count - SHOWN) + " more...";
        }
        return joined.isEmpty() ? "<unset>" : joined;
    }
}
