package io.kubus.gateway.admission.podsecurity;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.validation.GoQuote;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static io.kubus.gateway.registry.JsonTree.texts;

/**
 * The Pod Security Standards' checks as Kubernetes 1.32 has them (k8s.io/pod-security-admission/policy), over a pod's
 * metadata and spec as JSON, with kube's reasons and details word for word. Each check keeps the versions it had:
 * a {@code v1.N} policy runs the checks as they were in 1.N (allowPrivilegeEscalation from 1.8, seccomp fields
 * from 1.19 and annotations before, capabilities drop ALL from 1.22, runAsUser from 1.23, Windows pods exempt
 * from three restricted checks from 1.25, the SELinux type container_engine_t from 1.31, more safe sysctls in 1.27,
 * 1.29 and 1.32). Not modelled: the relaxation of runAsNonRoot, runAsUser and procMount for pods in a user namespace,
 * which kube gates behind UserNamespacesPodSecurityStandards (off by default in 1.32).
 */
@Singleton
public class PodSecurityChecks {
    /** What one check found wrong: its reason, always shown, and its detail, shown in parentheses when not empty. */
    public record Violation(String reason, String detail) {
    }

    @FunctionalInterface
    private interface CheckFn {
        @Nullable Violation check(PolicyVersion version, JsonNode meta, JsonNode spec);
    }

    /**
     * One check: its level, the version it came in, and the baseline check it replaces at the restricted level.
     */
    private record Check(String id, Level level, int since, @Nullable String overrides, CheckFn fn) {
    }

    private static final Set<String> DEFAULT_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
            "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    private static final Set<String> SELINUX_TYPES = Set.of("", "container_t", "container_init_t", "container_kvm_t");
    /** The sysctls each version allows beyond the earlier ones', by the version they came in. */
    private static final Map<Integer, Set<String>> SAFE_SYSCTLS = Map.of(
            0, Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                    "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"),
            27, Set.of("net.ipv4.ip_local_reserved_ports"),
            29, Set.of("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                    "net.ipv4.tcp_keepalive_probes"),
            32, Set.of("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"));
    private static final List<String> ALLOWED_VOLUMES = List.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    /** The volume sources restricted forbids, in the order kube names the first one a volume has. */
    private static final List<String> RESTRICTED_VOLUMES = List.of("hostPath", "gcePersistentDisk",
            "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs",
            "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
            "portworxVolume", "scaleIO", "storageos");
    private static final String APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
    private static final String SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
    private static final String SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

    /** Kube's order of evaluation, which its messages follow: baseline checks by id, then restricted ones by id. */
    private final List<Check> checks = Stream.of(
                    new Check("windowsHostProcess", Level.BASELINE, 0, null, PodSecurityChecks::hostProcess),
                    new Check("hostNamespaces", Level.BASELINE, 0, null, PodSecurityChecks::hostNamespaces),
                    new Check("privileged", Level.BASELINE, 0, null, PodSecurityChecks::privileged),
                    new Check("capabilities_baseline", Level.BASELINE, 0, null, PodSecurityChecks::capabilitiesBaseline),
                    new Check("hostPathVolumes", Level.BASELINE, 0, null, PodSecurityChecks::hostPathVolumes),
                    new Check("hostPorts", Level.BASELINE, 0, null, PodSecurityChecks::hostPorts),
                    new Check("appArmorProfile", Level.BASELINE, 0, null, PodSecurityChecks::appArmor),
                    new Check("seLinuxOptions", Level.BASELINE, 0, null, PodSecurityChecks::seLinux),
                    new Check("procMount", Level.BASELINE, 0, null, PodSecurityChecks::procMount),
                    new Check("seccompProfile_baseline", Level.BASELINE, 0, null, PodSecurityChecks::seccompBaseline),
                    new Check("sysctls", Level.BASELINE, 0, null, PodSecurityChecks::sysctls),
                    new Check("restrictedVolumes", Level.RESTRICTED, 0, "hostPathVolumes", PodSecurityChecks::restrictedVolumes),
                    new Check("allowPrivilegeEscalation", Level.RESTRICTED, 8, null, PodSecurityChecks::privilegeEscalation),
                    new Check("runAsNonRoot", Level.RESTRICTED, 0, null, PodSecurityChecks::runAsNonRoot),
                    new Check("runAsUser", Level.RESTRICTED, 23, null, PodSecurityChecks::runAsUser),
                    new Check("seccompProfile_restricted", Level.RESTRICTED, 19, "seccompProfile_baseline",
                            PodSecurityChecks::seccompRestricted),
                    new Check("capabilities_restricted", Level.RESTRICTED, 22, "capabilities_baseline",
                            PodSecurityChecks::capabilitiesRestricted))
            .sorted(Comparator.comparing(Check::level).thenComparing(Check::id)) // Go's byte order, as sort.Slice
            .toList();

