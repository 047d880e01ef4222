package io.kubus.gateway.registry.networking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.LabelSelectors;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.Cells;
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

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static io.kubus.gateway.registry.JsonTree.absent;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.table.Cells.name;

/**
 * NetworkPolicies (pkg/registry/networking/networkpolicy, ValidateNetworkPolicy): stored and served; Kubus does not
 * enforce them.
 */
@Singleton
public class NetworkPolicyStrategy implements Strategy {
    private static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");
    private static final List<String> POLICY_TYPES = List.of("Ingress", "Egress");
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Pod-Selector", "string", "Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules "
                    + "is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  "
                    + "In this case, the ingress rules for each are combined additively. This field is NOT optional and follows "
                    + "standard label selector semantics. An empty podSelector matches all pods in this namespace.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), Cells.formatSelector(o.path("spec").path("podSelector")), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.NETWORKPOLICIES;
    }

    /** A policy that names no policyTypes is an Ingress policy, and an Egress one too when it has egress rules. */
    @Override
    public void defaults(ObjectNode policy) {
        ObjectNode spec = obj(policy, "spec");
        if (JsonTree.isEmpty(spec.get("policyTypes"))) {
            ArrayNode types = spec.putArray("policyTypes").add("Ingress");
            if (!JsonTree.isEmpty(spec.get("egress"))) {
                types.add("Egress");
            }
        }
        for (String direction : List.of("ingress", "egress")) {
            for (ObjectNode rule : objects(spec, direction)) {
                for (ObjectNode port : objects(rule, "ports")) {
                    if (absent(port, "protocol")) {
                        port.put("protocol", "TCP");
                    }
                }
            }
        }
    }

    @Override
    public void validate(ObjectNode policy, ErrorList errs) {
        ObjectNode spec = objOrNull(policy, "spec");
        ObjectNode podSelector = objOrNull(spec, "podSelector");
        errs.addAll(LabelSelectors.validate(podSelector, "spec.podSelector"));
        for (String[] direction : new String[][] {{"ingress", "from"}, {"egress", "to"}}) {
            List<ObjectNode> rules = objects(spec, direction[0]);
            for (int i = 0; i < rules.size(); i++) {
                String path = "spec." + direction[0] + "[" + i + "]";
                List<ObjectNode> ports = objects(rules.get(i), "ports");
                for (int p = 0; p < ports.size(); p++) {
                    port(ports.get(p), path + ".ports[" + p + "]", errs);
                }
                List<ObjectNode> peers = objects(rules.get(i), direction[1]);
                for (int p = 0; p < peers.size(); p++) {
                    peer(peers.get(p), path + "." + direction[1] + "[" + p + "]", errs);
                }
            }
        }
        JsonNode types = policy.path("spec").path("policyTypes");
        if (types.size() > POLICY_TYPES.size()) {
            String shown = types.valueStream().map(t -> ErrorList.show(t.asText())).collect(Collectors.joining(", "));
            errs.invalid("spec.policyTypes", new GoValue("[]networking.PolicyType{" + shown + "}"),
                    "may not specify more than two policyTypes");
            return;
        }
        for (int i = 0; i < types.size(); i++) {
            if (!POLICY_TYPES.contains(types.get(i).asText())) {
                errs.notSupported("spec.policyTypes[" + i + "]", types.get(i).asText(), POLICY_TYPES);
            }
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    /** ValidateNetworkPolicyPort: a protocol, a port number or name, and an endPort only after a numeric port. */
    private static void port(ObjectNode port, String path, ErrorList errs) {
        JsonNode protocol = port.get("protocol");
        if (protocol != null && !protocol.isNull() && !PROTOCOLS.contains(protocol.asText())) {
            errs.notSupported(path + ".protocol", protocol.asText(), PROTOCOLS);
        }
        JsonNode number = port.get("port");
        JsonNode endPort = port.get("endPort");
        boolean hasEnd = endPort != null && !endPort.isNull();
        if (number == null || number.isNull()) {
            if (hasEnd) {
                errs.invalid(path + ".endPort", endPort.asLong(), "may not be specified when `port` is not specified");
            }
        } else if (number.isNumber()) {
            errs.invalidEach(path + ".port", number.asLong(), Names.portNumber(number.asLong()));
            if (hasEnd) {
                if (endPort.asLong() < number.asLong()) {
                    // Kubernetes 1.32 shows the port, not the endPort, as the value at fault
                    errs.invalid(path + ".endPort", number.asLong(), "must be greater than or equal to `port`");
                }
                errs.invalidEach(path + ".endPort", endPort.asLong(), Names.portNumber(endPort.asLong()));
            }
        } else {
            if (hasEnd) {
                errs.invalid(path + ".endPort", endPort.asLong(), "may not be specified when `port` is non-numeric");
            }
            errs.invalidEach(path + ".port", number.asText(), Names.portName(number.asText()));
        }
    }

    /** ValidateNetworkPolicyPeer: selectors, or an ipBlock alone. */
    private static void peer(ObjectNode peer, String path, ErrorList errs) {
        int peers = 0;
        for (String selector : List.of("podSelector", "namespaceSelector")) {
            ObjectNode s = objOrNull(peer, selector);
            if (s != null) {
                peers++;
                errs.addAll(LabelSelectors.validate(s, path + "." + selector));
            }
        }
        ObjectNode ipBlock = objOrNull(peer, "ipBlock");
        if (ipBlock != null) {
            peers++;
            ipBlock(ipBlock, path + ".ipBlock", errs);
        }
        if (peers == 0) {
            errs.required(path, "must specify a peer");
        } else if (peers > 1 && ipBlock != null) {
            errs.forbidden(path, "may not specify both ipBlock and another peer");
        }
    }

    /** ValidateIPBlock: a CIDR, and exceptions that are strict subsets of it. */
    private static void ipBlock(ObjectNode ipBlock, String path, ErrorList errs) {
        String cidr = JsonTree.text(ipBlock, "cidr");
        if (cidr.isEmpty()) {
            errs.required(path + ".cidr");
            return;
        }
        errs.addAll(IpAddresses.cidr(path + ".cidr", cidr));
        Optional<IpAddresses.Cidr> block = IpAddresses.parseCidr(cidr);
        if (block.isEmpty()) {
            return;
        }
        JsonNode except = ipBlock.path("except");
        for (int i = 0; i < except.size(); i++) {
            String exceptPath = path + ".except[" + i + "]";
            String text = except.get(i).asText();
            errs.addAll(IpAddresses.cidr(exceptPath, text));
            Optional<IpAddresses.Cidr> excepted = IpAddresses.parseCidr(text);
            if (excepted.isPresent() && (!block.get().contains(excepted.get().network())
                    || block.get().ones() >= excepted.get().ones())) {
                errs.invalid(exceptPath, text, "must be a strict subset of `cidr`");
            }
        }
    }
}
