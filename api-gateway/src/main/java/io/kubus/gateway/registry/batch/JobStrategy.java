package io.kubus.gateway.registry.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.apps.WorkloadColumns;
import io.kubus.gateway.registry.apps.WorkloadValidation;
import io.kubus.gateway.registry.core.pod.PodSpecDefaults;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.table.Cells;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.absent;
import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.table.Cells.containerImages;
import static io.kubus.gateway.table.Cells.containerNames;
import static io.kubus.gateway.table.Cells.formatSelector;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.number;
import static io.kubus.gateway.table.Cells.text;

/** Jobs (pkg/registry/batch/job): their pods selected by the job's own uid, their dependents orphaned by default. */
@Singleton
public class JobStrategy implements Strategy {
    static final List<String> RESTART_POLICIES = List.of("OnFailure", "Never");
    private static final List<String> REPLACEMENT_POLICIES = List.of("Failed", "TerminatingOrFailed");
    private static final List<String> FAILURE_ACTIONS = List.of("Count", "FailIndex", "FailJob", "Ignore");
    private static final TablePrinter PRINTER = columns();

    @Override
    public ResourceType type() {
        return ResourceTypes.JOBS;
    }

    @Override
    public void defaults(ObjectNode job) {
        spec(obj(job, "spec"));
    }

    /** SetDefaults_JobSpec; a CronJob's job template gets them when its Job is created. */
    static void spec(ObjectNode spec) {
        if (absent(spec, "completions") && absent(spec, "parallelism")) {
            spec.put("completions", 1);
        }
        def(spec, "parallelism", 1);
        def(spec, "backoffLimit", 6);
        def(spec, "completionMode", "NonIndexed");
        def(spec, "suspend", false);
        def(spec, "podReplacementPolicy", absent(spec, "podFailurePolicy") ? "TerminatingOrFailed" : "Failed");
        PodSpecDefaults.template(spec, true);
    }

    /**
     * The job registry labels the template with the job's uid and selects on it, so that two jobs of the same name
     * in time never adopt each other's pods.
     */
    @Override
    public void prepareForCreate(ObjectNode job, UserInfo creator) {
        Strategy.super.prepareForCreate(job, creator);
        ObjectNode spec = obj(job, "spec");
        if (spec.path("manualSelector").asBoolean(false)) {
            return;
        }
        String uid = Cells.text(job, "/metadata/uid");
        String name = Cells.text(job, "/metadata/name");
        if (!uid.isEmpty() && objOrNull(spec, "selector") == null) {
            ObjectNode labels = obj(obj(obj(spec, "template"), "metadata"), "labels");
            labels.put("batch.kubernetes.io/controller-uid", uid);
            labels.put("batch.kubernetes.io/job-name", name);
            labels.put("controller-uid", uid);
            labels.put("job-name", name);
            obj(obj(spec, "selector"), "matchLabels").put("batch.kubernetes.io/controller-uid", uid);
        }
    }

    @Override
    public void validate(ObjectNode job, ErrorList errs) {
        validateSpec(objOrNull(job, "spec"), "spec", errs);
    }

    /** ValidateJobSpec at {@code path}: a Job's own spec, or a CronJob's job template, which has no selector yet. */
    static void validateSpec(@Nullable ObjectNode spec, String path, ErrorList errs) {
        if (spec == null) {
            errs.required(path);
            return;
        }
        for (String f : List.of("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished")) {
            PodSpecValidation.nonNegative(spec, f, path, errs);
        }
        String mode = Cells.text(spec, "/completionMode");
        if (!mode.isEmpty() && !List.of("NonIndexed", "Indexed").contains(mode)) {
            errs.notSupported(path + ".completionMode", mode, List.of("NonIndexed", "Indexed"));
        }
        if (mode.equals("Indexed") && spec.path("completions").isMissingNode()) {
            errs.required(path + ".completions", "when completion mode is Indexed");
        }
        perIndex(spec, path, mode.equals("Indexed"), errs);
        podFailurePolicy(spec, path, errs);
        successPolicy(spec, path, mode.equals("Indexed"), errs);
        if (path.equals("spec")) {
            WorkloadValidation.selectorAndTemplate(spec, path, errs);
        }
        PodSpecValidation.template(objOrNull(spec, "template"), path + ".template", RESTART_POLICIES, errs);
    }