    /** The violations of a pod (or a pod template) against a level at a version, in kube's order; none: allowed. */
    public List<Violation> evaluate(LevelVersion policy, JsonNode podMeta, JsonNode podSpec) {
        if (policy.level() == Level.PRIVILEGED) {
            return List.of();
        }
        PolicyVersion version = policy.version();
        List<Check> applicable = checks.stream()
                .filter(c -> c.level().compareTo(policy.level()) <= 0 && version.atLeast(c.since()))
                .toList();
        List<Violation> violations = new ArrayList<>();
        for (Check c : applicable) {
            boolean overridden = applicable.stream().anyMatch(r -> c.id().equals(r.overrides()));
            Violation v = overridden ? null : c.fn().check(version, podMeta, podSpec);
            if (v != null) {
                violations.add(v);
            }
        }
        return violations;
    }

    /** AggregateCheckResult.ForbiddenDetail: {@code host namespaces (hostNetwork=true), privileged (...)}. */
    public static String forbiddenDetail(List<Violation> violations) {
        return String.join(", ", violations.stream()
                .map(v -> v.detail().isEmpty() ? v.reason() : v.reason() + " (" + v.detail() + ")").toList());
    }

    /** AggregateCheckResult.ForbiddenReason: the reasons alone, as the warnings about existing pods show them. */
    public static String forbiddenReason(List<Violation> violations) {
        return String.join(", ", violations.stream().map(Violation::reason).toList());
    }

    // ---- baseline ----

    private static @Nullable Violation hostProcess(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> setters = new ArrayList<>();
        if (isTrue(spec.path("securityContext").path("windowsOptions"), "hostProcess")) {
            setters.add("pod");
        }
        addContainers(setters, namesWhere(spec, c -> isTrue(securityContext(c).path("windowsOptions"), "hostProcess")));
        return setters.isEmpty() ? null : new Violation("hostProcess",
                String.join(" and ", setters) + " must not set securityContext.windowsOptions.hostProcess=true");
    }

    private static @Nullable Violation hostNamespaces(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> used = Stream.of("hostNetwork", "hostPID", "hostIPC").filter(f -> isTrue(spec, f))
                .map(f -> f + "=true").toList();
        return used.isEmpty() ? null : new Violation("host namespaces", String.join(", ", used));
    }

    private static @Nullable Violation privileged(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> bad = namesWhere(spec, c -> isTrue(securityContext(c), "privileged"));
        return bad.isEmpty() ? null : new Violation("privileged",
                containers(bad) + " must not set securityContext.privileged=true");
    }

    private static @Nullable Violation capabilitiesBaseline(PolicyVersion v, JsonNode meta, JsonNode spec) {
        TreeSet<String> added = new TreeSet<>();
        List<String> bad = namesWhere(spec, c -> {
            List<String> extra = texts(securityContext(c).path("capabilities").path("add")).stream()
                    .filter(cap -> !DEFAULT_CAPABILITIES.contains(cap)).toList();
            added.addAll(extra);
            return !extra.isEmpty();
        });
        return bad.isEmpty() ? null : new Violation("non-default capabilities",
                containers(bad) + " must not include " + joinQuote(added) + " in securityContext.capabilities.add");
    }

    private static @Nullable Violation hostPathVolumes(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        for (JsonNode volume : spec.path("volumes")) {
            if (present(volume, "hostPath")) {
                bad.add(volume.path("name").asText(""));
            }
        }
        return bad.isEmpty() ? null : new Violation("hostPath volumes",
                pluralize("volume", "volumes", bad.size()) + " " + joinQuote(bad));
    }

    private static @Nullable Violation hostPorts(PolicyVersion v, JsonNode meta, JsonNode spec) {
        TreeSet<String> ports = new TreeSet<>(); // sets.String: sorted as strings
        List<String> bad = namesWhere(spec, c -> {
            boolean uses = false;
            for (JsonNode port : c.path("ports")) {
                int hostPort = port.path("hostPort").asInt(0);
                if (hostPort != 0) {
                    ports.add(Integer.toString(hostPort));
                    uses = true;
                }
            }
            return uses;
        });
        return bad.isEmpty() ? null : new Violation("hostPort", containers(bad) + " "
                + pluralize("uses", "use", bad.size()) + " " + pluralize("hostPort", "hostPorts", ports.size()) + " "
                + String.join(", ", ports));
    }

