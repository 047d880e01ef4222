package io.kubus.gateway.admission.podsecurity;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.admission.AdmissionException;
import io.kubus.gateway.admission.AdmissionPlugin;
import io.kubus.gateway.admission.AdmissionRequest;
import io.kubus.gateway.admission.podsecurity.PodSecurityChecks.Violation;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.watch.CachedObjects;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.GoQuote;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Kubernetes' PodSecurity admission plugin (k8s.io/pod-security-admission/admission): a namespace's
 * {@code pod-security.kubernetes.io/enforce|audit|warn} labels (and their {@code -version} labels) choose a Pod
 * Security Standard level per mode. Enforce refuses pods that violate it, on create and on updates that change what
 * runs (containers or their images); warn answers {@code would violate PodSecurity "<level>:<version>": ...} in
 * Warning headers, for pods and for the pod templates of workload kinds; audit, which kube writes into the audit log
 * Kubus does not have, is logged on the {@code io.kubus.gateway.admission.podsecurity.audit} logger. A namespace's
 * labels are validated on create and when they change, and tightening its enforce level warns about the existing
 * pods that would violate it.
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT) // reads the store and the cached objects, which only a gateway has
public class PodSecurityAdmission implements AdmissionPlugin {
    private static final Logger AUDIT = LoggerFactory.getLogger("io.kubus.gateway.admission.podsecurity.audit");
    /** Kube's limits on the dry run of a new enforce level against a namespace's pods. */
    static final int MAX_PODS_TO_CHECK = 3000;
    static final Duration POD_CHECK_TIMEOUT = Duration.ofSeconds(1);
    private static final Set<ResourceType> POD_CONTROLLERS = Set.of(ResourceTypes.DEPLOYMENTS, ResourceTypes.REPLICASETS,
            ResourceTypes.STATEFULSETS, ResourceTypes.DAEMONSETS, ResourceTypes.JOBS, ResourceTypes.CRONJOBS,
            ResourceTypes.REPLICATIONCONTROLLERS, ResourceTypes.PODTEMPLATES);

    private final ObjectStore store;
    private final CachedObjects cache;
    private final PodSecurityChecks checks;
    private final NamespacePolicy defaults;
    private final Set<String> exemptNamespaces;
    private final Set<String> exemptRuntimeClasses;
    private final Set<String> exemptUsers;

    public PodSecurityAdmission(ObjectStore store, CachedObjects cache, PodSecurityChecks checks,
                                PodSecuritySettings settings) {
        this.store = store;
        this.cache = cache;
        this.checks = checks;
        this.defaults = defaults(settings.getDefaults());
        this.exemptNamespaces = Set.copyOf(settings.getExemptions().getNamespaces());
        this.exemptRuntimeClasses = Set.copyOf(settings.getExemptions().getRuntimeClasses());
        this.exemptUsers = Set.copyOf(settings.getExemptions().getUsernames());
    }

    @Override
    public void validate(AdmissionRequest request) {
        ResourceType type = request.type();
        if (type == ResourceTypes.NAMESPACES) {
            validateNamespace(request);
        } else if (type == ResourceTypes.PODS) {
            validatePod(request);
        } else if (POD_CONTROLLERS.contains(type)) {
            validatePodController(request);
        }
    }

    // ---- namespaces ----

    private void validateNamespace(AdmissionRequest request) {
        JsonNode meta = request.object().path("metadata");
        String name = meta.path("name").asText("");
        NamespacePolicy.Resolved next = NamespacePolicy.resolve(meta.path("labels"), defaults);
        NamespacePolicy.Resolved previous = request.isCreate() ? null
                : NamespacePolicy.resolve(request.old().path("metadata").path("labels"), defaults);
        // labels already invalid the same way (stored before this plugin) do not block other changes
        if (!next.problems().isEmpty() && (previous == null || previous.problems().isEmpty()
                || !next.problems().equals(previous.problems()))) {
            throw AdmissionException.invalid(request.type(), name, next.problems());
        }
        if (previous != null && !tightensEnforce(previous.policy().enforce(), next.policy().enforce())) {
            return;
        }
        if (exemptNamespaces.contains(name)) {
            exemptNamespaceWarning(name, next.policy(), meta.path("labels")).ifPresent(request.warnings()::add);
        } else if (previous != null) {
            request.warnings().addAll(evaluatePodsInNamespace(name, next.policy().enforce()));
        }
    }