    /** backoffLimitPerIndex and maxFailedIndexes: Indexed Jobs only, the second with the first, at most completions. */
    private static void perIndex(ObjectNode spec, String path, boolean indexed, ErrorList errs) {
        PodSpecValidation.nonNegative(spec, "backoffLimitPerIndex", path, errs);
        PodSpecValidation.nonNegative(spec, "maxFailedIndexes", path, errs);
        JsonNode perIndex = spec.path("backoffLimitPerIndex");
        JsonNode maxFailed = spec.path("maxFailedIndexes");
        if (perIndex.isNumber() && !indexed) {
            errs.forbidden(path + ".backoffLimitPerIndex", "requires indexed completion mode");
        }
        if (maxFailed.isNumber() && !perIndex.isNumber()) {
            errs.required(path + ".backoffLimitPerIndex", "when maxFailedIndexes is specified");
        }
        if (maxFailed.isNumber() && spec.path("completions").isNumber() && maxFailed.asLong() > spec.path("completions").asLong()) {
            errs.invalid(path + ".maxFailedIndexes", maxFailed.asLong(), "must be less than or equal to completions");
        }
    }

    /** ValidatePodFailurePolicy: each rule one action and exactly one of onExitCodes and onPodConditions. */
    private static void podFailurePolicy(ObjectNode spec, String path, ErrorList errs) {
        ObjectNode policy = objOrNull(spec, "podFailurePolicy");
        String replacement = Cells.text(spec, "/podReplacementPolicy");
        if (!replacement.isEmpty() && !REPLACEMENT_POLICIES.contains(replacement)) {
            errs.notSupported(path + ".podReplacementPolicy", replacement, REPLACEMENT_POLICIES);
        } else if (policy != null && !replacement.isEmpty() && !replacement.equals("Failed")) {
            errs.notSupported(path + ".podReplacementPolicy", replacement, List.of("Failed"));
        }
        if (policy == null) {
            return;
        }
        String restart = Cells.text(spec, "/template/spec/restartPolicy");
        if (!restart.isEmpty() && !restart.equals("Never")) {
            errs.invalid(path + ".template.spec.restartPolicy", restart,
                    "only \"Never\" is supported when podFailurePolicy is specified");
        }
        String rulesPath = path + ".podFailurePolicy.rules";
        List<ObjectNode> rules = objects(policy, "rules");
        for (int i = 0; i < rules.size(); i++) {
            ObjectNode rule = rules.get(i);
            String at = rulesPath + "[" + i + "]";
            String action = Cells.text(rule, "/action");
            if (action.isEmpty()) {
                errs.required(at + ".action");
            } else if (!FAILURE_ACTIONS.contains(action)) {
                errs.notSupported(at + ".action", action, FAILURE_ACTIONS);
            } else if (action.equals("FailIndex") && !spec.path("backoffLimitPerIndex").isNumber()) {
                errs.invalid(at + ".action", action, "requires the backoffLimitPerIndex to be set");
            }
            ObjectNode exitCodes = objOrNull(rule, "onExitCodes");
            boolean conditions = rule.has("onPodConditions") && !rule.get("onPodConditions").isNull();
            if ((exitCodes == null) == !conditions) {
                errs.invalid(at, new GoValue(rule.toString()), "specifying one of OnExitCodes and OnPodConditions is required");
            }
            if (exitCodes != null) {
                exitCodes(exitCodes, at + ".onExitCodes", errs);
            }
            List<ObjectNode> patterns = objects(rule, "onPodConditions");
            for (int j = 0; j < patterns.size(); j++) {
                String pat = at + ".onPodConditions[" + j + "]";
                if (Cells.text(patterns.get(j), "/type").isEmpty()) {
                    errs.required(pat + ".type");
                }
                String status = Cells.text(patterns.get(j), "/status");
                if (!status.isEmpty() && !List.of("True", "False", "Unknown").contains(status)) {
                    errs.notSupported(pat + ".status", status, List.of("True", "False", "Unknown"));
                }
            }
        }
    }

