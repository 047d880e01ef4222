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
        if (absent(spec, "podFailurePolicy")) {
            def(spec, "podReplacementPolicy", "TerminatingOrFailed");
        }
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
        if (path.equals("spec")) {
            WorkloadValidation.selectorAndTemplate(spec, path, errs);
        }
        PodSpecValidation.template(objOrNull(spec, "template"), path + ".template", RESTART_POLICIES, errs);
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
