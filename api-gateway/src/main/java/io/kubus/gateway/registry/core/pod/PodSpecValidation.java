package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.ObjectMetaValidation;
import io.kubus.gateway.registry.core.ResourceNames;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.GoQuote;
import io.kubus.schema.validation.IpAddresses;
import io.kubus.schema.validation.Names;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.texts;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.registry.JsonTree.text;

/** ValidatePodSpec and ValidatePodTemplateSpec, for pods and every kind that embeds a pod template. */
public final class PodSpecValidation {
    public static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    public static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    private static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    /** MaxDNSNameservers, MaxDNSSearchPaths, MaxDNSSearchListChars. */
    private static final int MAX_DNS_NAMESERVERS = 3;
    private static final int MAX_DNS_SEARCH_PATHS = 32;
    private static final int MAX_DNS_SEARCH_LIST_CHARS = 2048;
    private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    private static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    private static final List<String> TOLERATION_OPERATORS = List.of("Equal", "Exists");

    private PodSpecValidation() {
    }

    /** A template's labels and its pod spec; {@code template} is at {@code path} (e.g. spec.template). */
    public static void template(@Nullable ObjectNode template, String path, List<String> restartPolicies, ErrorList errs) {
        if (template == null) {
            errs.required(path);
            return;
        }
        ObjectMetaValidation.labelsAndAnnotations(objOrNull(template, "metadata"), path + ".metadata", errs);
        spec(objOrNull(template, "spec"), path + ".spec", restartPolicies, errs);
    }

    public static void spec(@Nullable ObjectNode spec, String path, List<String> restartPolicies, ErrorList errs) {
        if (spec == null) {
            errs.required(path);
            return;
        }
        Set<String> volumes = volumes(spec, path, errs);
        List<ObjectNode> containers = objects(spec, "containers");
        if (containers.isEmpty()) {
            errs.required(path + ".containers");
        }
        Set<String> names = new HashSet<>();
        containers(objects(spec, "initContainers"), path + ".initContainers", volumes, names, errs);
        containers(containers, path + ".containers", volumes, names, errs);

        String restart = text(spec, "restartPolicy");
        if (restart.isEmpty()) {
            errs.required(path + ".restartPolicy", restartPolicies.size() < RESTART_POLICIES.size()
                    ? "valid values: " + String.join(", ", restartPolicies.stream().map(ErrorList::show).toList()) : "");
        } else if (!restartPolicies.contains(restart)) {
            errs.notSupported(path + ".restartPolicy", restart, restartPolicies);
        }
        String dns = text(spec, "dnsPolicy");
        if (dns.isEmpty()) {
            errs.required(path + ".dnsPolicy");
        } else if (!DNS_POLICIES.contains(dns)) {
            errs.notSupported(path + ".dnsPolicy", dns, DNS_POLICIES);
        }
        dnsConfig(objOrNull(spec, "dnsConfig"), dns, path + ".dnsConfig", errs);
        nonNegative(spec, "terminationGracePeriodSeconds", path, errs);
        tolerations(objects(spec, "tolerations"), path + ".tolerations", errs);
        JsonNode deadline = spec.get("activeDeadlineSeconds");
        if (deadline != null && deadline.isNumber() && deadline.asLong() <= 0) {
            errs.invalid(path + ".activeDeadlineSeconds", deadline.asLong(), "must be between 1 and 2147483647, inclusive");
        }
        // the pod's DNS name is <hostname>.<subdomain>.<namespace>.svc.<cluster domain>: each part one label
        for (String field : List.of("hostname", "subdomain")) {
            String value = text(spec, field);
            if (!value.isEmpty()) {
                errs.invalidEach(path + "." + field, value, Names.dns1123Label(value));
            }
        }
        hostAliases(objects(spec, "hostAliases"), path + ".hostAliases", errs);
    }

