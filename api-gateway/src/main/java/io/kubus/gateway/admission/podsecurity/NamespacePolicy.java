package io.kubus.gateway.admission.podsecurity;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.validation.FieldProblem;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a namespace's {@code pod-security.kubernetes.io/*} labels ask for, each mode falling back to the cluster default
 * where its label is missing (kube's api.PolicyToEvaluate).
 */
public record NamespacePolicy(LevelVersion enforce, LevelVersion audit, LevelVersion warn) {
    public static final String PREFIX = "pod-security.kubernetes.io/";
    public static final String ENFORCE = PREFIX + "enforce";
    public static final String AUDIT = PREFIX + "audit";
    public static final String WARN = PREFIX + "warn";
    public static final String VERSION = "-version";

    /**
     * The policy of a namespace's labels, and one problem per label whose value is not a level or a version. A policy
     * is resolved even then, as kube resolves it: a bad enforce level enforces restricted (fails closed), a bad audit
     * or warn level is privileged (fails open), a bad version is latest.
     */
    public record Resolved(NamespacePolicy policy, List<FieldProblem> problems) {
    }

    public boolean fullyPrivileged() {
        return enforce.level() == Level.PRIVILEGED && audit.level() == Level.PRIVILEGED && warn.level() == Level.PRIVILEGED;
    }

    /** Both privileged, or the same level and version (api.LevelVersion.Equivalent), for each mode. */
    boolean equivalent(NamespacePolicy other) {
        return equivalent(enforce, other.enforce) && equivalent(audit, other.audit) && equivalent(warn, other.warn);
    }

    private static boolean equivalent(LevelVersion a, LevelVersion b) {
        return a.level() == Level.PRIVILEGED && b.level() == Level.PRIVILEGED || a.equals(b);
    }

    public static Resolved resolve(JsonNode labels, NamespacePolicy defaults) {
        List<FieldProblem> problems = new ArrayList<>();
        if (!labels.isObject() || labels.isEmpty()) {
            return new Resolved(defaults, problems);
        }
        boolean hasEnforce = labels.has(ENFORCE) && Level.parse(labels.get(ENFORCE).asText()).isPresent();
        LevelVersion enforce = mode(labels, ENFORCE, defaults.enforce, Level.RESTRICTED, problems);
        LevelVersion audit = mode(labels, AUDIT, defaults.audit, Level.PRIVILEGED, problems);
        LevelVersion warn = mode(labels, WARN, defaults.warn, Level.PRIVILEGED, problems);
        // warn defaults to an enforce level stricter than it, unless a warn label says otherwise
        if (!labels.has(WARN) && hasEnforce && enforce.level().compareTo(warn.level()) > 0) {
            warn = new LevelVersion(enforce.level(), labels.has(WARN + VERSION) ? warn.version() : enforce.version());
        }
        return new Resolved(new NamespacePolicy(enforce, audit, warn), problems);
    }

    private static LevelVersion mode(JsonNode labels, String label, LevelVersion fallback, Level onError,
                                     List<FieldProblem> problems) {
        Level level = fallback.level();
        if (labels.has(label)) {
            String value = labels.get(label).asText();
            Optional<Level> parsed = Level.parse(value);
            if (parsed.isEmpty()) {
                problems.add(FieldProblem.invalid(path(label), value, Level.INVALID));
            }
            level = parsed.orElse(onError);
        }
        PolicyVersion version = fallback.version();
        if (labels.has(label + VERSION)) {
            String value = labels.get(label + VERSION).asText();
            Optional<PolicyVersion> parsed = PolicyVersion.parse(value);
            if (parsed.isEmpty()) {
                problems.add(FieldProblem.invalid(path(label + VERSION), value, PolicyVersion.INVALID));
            }
            version = parsed.orElse(PolicyVersion.latest());
        }
        return new LevelVersion(level, version);
    }

    private static String path(String label) {
        return "metadata.labels[" + label + "]";
    }
}