    /** Whether a namespace update's new enforce policy may refuse pods the old one admitted. */
    private static boolean tightensEnforce(LevelVersion before, LevelVersion after) {
        if (after.equals(before) || after.level() == Level.PRIVILEGED) {
            return false;
        }
        return !after.version().equals(before.version()) || after.level().compareTo(before.level()) > 0;
    }

    /** Kube's warning when an exempt namespace is given a policy that will not apply to it. */
    private Optional<String> exemptNamespaceWarning(String name, NamespacePolicy policy, JsonNode labels) {
        if (policy.fullyPrivileged() || policy.equivalent(defaults)) {
            return Optional.empty();
        }
        List<String> modes = new ArrayList<>();
        addMode(modes, "enforce", policy.enforce(), labels, NamespacePolicy.ENFORCE);
        addMode(modes, "audit", policy.audit(), labels, NamespacePolicy.AUDIT);
        addMode(modes, "warn", policy.warn(), labels, NamespacePolicy.WARN);
        return Optional.of("namespace " + GoQuote.quote(name) + " is exempt from Pod Security, and the policy ("
                + String.join(", ", modes) + ") will be ignored");
    }

    private static void addMode(List<String> modes, String mode, LevelVersion lv, JsonNode labels, String label) {
        if (lv.level() != Level.PRIVILEGED && (labels.has(label) || labels.has(label + NamespacePolicy.VERSION))) {
            modes.add(mode + "=" + lv);
        }
    }