    /**
     * validatePodDNSConfig: the limits of the resolv.conf the kubelet writes from it (libc reads at most 3
     * nameservers), and None, which takes everything from it, needs a nameserver.
     */
    private static void dnsConfig(@Nullable ObjectNode config, String policy, String path, ErrorList errs) {
        if (policy.equals("None")) {
            if (config == null) {
                errs.required(path, "must provide `dnsConfig` when `dnsPolicy` is None");
                return;
            }
            if (config.path("nameservers").isEmpty()) {
                errs.required(path + ".nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None");
                return;
            }
        }
        if (config == null) {
            return;
        }
        List<String> nameservers = texts(config.path("nameservers"));
        if (nameservers.size() > MAX_DNS_NAMESERVERS) {
            errs.invalid(path + ".nameservers", new ErrorList.GoValue(GoQuote.stringSlice(nameservers)),
                    "must not have more than " + MAX_DNS_NAMESERVERS + " nameservers");
        }
        for (int i = 0; i < nameservers.size(); i++) {
            errs.addAll(IpAddresses.ip(path + ".nameservers[" + i + "]", nameservers.get(i)));
        }
        List<String> searches = texts(config.path("searches"));
        ErrorList.GoValue all = new ErrorList.GoValue(GoQuote.stringSlice(searches));
        if (searches.size() > MAX_DNS_SEARCH_PATHS) {
            errs.invalid(path + ".searches", all, "must not have more than " + MAX_DNS_SEARCH_PATHS + " search paths");
        }
        if (String.join(" ", searches).length() > MAX_DNS_SEARCH_LIST_CHARS) {
            errs.invalid(path + ".searches", all, "must not have more than " + MAX_DNS_SEARCH_LIST_CHARS
                    + " characters (including spaces) in the search list");
        }
        for (int i = 0; i < searches.size(); i++) {
            // a search domain may end in a dot
            String search = searches.get(i).endsWith(".") ? searches.get(i).substring(0, searches.get(i).length() - 1)
                    : searches.get(i);
            errs.invalidEach(path + ".searches[" + i + "]", search, Names.dns1123Subdomain(search));
        }
        List<ObjectNode> options = objects(config, "options");
        for (int i = 0; i < options.size(); i++) {
            if (text(options.get(i), "name").isEmpty()) {
                errs.required(path + ".options[" + i + "]", "must not be empty");
            }
        }
    }

    /** ValidateHostAliases: each becomes an /etc/hosts line, an address and the names it answers to. */
    private static void hostAliases(List<ObjectNode> aliases, String path, ErrorList errs) {
        for (int i = 0; i < aliases.size(); i++) {
            String p = path + "[" + i + "]";
            errs.addAll(IpAddresses.ip(p + ".ip", text(aliases.get(i), "ip")));
            List<String> hostnames = texts(aliases.get(i).path("hostnames"));
            for (int j = 0; j < hostnames.size(); j++) {
                errs.invalidEach(p + ".hostnames[" + j + "]", hostnames.get(j), Names.dns1123Subdomain(hostnames.get(j)));
            }
        }
    }

