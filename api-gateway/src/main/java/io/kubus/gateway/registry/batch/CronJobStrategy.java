package io.kubus.gateway.registry.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.ObjectMetaValidation;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.registry.apps.WorkloadColumns;
import io.kubus.gateway.registry.core.pod.PodSpecDefaults;
import io.kubus.gateway.registry.core.pod.PodSpecValidation;
import io.kubus.gateway.table.Cells;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.cron.CronSchedule;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

import java.util.List;

import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.table.Cells.containerImages;
import static io.kubus.gateway.table.Cells.containerNames;
import static io.kubus.gateway.table.Cells.formatSelector;
import static io.kubus.gateway.table.Cells.name;
import static io.kubus.gateway.table.Cells.text;

/** CronJobs (pkg/registry/batch/cronjob). */
@Singleton
public class CronJobStrategy implements Strategy {
    private static final List<String> CONCURRENCY = List.of("Allow", "Forbid", "Replace");
    private static final PatchSchema SCHEMA = PatchSchemas.object(
            PatchSchema.builder().object("jobTemplate", PatchSchemas.JOB_TEMPLATE_SPEC).build(), PatchSchema.EMPTY);
    private static final TablePrinter PRINTER = columns();

    @Override
    public ResourceType type() {
        return ResourceTypes.CRONJOBS;
    }

    @Override
    public void defaults(ObjectNode cronJob) {
        ObjectNode spec = obj(cronJob, "spec");
        def(spec, "concurrencyPolicy", "Allow");
        def(spec, "suspend", false);
        def(spec, "successfulJobsHistoryLimit", 3);
        def(spec, "failedJobsHistoryLimit", 1);
        // the job template's pod template gets pod defaults; JobSpec defaults come when the Job is created
        PodSpecDefaults.template(obj(obj(spec, "jobTemplate"), "spec"), true);
    }

    @Override
    public void validate(ObjectNode cronJob, ErrorList errs) {
        ObjectNode spec = objOrNull(cronJob, "spec");
        if (spec == null) {
            errs.required("spec");
            return;
        }
        String schedule = Cells.text(spec, "/schedule");
        if (schedule.isEmpty()) {
            errs.required("spec.schedule");
        } else {
            try {
                CronSchedule.parse(schedule);
            } catch (CronSchedule.InvalidException e) {
                errs.invalid("spec.schedule", schedule, e.getMessage());
            }
        }
        JsonNode timeZone = spec.get("timeZone");
        if (timeZone != null && !timeZone.isNull()) {
            try {
                CronSchedule.zone(timeZone.asText());
            } catch (CronSchedule.InvalidException e) {
                errs.invalid("spec.timeZone", timeZone.asText(), e.getMessage());
            }
        }
        String policy = Cells.text(spec, "/concurrencyPolicy");
        if (!CONCURRENCY.contains(policy)) {
            errs.notSupported("spec.concurrencyPolicy", policy, CONCURRENCY);
        }
        for (String f : List.of("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")) {
            PodSpecValidation.nonNegative(spec, f, "spec", errs);
        }
        ObjectNode jobTemplate = objOrNull(spec, "jobTemplate");
        if (jobTemplate == null) {
            errs.required("spec.jobTemplate");
            return;
        }
        ObjectMetaValidation.labelsAndAnnotations(objOrNull(jobTemplate, "metadata"), "spec.jobTemplate.metadata", errs);
        JobStrategy.validateSpec(objOrNull(jobTemplate, "spec"), "spec.jobTemplate.spec", errs);
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
    }

    private static TablePrinter columns() {
        return new KindPrinter(WorkloadColumns.columns(new String[]{
                "Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
                "Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
                "Suspend", "boolean", "This flag tells the controller to suspend subsequent executions.",
                "Active", "integer", "A list of pointers to currently running jobs.",
                "Last Schedule", "string", "Information when was the last time the job was successfully scheduled.",
                "Age", "string", TablePrinters.AGE}, WorkloadColumns.WIDE_CONTAINERS, WorkloadColumns.WIDE_SELECTOR),
                (o, now) -> {
                    JsonNode jobSpec = o.path("spec").path("jobTemplate").path("spec");
                    JsonNode template = jobSpec.path("template").path("spec");
                    JsonNode suspend = o.path("spec").path("suspend");
                    String last = text(o, "/status/lastScheduleTime");
                    return List.of(name(o), text(o, "/spec/schedule"), Cells.or(text(o, "/spec/timeZone"), "<none>"),
                            suspend.isBoolean() ? (suspend.asBoolean() ? "True" : "False") : "<unset>",
                            (long) o.path("status").path("active").size(),
                            last.isEmpty() ? "<none>" : Cells.since(last, now), TablePrinters.age(o, now),
                            containerNames(template), containerImages(template), formatSelector(jobSpec.path("selector")));
                });
    }
}