    /**
     * EvaluatePodsInNamespace: the namespace's pods against a new enforce level, one pod per controller first, at
     * most {@link #MAX_PODS_TO_CHECK} of them and for at most {@link #POD_CHECK_TIMEOUT}; one warning per distinct
     * set of reasons, naming the lexically first pod that has it and how many others do.
     */
    List<String> evaluatePodsInNamespace(String namespace, LevelVersion enforce) {
        List<JsonNode> pods = prioritize(store.listCommitted(ResourceTypes.PODS, namespace));
        int total = pods.size();
        int checked = Math.min(total, MAX_PODS_TO_CHECK);
        long deadline = System.nanoTime() + POD_CHECK_TIMEOUT.toNanos();
        Map<String, String> firstPod = new LinkedHashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < checked; i++) {
            JsonNode pod = pods.get(i);
            List<Violation> violations = checks.evaluate(enforce, pod.path("metadata"), pod.path("spec"));
            if (!violations.isEmpty()) {
                String reasons = PodSecurityChecks.forbiddenReason(violations);
                String podName = pod.path("metadata").path("name").asText("");
                firstPod.merge(reasons, podName, (a, b) -> a.compareTo(b) <= 0 ? a : b);
                count.merge(reasons, 1, Integer::sum);
            }
            if (System.nanoTime() > deadline) {
                checked = i + 1;
                break;
            }
        }
        List<String> warnings = new ArrayList<>();
        if (checked < total) {
            warnings.add("new PodSecurity enforce level only checked against the first " + checked + " of " + total
                    + " existing pods");
        }
        if (!firstPod.isEmpty()) {
            warnings.add("existing pods in namespace " + GoQuote.quote(namespace)
                    + " violate the new PodSecurity enforce level " + GoQuote.quote(enforce.toString()));
        }
        List<String> podWarnings = new ArrayList<>();
        firstPod.forEach((reasons, podName) -> {
            int others = count.get(reasons) - 1;
            String who = others == 0 ? podName
                    : podName + " (and " + others + " other pod" + (others == 1 ? "" : "s") + ")";
            podWarnings.add(who + ": " + reasons);
        });
        podWarnings.sort(null);
        warnings.addAll(podWarnings);
        return warnings;
    }

    /** Pods of an exempt runtime class left out; of several pods of one controller, the first before all others. */
    private List<JsonNode> prioritize(List<? extends JsonNode> pods) {
        List<JsonNode> first = new ArrayList<>();
        List<JsonNode> rest = new ArrayList<>();
        Set<String> controllers = new HashSet<>();
        for (JsonNode pod : pods) {
            if (exemptRuntimeClass(pod.path("spec"))) {
                continue;
            }
            String controller = controllerUid(pod);
            if (controller == null || controllers.add(controller)) {
                first.add(pod);
            } else {
                rest.add(pod);
            }
        }
        first.addAll(rest);
        return first;
    }

    private static @Nullable String controllerUid(JsonNode pod) {
        for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                return ref.path("uid").asText("");
            }
        }
        return null;
    }

    // ---- pods and pod templates ----

    private void validatePod(AdmissionRequest request) {
        String namespace = request.object().path("metadata").path("namespace").asText("");
        if (exemptNamespaces.contains(namespace) || exemptUsers.contains(request.user().name())) {
            return;
        }
        JsonNode spec = request.object().path("spec");
        if (!request.isCreate() && !changesWhatRuns(spec, request.old().path("spec"))) {
            return; // status, labels, bindings: nothing the policy looks at can have changed
        }
        Optional<NamespacePolicy.Resolved> policy = namespacePolicy(namespace);
        if (policy.isEmpty() || policy.get().problems().isEmpty() && policy.get().policy().fullyPrivileged()) {
            return;
        }
        evaluate(request, policy.get().policy(), request.object().path("metadata"), spec, true);
    }

    /**
     * Workload kinds are warned and audited about, never refused: their pods are, when created. Kube looks at every
     * update of one but none of its subresources; Kubus, which does not tell its plugins the subresource, looks at
     * updates that change the pod template, so status and scale writes pass unexamined.
     */
    private void validatePodController(AdmissionRequest request) {
        String namespace = request.object().path("metadata").path("namespace").asText("");
        JsonNode template = template(request.type(), request.object());
        if (exemptNamespaces.contains(namespace) || exemptUsers.contains(request.user().name()) || !template.isObject()
                || !request.isCreate() && template.equals(template(request.type(), request.old()))) {
            return;
        }
        Optional<NamespacePolicy.Resolved> policy = namespacePolicy(namespace);
        if (policy.isEmpty() || policy.get().problems().isEmpty()
                && policy.get().policy().warn().level() == Level.PRIVILEGED
                && policy.get().policy().audit().level() == Level.PRIVILEGED) {
            return;
        }
        evaluate(request, policy.get().policy(), template.path("metadata"), template.path("spec"), false);
    }

    private static JsonNode template(ResourceType type, JsonNode object) {
        if (type == ResourceTypes.PODTEMPLATES) {
            return object.path("template");
        }
        if (type == ResourceTypes.CRONJOBS) {
            return object.path("spec").path("jobTemplate").path("spec").path("template");
        }
        return object.path("spec").path("template");
    }

    /**
     * The namespace's policy; none when the namespace does not exist, whose create is refused with 404 afterwards
     * (kube's NamespaceLifecycle answers before PodSecurity).
     */
    private Optional<NamespacePolicy.Resolved> namespacePolicy(String namespace) {
        return cache.get(ResourceTypes.NAMESPACES, "", namespace)
                .map(ns -> NamespacePolicy.resolve(ns.path("metadata").path("labels"), defaults));
    }

    /** EvaluatePod: enforce (pods only) refuses, audit is logged, warn is answered unless the request is refused. */
    private void evaluate(AdmissionRequest request, NamespacePolicy policy, JsonNode podMeta, JsonNode podSpec,
                          boolean enforce) {
        if (exemptRuntimeClass(podSpec)) {
            return;
        }
        Map<LevelVersion, List<Violation>> results = new HashMap<>();
        List<Violation> enforced = enforce
                ? results.computeIfAbsent(policy.enforce(), lv -> checks.evaluate(lv, podMeta, podSpec)) : List.of();
        List<Violation> audited = results.computeIfAbsent(policy.audit(), lv -> checks.evaluate(lv, podMeta, podSpec));
        if (!audited.isEmpty()) {
            AUDIT.info("{} {}/{}: {}", request.type().qualifiedPlural(),
                    request.object().path("metadata").path("namespace").asText(""),
                    request.object().path("metadata").path("name").asText(""), wouldViolate(policy.audit(), audited));
        }
        if (!enforced.isEmpty()) {
            throw request.forbidden("violates PodSecurity " + GoQuote.quote(policy.enforce().toString()) + ": "
                    + PodSecurityChecks.forbiddenDetail(enforced));
        }
        List<Violation> warned = results.computeIfAbsent(policy.warn(), lv -> checks.evaluate(lv, podMeta, podSpec));
        if (!warned.isEmpty()) {
            request.warnings().add(wouldViolate(policy.warn(), warned));
        }
    }

    private static String wouldViolate(LevelVersion lv, List<Violation> violations) {
        return "would violate PodSecurity " + GoQuote.quote(lv.toString()) + ": "
                + PodSecurityChecks.forbiddenDetail(violations);
    }

    private boolean exemptRuntimeClass(JsonNode podSpec) {
        String runtimeClass = podSpec.path("runtimeClassName").asText("");
        return !runtimeClass.isEmpty() && exemptRuntimeClasses.contains(runtimeClass);
    }

    /**
     * isSignificantPodUpdate: what the policy sees of a running pod changes only when containers come or go or an
     * image changes (the rest of a pod's spec is immutable), or an ephemeral container is added.
     */
    static boolean changesWhatRuns(JsonNode spec, JsonNode oldSpec) {
        for (String field : List.of("containers", "initContainers")) {
            JsonNode now = spec.path(field);
            JsonNode before = oldSpec.path(field);
            if (now.size() != before.size()) {
                return true;
            }
            for (int i = 0; i < now.size(); i++) {
                if (!image(now.get(i)).equals(image(before.get(i)))) {
                    return true;
                }
            }
        }
        for (JsonNode c : spec.path("ephemeralContainers")) {
            JsonNode old = null;
            for (JsonNode o : oldSpec.path("ephemeralContainers")) {
                if (o.path("name").asText("").equals(c.path("name").asText(""))) {
                    old = o;
                    break;
                }
            }
            if (old == null || !image(c).equals(image(old))) {
                return true;
            }
        }
        return false;
    }

    private static String image(JsonNode container) {
        return container.path("image").asText("");
    }

    /** The configured defaults, refused at startup when not a level or version, as kube refuses its configuration. */
    private static NamespacePolicy defaults(PodSecuritySettings.Defaults d) {
        return new NamespacePolicy(mode("enforce", d.getEnforce(), d.getEnforceVersion()),
                mode("audit", d.getAudit(), d.getAuditVersion()), mode("warn", d.getWarn(), d.getWarnVersion()));
    }

    private static LevelVersion mode(String mode, String level, String version) {
        String property = "kubus.pod-security.defaults." + mode;
        return new LevelVersion(
                Level.parse(level).orElseThrow(() -> new IllegalArgumentException(
                        property + ": " + GoQuote.quote(level) + ": " + Level.INVALID)),
                PolicyVersion.parse(version).orElseThrow(() -> new IllegalArgumentException(
                        property + "-version: " + GoQuote.quote(version) + ": " + PolicyVersion.INVALID)));
    }
}