    private static @Nullable Violation appArmor(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> setters = new ArrayList<>();
        TreeSet<String> values = new TreeSet<>();
        JsonNode podProfile = spec.path("securityContext").path("appArmorProfile");
        if (podProfile.isObject() && !allowedProfileType(podProfile)) {
            setters.add("pod");
            values.add(podProfile.path("type").asText(""));
        }
        addContainers(setters, namesWhere(spec, c -> {
            JsonNode profile = securityContext(c).path("appArmorProfile");
            if (profile.isObject() && !allowedProfileType(profile)) {
                values.add(profile.path("type").asText(""));
                return true;
            }
            return false;
        }));
        List<String> shown = new ArrayList<>(values);
        TreeSet<String> annotations = new TreeSet<>();
        meta.path("annotations").properties().forEach(a -> {
            String value = a.getValue().asText("");
            if (a.getKey().startsWith(APPARMOR_ANNOTATION_PREFIX)
                    && !(value.isEmpty() || value.equals("runtime/default") || value.startsWith("localhost/"))) {
                annotations.add(a.getKey() + "=" + GoQuote.quote(value));
            }
        });
        if (!annotations.isEmpty()) {
            shown.addAll(annotations);
            setters.add(pluralize("annotation", "annotations", annotations.size()));
        }
        return setters.isEmpty() ? null : new Violation(
                pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", shown.size()),
                String.join(" and ", setters) + " must not set AppArmor profile type to " + joinQuote(shown));
    }

    private static boolean allowedProfileType(JsonNode profile) {
        String type = profile.path("type").asText("");
        return type.equals("RuntimeDefault") || type.equals("Localhost");
    }

    private static @Nullable Violation seLinux(PolicyVersion v, JsonNode meta, JsonNode spec) {
        TreeSet<String> badTypes = new TreeSet<>();
        boolean[] userRole = new boolean[2];
        Predicate<JsonNode> bad = opts -> {
            if (!opts.isObject()) {
                return false;
            }
            String type = opts.path("type").asText("");
            boolean typeAllowed = SELINUX_TYPES.contains(type) || v.atLeast(31) && type.equals("container_engine_t");
            if (!typeAllowed) {
                badTypes.add(type);
            }
            boolean user = !opts.path("user").asText("").isEmpty();
            boolean role = !opts.path("role").asText("").isEmpty();
            userRole[0] |= user;
            userRole[1] |= role;
            return !typeAllowed || user || role;
        };
        List<String> setters = new ArrayList<>();
        if (bad.test(spec.path("securityContext").path("seLinuxOptions"))) {
            setters.add("pod");
        }
        addContainers(setters, namesWhere(spec, c -> bad.test(securityContext(c).path("seLinuxOptions"))));
        if (setters.isEmpty()) {
            return null;
        }
        List<String> what = new ArrayList<>();
        if (!badTypes.isEmpty()) {
            what.add(pluralize("type", "types", badTypes.size()) + " " + joinQuote(badTypes));
        }
        if (userRole[0]) {
            what.add("user may not be set");
        }
        if (userRole[1]) {
            what.add("role may not be set");
        }
        return new Violation("seLinuxOptions", String.join(" and ", setters)
                + " set forbidden securityContext.seLinuxOptions: " + String.join("; ", what));
    }

    private static @Nullable Violation procMount(PolicyVersion v, JsonNode meta, JsonNode spec) {
        TreeSet<String> types = new TreeSet<>();
        List<String> bad = namesWhere(spec, c -> {
            JsonNode procMount = securityContext(c).path("procMount");
            if (procMount.isTextual() && !procMount.asText().equals("Default")) {
                types.add(procMount.asText());
                return true;
            }
            return false;
        });
        return bad.isEmpty() ? null : new Violation("procMount",
                containers(bad) + " must not set securityContext.procMount to " + joinQuote(types));
    }