    private static void exitCodes(ObjectNode req, String path, ErrorList errs) {
        String operator = Cells.text(req, "/operator");
        if (!List.of("In", "NotIn").contains(operator)) {
            errs.notSupported(path + ".operator", operator, List.of("In", "NotIn"));
        }
        JsonNode values = req.path("values");
        if (!values.isArray() || values.isEmpty()) {
            errs.required(path + ".values");
            return;
        }
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < values.size(); i++) {
            long v = values.get(i).asLong();
            if (v == 0 && operator.equals("In")) {
                errs.invalid(path + ".values[" + i + "]", v, "must not be 0 for the In operator");
            }
            if (v == previous) {
                errs.duplicate(path + ".values[" + i + "]", v);
            } else if (v < previous) {
                errs.invalid(path + ".values[" + i + "]", v, "must be ordered");
            }
            previous = v;
        }
    }

    /** successPolicy: Indexed Jobs only; every rule names indexes or a count, a count no more than completions. */
    private static void successPolicy(ObjectNode spec, String path, boolean indexed, ErrorList errs) {
        ObjectNode policy = objOrNull(spec, "successPolicy");
        if (policy == null) {
            return;
        }
        if (!indexed) {
            errs.invalid(path + ".successPolicy", new GoValue(policy.toString()), "requires indexed completion mode");
            return;
        }
        List<ObjectNode> rules = objects(policy, "rules");
        if (rules.isEmpty()) {
            errs.required(path + ".successPolicy.rules", "at least one rules must be specified when the successPolicy is specified");
        }
        for (int i = 0; i < rules.size(); i++) {
            String at = path + ".successPolicy.rules[" + i + "]";
            JsonNode count = rules.get(i).path("succeededCount");
            if (!rules.get(i).has("succeededIndexes") && !count.isNumber()) {
                errs.required(at, "at least one of succeededCount or succeededIndexes must be specified");
            }
            if (count.isNumber() && count.asLong() < 0) {
                errs.nonNegative(at + ".succeededCount", count.asLong());
            } else if (count.isNumber() && spec.path("completions").isNumber() && count.asLong() > spec.path("completions").asLong()) {
                errs.invalid(at + ".succeededCount", count.asLong(), "must be less than or equal to " + spec.path("completions").asLong() + " (the number of specified completions)");
            }
        }
    }

    /**
     * A Job's pods are made from its template, so the template only changes while the job is suspended (to set
     * scheduling directives before it starts); completions are fixed.
     */
    @Override
    public void validateUpdate(ObjectNode job, ObjectNode old, ErrorList errs) {
        WorkloadValidation.immutableSelector(job, old, errs);
        JsonNode before = old.path("spec");
        JsonNode after = job.path("spec");
        if (!before.path("suspend").asBoolean(false) && !KubusJson.equivalent(before.path("template"), after.path("template"))) {
            errs.invalid("spec.template", new GoValue("core.PodTemplateSpec" + after.path("template")), "field is immutable");
        }
        if (!KubusJson.equivalent(before.path("completions"), after.path("completions"))) {
            errs.invalid("spec.completions", after.path("completions").asLong(), "field is immutable");
        }
    }

    @Override
    public String defaultGarbageCollectionPolicy() {
        return ORPHAN;
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return PatchSchemas.TEMPLATED;
    }

    @Override
    public Set<String> selectableFields() {
        return Set.of("status.successful");
    }

    private static TablePrinter columns() {
        return new KindPrinter(WorkloadColumns.columns(new String[]{
                "Status", "string", "Status of the job.",
                "Completions", "string", "The desired number of successfully finished pods the job should be run with.",
                "Duration", "string", "Time required to complete the job.",
                "Age", "string", TablePrinters.AGE}, WorkloadColumns.WIDE_CONTAINERS, WorkloadColumns.WIDE_SELECTOR),
                (o, now) -> {
                    JsonNode template = o.path("spec").path("template").path("spec");
                    return List.of(name(o), jobStatus(o), completions(o), duration(o, now), TablePrinters.age(o, now),
                            containerNames(template), containerImages(template), formatSelector(o.path("spec").path("selector")));
                });
    }

    private static String completions(ObjectNode job) {
        long succeeded = number(job, "/status/succeeded");
        JsonNode completions = job.path("spec").path("completions");
        if (completions.isNumber()) {
            return succeeded + "/" + completions.asLong();
        }
        long parallelism = number(job, "/spec/parallelism");
        return parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }

    private static String duration(ObjectNode job, Instant now) {
        String start = text(job, "/status/startTime");
        if (start.isEmpty()) {
            return "";
        }
        String end = text(job, "/status/completionTime");
        try {
            Instant until = end.isEmpty() ? now : Instant.parse(end);
            return TablePrinters.humanDuration(Duration.between(Instant.parse(start), until));
        } catch (java.time.format.DateTimeParseException e) {
            return "<invalid>"; // a listing must not fail over one object's malformed status
        }
    }

    /** The first matching of Complete, Failed, deleting, Suspended, FailureTarget, SuccessCriteriaMet, else Running. */
    private static String jobStatus(ObjectNode job) {
        if (jobCondition(job, "Complete")) {
            return "Complete";
        }
        if (jobCondition(job, "Failed")) {
            return "Failed";
        }
        if (Cells.deleting(job)) {
            return "Terminating";
        }
        for (String c : List.of("Suspended", "FailureTarget", "SuccessCriteriaMet")) {
            if (jobCondition(job, c)) {
                return c;
            }
        }
        return "Running";
    }

    private static boolean jobCondition(ObjectNode job, String type) {
        for (JsonNode c : job.path("status").path("conditions")) {
            if (c.path("type").asText().equals(type) && c.path("status").asText().equals("True")) {
                return true;
            }
        }
        return false;
    }

}