    private static Set<String> volumes(ObjectNode spec, String path, ErrorList errs) {
        Set<String> names = new HashSet<>();
        List<ObjectNode> volumes = objects(spec, "volumes");
        for (int i = 0; i < volumes.size(); i++) {
            ObjectNode v = volumes.get(i);
            String p = path + ".volumes[" + i + "]";
            String name = text(v, "name");
            if (name.isEmpty()) {
                errs.required(p + ".name");
            } else {
                errs.invalidEach(p + ".name", name, Names.dns1123Label(name));
                if (!names.add(name)) {
                    errs.duplicate(p + ".name", name);
                }
            }
            List<String> sources = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (!e.getKey().equals("name") && !e.getValue().isNull()) {
                    sources.add(e.getKey());
                }
            }
            if (sources.isEmpty()) {
                errs.required(p, "must specify a volume type");
            } else if (sources.size() > 1) {
                errs.forbidden(p + "." + sources.get(1), "may not specify more than 1 volume type");
            }
        }
        return names;
    }

    private static void containers(List<ObjectNode> containers, String path, Set<String> volumes, Set<String> allNames,
                                   ErrorList errs) {
        for (int i = 0; i < containers.size(); i++) {
            ObjectNode c = containers.get(i);
            String p = path + "[" + i + "]";
            String name = text(c, "name");
            if (name.isEmpty()) {
                errs.required(p + ".name");
            } else {
                // names are unique across init and regular containers: logs and exec address them by name
                errs.uniqueLabel(p + ".name", name, allNames);
            }
            if (text(c, "image").isBlank()) {
                errs.required(p + ".image");
            }
            String pull = text(c, "imagePullPolicy");
            if (!pull.isEmpty() && !PULL_POLICIES.contains(pull)) {
                errs.notSupported(p + ".imagePullPolicy", pull, PULL_POLICIES);
            }
            ports(objects(c, "ports"), p + ".ports", errs);
            env(objects(c, "env"), p + ".env", errs);
            resources(objOrNull(c, "resources"), p + ".resources", errs);
            List<ObjectNode> mounts = objects(c, "volumeMounts");
            for (int m = 0; m < mounts.size(); m++) {
                String mp = p + ".volumeMounts[" + m + "]";
                String vol = text(mounts.get(m), "name");
                if (vol.isEmpty()) {
                    errs.required(mp + ".name");
                } else if (!volumes.contains(vol)) {
                    errs.notFound(mp + ".name", vol);
                }
                if (text(mounts.get(m), "mountPath").isEmpty()) {
                    errs.required(mp + ".mountPath");
                }
            }
        }
    }

    /** ValidateTolerations: the node lifecycle and the taint eviction rely on well-formed keys, effects and seconds. */
    private static void tolerations(List<ObjectNode> tolerations, String path, ErrorList errs) {
        for (int i = 0; i < tolerations.size(); i++) {
            ObjectNode t = tolerations.get(i);
            String p = path + "[" + i + "]";
            String key = text(t, "key");
            String operator = text(t, "operator");
            String value = text(t, "value");
            String effect = text(t, "effect");
            if (!key.isEmpty()) {
                errs.invalidEach(p + ".key", key, Names.qualifiedName(key));
            } else if (!operator.equals("Exists")) {
                errs.invalid(p + ".operator", operator,
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
            }
            if (t.hasNonNull("tolerationSeconds") && !effect.equals("NoExecute")) {
                errs.invalid(p + ".effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set");
            }
            switch (operator) {
                case "", "Equal" -> {
                    errs.invalidEach(p + ".operator", value, Names.labelValue(value));
                }
                case "Exists" -> {
                    if (!value.isEmpty()) {
                        errs.invalid(p + ".operator", value, "value must be empty when `operator` is 'Exists'");
                    }
                }
                default -> errs.notSupported(p + ".operator", operator, TOLERATION_OPERATORS);
            }
            if (!effect.isEmpty() && !TAINT_EFFECTS.contains(effect)) {
                errs.notSupported(p + ".effect", effect, TAINT_EFFECTS);
            }
        }
    }

    private static void ports(List<ObjectNode> ports, String path, ErrorList errs) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ObjectNode port = ports.get(i);
            String p = path + "[" + i + "]";
            String name = text(port, "name");
            if (!name.isEmpty()) {
                errs.invalidEach(p + ".name", name, Names.portName(name));
                if (!names.add(name)) {
                    errs.duplicate(p + ".name", name);
                }
            }
            long containerPort = port.path("containerPort").asLong(0);
            if (containerPort == 0) {
                errs.required(p + ".containerPort");
            } else if (containerPort < 1 || containerPort > 65535) {
                errs.invalid(p + ".containerPort", containerPort, "must be between 1 and 65535, inclusive");
            }
            long hostPort = port.path("hostPort").asLong(0);
            if (hostPort != 0 && (hostPort < 1 || hostPort > 65535)) {
                errs.invalid(p + ".hostPort", hostPort, "must be between 1 and 65535, inclusive");
            }
            String protocol = text(port, "protocol");
            if (protocol.isEmpty()) {
                errs.required(p + ".protocol");
            } else if (!PROTOCOLS.contains(protocol)) {
                errs.notSupported(p + ".protocol", protocol, PROTOCOLS);
            }
        }
    }

    private static void env(List<ObjectNode> env, String path, ErrorList errs) {
        for (int i = 0; i < env.size(); i++) {
            String p = path + "[" + i + "]";
            String name = text(env.get(i), "name");
            if (name.isEmpty()) {
                errs.required(p + ".name");
            }
            errs.invalidEach(p + ".name", name, Names.envVarName(name));
            ObjectNode from = objOrNull(env.get(i), "valueFrom");
            if (from != null && !text(env.get(i), "value").isEmpty()) {
                errs.invalid(p + ".valueFrom", "", "may not be specified when `value` is not empty");
            }
        }
    }

    private static void resources(@Nullable ObjectNode resources, String path, ErrorList errs) {
        if (resources == null) {
            return;
        }
        ObjectNode limits = objOrNull(resources, "limits");
        ObjectNode requests = objOrNull(resources, "requests");
        quantities(limits, path + ".limits", errs);
        quantities(requests, path + ".requests", errs);
        if (limits == null || requests == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> r : requests.properties()) {
            JsonNode lim = limits.get(r.getKey());
            if (lim == null) {
                continue;
            }
            ResourceQuantity request = ResourceNames.quantity(r.getValue().asText());
            ResourceQuantity limit = ResourceNames.quantity(lim.asText());
            if (request != null && limit != null && request.compareTo(limit) > 0) {
                errs.invalid(path + ".requests[" + r.getKey() + "]", r.getValue().asText(),
                        "must be less than or equal to " + r.getKey() + " limit of " + lim.asText());
            }
        }
    }

    private static void quantities(@Nullable ObjectNode list, String path, ErrorList errs) {
        if (list == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : list.properties()) {
            ResourceNames.quantityValue(e.getKey(), e.getValue().asText(), path + "[" + e.getKey() + "]", errs);
        }
    }

    /** ValidateNonnegativeField of {@code spec.field}, when the field is present. */
    public static void nonNegative(ObjectNode spec, String field, String path, ErrorList errs) {
        JsonNode v = spec.get(field);
        if (v != null && v.isNumber()) {
            errs.nonNegative(path + "." + field, v.asLong());
        }
    }
}