    /** From 1.19 the seccompProfile fields; before, the alpha annotations they replaced. */
    private static @Nullable Violation seccompBaseline(PolicyVersion v, JsonNode meta, JsonNode spec) {
        if (v.atLeast(19)) {
            return seccompFields(spec, false);
        }
        TreeSet<String> forbidden = new TreeSet<>();
        JsonNode annotations = meta.path("annotations");
        List<String> keys = new ArrayList<>(List.of(SECCOMP_POD_ANNOTATION));
        allContainers(spec).forEach(c -> keys.add(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.path("name").asText("")));
        for (String key : keys) {
            JsonNode value = annotations.path(key);
            if (value.isTextual() && !(value.asText().equals("runtime/default") || value.asText().equals("docker/default")
                    || value.asText().startsWith("localhost/"))) {
                forbidden.add(key + "=" + GoQuote.quote(value.asText()));
            }
        }
        return forbidden.isEmpty() ? null : new Violation("seccompProfile", "forbidden "
                + pluralize("annotation", "annotations", forbidden.size()) + " " + String.join(", ", forbidden));
    }

    private static @Nullable Violation sysctls(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> forbidden = new ArrayList<>();
        for (JsonNode sysctl : spec.path("securityContext").path("sysctls")) {
            String name = sysctl.path("name").asText("");
            boolean safe = SAFE_SYSCTLS.entrySet().stream()
                    .anyMatch(e -> v.atLeast(e.getKey()) && e.getValue().contains(name));
            if (!safe) {
                forbidden.add(name);
            }
        }
        return forbidden.isEmpty() ? null : new Violation("forbidden sysctls", String.join(", ", forbidden));
    }

    // ---- restricted ----

    private static @Nullable Violation restrictedVolumes(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> bad = new ArrayList<>();
        TreeSet<String> types = new TreeSet<>();
        for (JsonNode volume : spec.path("volumes")) {
            if (ALLOWED_VOLUMES.stream().anyMatch(s -> present(volume, s))) {
                continue;
            }
            bad.add(volume.path("name").asText(""));
            types.add(RESTRICTED_VOLUMES.stream().filter(s -> present(volume, s)).findFirst().orElse("unknown"));
        }
        return bad.isEmpty() ? null : new Violation("restricted volume types", pluralize("volume", "volumes", bad.size())
                + " " + joinQuote(bad) + " " + pluralize("uses", "use", bad.size()) + " "
                + pluralize("restricted volume type", "restricted volume types", types.size()) + " " + joinQuote(types));
    }

    private static @Nullable Violation privilegeEscalation(PolicyVersion v, JsonNode meta, JsonNode spec) {
        if (windowsExempt(v, spec)) {
            return null;
        }
        List<String> bad = namesWhere(spec, c -> {
            JsonNode allow = securityContext(c).path("allowPrivilegeEscalation");
            return !allow.isBoolean() || allow.booleanValue();
        });
        return bad.isEmpty() ? null : new Violation("allowPrivilegeEscalation != false",
                containers(bad) + " must set securityContext.allowPrivilegeEscalation=false");
    }

    private static @Nullable Violation runAsNonRoot(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> setters = new ArrayList<>();
        JsonNode pod = spec.path("securityContext").path("runAsNonRoot");
        if (pod.isBoolean() && !pod.booleanValue()) {
            setters.add("pod");
        }
        boolean podNonRoot = pod.isBoolean() && pod.booleanValue();
        addContainers(setters, namesWhere(spec, c -> {
            JsonNode own = securityContext(c).path("runAsNonRoot");
            return own.isBoolean() && !own.booleanValue();
        }));
        if (!setters.isEmpty()) {
            return new Violation("runAsNonRoot != true",
                    String.join(" and ", setters) + " must not set securityContext.runAsNonRoot=false");
        }
        List<String> implicit = namesWhere(spec, c -> !securityContext(c).path("runAsNonRoot").isBoolean() && !podNonRoot);
        return implicit.isEmpty() ? null : new Violation("runAsNonRoot != true",
                "pod or " + containers(implicit) + " must set securityContext.runAsNonRoot=true");
    }

    private static @Nullable Violation runAsUser(PolicyVersion v, JsonNode meta, JsonNode spec) {
        List<String> setters = new ArrayList<>();
        if (isRoot(spec.path("securityContext"))) {
            setters.add("pod");
        }
        addContainers(setters, namesWhere(spec, c -> isRoot(securityContext(c))));
        return setters.isEmpty() ? null : new Violation("runAsUser=0",
                String.join(" and ", setters) + " must not set runAsUser=0");
    }

    private static boolean isRoot(JsonNode securityContext) {
        JsonNode user = securityContext.path("runAsUser");
        return user.isNumber() && user.asLong() == 0;
    }

    private static @Nullable Violation seccompRestricted(PolicyVersion v, JsonNode meta, JsonNode spec) {
        return windowsExempt(v, spec) ? null : seccompFields(spec, true);
    }

    /**
     * The seccompProfile fields: a type other than RuntimeDefault or Localhost is refused; restricted also wants
     * every container to have one of its own or from the pod.
     */
    private static @Nullable Violation seccompFields(JsonNode spec, boolean required) {
        List<String> setters = new ArrayList<>();
        TreeSet<String> values = new TreeSet<>();
        JsonNode podProfile = spec.path("securityContext").path("seccompProfile");
        boolean podSet = false;
        if (podProfile.isObject()) {
            if (validSeccomp(podProfile)) {
                podSet = true;
            } else {
                setters.add("pod");
                values.add(podProfile.path("type").asText(""));
            }
        }
        List<String> implicit = new ArrayList<>();
        boolean inherited = podSet;
        addContainers(setters, namesWhere(spec, c -> {
            JsonNode profile = securityContext(c).path("seccompProfile");
            if (!profile.isObject()) {
                if (!inherited) {
                    implicit.add(c.path("name").asText(""));
                }
                return false;
            }
            if (!validSeccomp(profile)) {
                values.add(profile.path("type").asText(""));
                return true;
            }
            return false;
        }));
        if (!setters.isEmpty()) {
            return new Violation("seccompProfile", String.join(" and ", setters)
                    + " must not set securityContext.seccompProfile.type to " + joinQuote(values));
        }
        return !required || implicit.isEmpty() ? null : new Violation("seccompProfile", "pod or " + containers(implicit)
                + " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
    }

    private static boolean validSeccomp(JsonNode profile) {
        String type = profile.path("type").asText("");
        return type.equals("RuntimeDefault") || type.equals("Localhost");
    }

    private static @Nullable Violation capabilitiesRestricted(PolicyVersion v, JsonNode meta, JsonNode spec) {
        if (windowsExempt(v, spec)) {
            return null;
        }
        TreeSet<String> forbidden = new TreeSet<>();
        List<String> missingDrop = namesWhere(spec,
                c -> !texts(securityContext(c).path("capabilities").path("drop")).contains("ALL"));
        List<String> adding = namesWhere(spec, c -> {
            List<String> extra = texts(securityContext(c).path("capabilities").path("add")).stream()
                    .filter(cap -> !cap.equals("NET_BIND_SERVICE")).toList();
            forbidden.addAll(extra);
            return !extra.isEmpty();
        });
        List<String> details = new ArrayList<>();
        if (!missingDrop.isEmpty()) {
            details.add(containers(missingDrop) + " must set securityContext.capabilities.drop=[\"ALL\"]");
        }
        if (!adding.isEmpty()) {
            details.add(containers(adding) + " must not include " + joinQuote(forbidden)
                    + " in securityContext.capabilities.add");
        }
        return details.isEmpty() ? null : new Violation("unrestricted capabilities", String.join("; ", details));
    }

    /** From 1.25 a pod that says it runs on Windows, where these Linux settings do not exist, passes. */
    private static boolean windowsExempt(PolicyVersion v, JsonNode spec) {
        return v.atLeast(25) && spec.path("os").path("name").asText("").equals("windows");
    }

    // ---- helpers ----

    /** Init containers, containers and ephemeral containers, in that order (kube's visitContainers). */
    private static List<JsonNode> allContainers(JsonNode spec) {
        List<JsonNode> all = new ArrayList<>();
        for (String field : List.of("initContainers", "containers", "ephemeralContainers")) {
            spec.path(field).forEach(all::add);
        }
        return all;
    }

    private static List<String> namesWhere(JsonNode spec, Predicate<JsonNode> test) {
        List<String> names = new ArrayList<>();
        for (JsonNode c : allContainers(spec)) {
            if (test.test(c)) {
                names.add(c.path("name").asText(""));
            }
        }
        return names;
    }

    private static void addContainers(List<String> setters, List<String> names) {
        if (!names.isEmpty()) {
            setters.add(containers(names));
        }
    }

    private static String containers(List<String> names) {
        return pluralize("container", "containers", names.size()) + " " + joinQuote(names);
    }

    private static JsonNode securityContext(JsonNode container) {
        return container.path("securityContext");
    }

    private static boolean isTrue(JsonNode node, String field) {
        return node.path(field).booleanValue();
    }

    private static boolean present(JsonNode node, String field) {
        return node.hasNonNull(field);
    }

    /** Kube's joinQuote: each item in double quotes, as it is (no escaping). */
    private static String joinQuote(Collection<String> items) {
        return items.isEmpty() ? "" : "\"" + String.join("\", \"", items) + "\"";
    }

    private static String pluralize(String singular, String plural, int count) {
        return count == 1 ? singular : plural;
    }
}
