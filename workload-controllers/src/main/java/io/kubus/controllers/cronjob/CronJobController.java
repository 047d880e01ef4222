package io.kubus.controllers.cronjob;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.common.JobStates;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.cron.CronSchedule;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Kubernetes' CronJob controller (pkg/controller/cronjob, v2): starts a Job from a CronJob's template at each time
 * its schedule fires, read in {@code spec.timeZone} (else this process's zone, as kube-controller-manager's), with
 * {@code concurrencyPolicy} Allow, Forbid or Replace and within {@code startingDeadlineSeconds}; of several missed
 * times only the most recent starts. Finished Jobs beyond the history limits are deleted, oldest first. The status
 * (active Jobs, lastScheduleTime, lastSuccessfulTime) is derived from the Job cache on every pass.
 *
 * <p>A run's Job is named {@code <cronjob>-<scheduled minutes since the epoch>}: a controller that starts the same
 * run twice (restarted after the create, before the status) gets AlreadyExists, so a run happens once.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class CronJobController implements Reconciler, ManagedController {
    static final String NAME = "cronjob";
    /** When a Job's run was due, in the CronJob's time zone (batchv1.CronJobScheduledTimestampAnnotation). */
    static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    /** Come back a little after a scheduled time, so that it is due (Kubernetes' nextScheduleDelta). */
    private static final Duration DELTA = Duration.ofMillis(100);
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
    private static final DateTimeFormatter RFC1123Z = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z",
            Locale.ROOT);

    private final KubusApi api;
    private final EventRecorder events;
    private final Informer<CronJob> cronJobs;
    private final Informer<Job> jobs;
    private final Controller controller;
    private final Clock clock = Clock.systemDefaultZone();

    public CronJobController(SharedInformers informers, KubusApi api, EventRecorder events,
                             ControllersSettings settings) {
        this.api = api;
        this.events = events;
        this.cronJobs = informers.informer(ResourceTypes.CRONJOBS, CronJob.class);
        this.jobs = informers.informer(ResourceTypes.JOBS, Job.class).addIndex(Index.NAMESPACE);
        this.controller = settings.newController(NAME, this);
        controller.primary(cronJobs);
        controller.watch(jobs, CronJobController::ownerKey);
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String key) {
        Optional<CronJob> cached = cronJobs.get(key);
        if (cached.isEmpty() || cached.get().getMetadata().getDeletionTimestamp() != null) {
            return Result.done();
        }
        CronJob cronJob = cached.get();
        Instant now = clock.instant();
        List<Job> children = jobs.byIndex(Index.NAMESPACE, cronJob.getMetadata().getNamespace()).stream()
                .filter(j -> OwnerReferences.isControlledBy(j, cronJob))
                .sorted(Comparator.comparing(j -> j.getMetadata().getName()))
                .toList();
        CronJobStatus before = Objects.requireNonNullElseGet(cronJob.getStatus(), CronJobStatus::new);
        Run run = new Run(cronJob, active(cronJob, before, children),
                latest(time(before.getLastScheduleTime()), children.stream().map(CronJobController::scheduledAt)),
                latest(time(before.getLastSuccessfulTime()), children.stream()
                        .filter(j -> "Complete".equals(finished(j))).map(j -> time(j.getStatus().getCompletionTime()))));
        Result next = Boolean.TRUE.equals(cronJob.getSpec().getSuspend()) ? Result.done() : schedule(run, children, now);
        deleteBeyondHistory(cronJob, children);
        writeStatus(cronJob, before, run);
        return next;
    }

    /** What this pass makes of the status: Jobs running, the latest run started, the latest success. */
    private static final class Run {
        final CronJob cronJob;
        final Map<String, ObjectReference> active;
        Instant lastSchedule;
        final Instant lastSuccess;

        Run(CronJob cronJob, Map<String, ObjectReference> active, Instant lastSchedule, Instant lastSuccess) {
            this.cronJob = cronJob;
            this.active = active;
            this.lastSchedule = lastSchedule;
            this.lastSuccess = lastSuccess;
        }
    }

    /**
     * The running Jobs it controls, by uid, in the order the status lists them. A finished one leaves the list; a
     * listed one the cache does not show is asked for (the cache may lag behind this controller's own create).
     */
    private Map<String, ObjectReference> active(CronJob cronJob, CronJobStatus before, List<Job> children) {
        Map<String, ObjectReference> listed = new LinkedHashMap<>();
        for (ObjectReference r : Objects.requireNonNullElse(before.getActive(), List.<ObjectReference>of())) {
            listed.put(r.getUid(), r);
        }
        Map<String, ObjectReference> active = new LinkedHashMap<>();
        Map<String, Job> byUid = new HashMap<>();
        for (Job j : children) {
            byUid.put(j.getMetadata().getUid(), j);
        }
        for (ObjectReference r : listed.values()) {
            Job j = byUid.get(r.getUid());
            if (j == null) {
                Optional<Job> fresh = api.get(ResourceTypes.JOBS, r.getNamespace(), r.getName(), Job.class)
                        .filter(f -> Objects.equals(f.getMetadata().getUid(), r.getUid()));
                if (fresh.isEmpty()) {
                    events.normal(cronJob, "MissingJob", "Active job went missing: " + r.getName());
                } else if (finished(fresh.get()) == null) {
                    active.put(r.getUid(), r);
                }
            } else if (finished(j) == null) {
                active.put(r.getUid(), r);
            } else {
                events.normal(cronJob, "SawCompletedJob", "Saw completed job: " + j.getMetadata().getName()
                        + ", condition: " + finished(j));
            }
        }
        for (Job j : children) {
            if (finished(j) != null || listed.containsKey(j.getMetadata().getUid())) {
                continue;
            }
            if (scheduledAt(j) == null) {
                // Made by someone else (kubectl create job --from=cronjob/..., or an adoption): shown while it
                // runs, never counted as a scheduled run.
                events.warning(cronJob, "UnexpectedJob", "Saw a job that the controller did not create or forgot: "
                        + j.getMetadata().getName());
            }
            active.put(j.getMetadata().getUid(), reference(j));
        }
        return active;
    }

    /** Starts the run that is due, if one is, and says when the next one will be. */
    private Result schedule(Run run, List<Job> children, Instant now) {
        CronJob cronJob = run.cronJob;
        CronJobSpec spec = cronJob.getSpec();
        ZoneId zone;
        CronSchedule schedule;
        try {
            zone = spec.getTimeZone() == null ? clock.getZone() : CronSchedule.zone(spec.getTimeZone());
        } catch (CronSchedule.InvalidException e) {
            events.warning(cronJob, "UnknownTimeZone", "invalid timeZone: \"" + spec.getTimeZone() + "\": "
                    + e.getMessage());
            return Result.done();
        }
        try {
            schedule = CronSchedule.parse(spec.getSchedule());
        } catch (CronSchedule.InvalidException e) {
            events.warning(cronJob, "UnparseableSchedule", "unparseable schedule: \"" + spec.getSchedule() + "\" : "
                    + e.getMessage());
            return Result.done();
        }
        Instant earliest = run.lastSchedule != null ? run.lastSchedule
                : Instant.parse(cronJob.getMetadata().getCreationTimestamp());
        Instant from = earliest;
        if (spec.getStartingDeadlineSeconds() != null) {
            Instant deadline = now.minusSeconds(spec.getStartingDeadlineSeconds());
            if (deadline.isAfter(earliest)) {
                from = deadline;
                // Runs between the last one and the deadline are gone for good: say so for the latest of them.
                ScheduleTimes.Due missed = ScheduleTimes.mostRecent(schedule, zone, earliest, deadline);
                if (missed.time() != null) {
                    events.warning(cronJob, "MissSchedule", "Missed scheduled time to start a job: "
                            + RFC1123Z.format(missed.time().atOffset(ZoneOffset.UTC)));
                }
            }
        }
        Result next = schedule.next(now.isAfter(earliest) ? now : earliest, zone)
                .map(t -> Result.requeueAfter(Duration.between(now, t).plus(DELTA)))
                .orElse(Result.done());
        ScheduleTimes.Due due = ScheduleTimes.mostRecent(schedule, zone, from, now);
        if (due.tooManyMissed()) {
            events.warning(cronJob, "TooManyMissedTimes", "too many missed start times. Set or decrease "
                    + ".spec.startingDeadlineSeconds or check clock skew");
        }
        if (due.time() == null || due.time().equals(run.lastSchedule)) {
            return next;
        }
        String name = jobName(cronJob, due.time());
        if (children.stream().anyMatch(j -> j.getMetadata().getName().equals(name))) {
            // Its minute's Job is there: an @every schedule firing again within the minute has nothing to start.
            run.lastSchedule = due.time();
            return next;
        }
        String policy = Objects.requireNonNullElse(spec.getConcurrencyPolicy(), "Allow");
        if (policy.equals("Forbid") && !run.active.isEmpty()) {
            // The run stays due: when the running Job finishes, its event brings the key back within the deadline.
            events.normal(cronJob, "JobAlreadyActive",
                    "Not starting job because prior execution is running and concurrency policy is Forbid");
            return next;
        }
        if (policy.equals("Replace")) {
            for (ObjectReference r : List.copyOf(run.active.values())) {
                delete(cronJob, r.getName());
                run.active.remove(r.getUid());
            }
        }
        Job job = jobFor(cronJob, name, due.time(), spec.getTimeZone() == null ? ZoneOffset.UTC : zone);
        try {
            Job created = api.create(ResourceTypes.JOBS, job);
            events.normal(cronJob, "SuccessfulCreate", "Created job " + name);
            run.active.put(created.getMetadata().getUid(), reference(created));
        } catch (KubusApiException e) {
            if (e.hasCause("NamespaceTerminating")) {
                return Result.done();
            }
            Optional<Job> ours = e.isAlreadyExists() ? api.get(ResourceTypes.JOBS, job.getMetadata().getNamespace(),
                    name, Job.class).filter(j -> OwnerReferences.isControlledBy(j, cronJob)) : Optional.empty();
            if (ours.isEmpty()) {
                events.warning(cronJob, "FailedCreate", "Error creating job: " + e.statusMessage());
                if (e.isAlreadyExists()) {
                    return next; // a Job of another owner holds the name: this run cannot start
                }
                throw e;
            }
            // Started before, by this controller before a restart or another pass: the run is done, not repeated.
            if (finished(ours.get()) == null) {
                run.active.putIfAbsent(ours.get().getMetadata().getUid(), reference(ours.get()));
            }
        }
        run.lastSchedule = due.time();
        return next;
    }

    private static Job jobFor(CronJob cronJob, String name, Instant scheduled, ZoneId annotationZone) {
        JobTemplateSpec template = cronJob.getSpec().getJobTemplate();
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        Map<String, String> annotations = new LinkedHashMap<>(template.getMetadata() == null
                || template.getMetadata().getAnnotations() == null ? Map.of() : template.getMetadata().getAnnotations());
        annotations.put(SCHEDULED_TIMESTAMP, RFC3339.format(scheduled.atZone(annotationZone)));
        return new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(cronJob.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(annotations)
                .withOwnerReferences(OwnerReferences.controllerReference(cronJob))
                .endMetadata()
                .withSpec(template.getSpec())
                .build();
    }

    /** Deletes the oldest finished Jobs beyond {@code successfulJobsHistoryLimit} and {@code failedJobsHistoryLimit}. */
    private void deleteBeyondHistory(CronJob cronJob, List<Job> children) {
        Map<String, List<Job>> byOutcome = children.stream().filter(j -> finished(j) != null)
                .collect(Collectors.groupingBy(CronJobController::finished));
        Map<String, Integer> limits = new HashMap<>();
        if (cronJob.getSpec().getSuccessfulJobsHistoryLimit() != null) {
            limits.put("Complete", cronJob.getSpec().getSuccessfulJobsHistoryLimit());
        }
        if (cronJob.getSpec().getFailedJobsHistoryLimit() != null) {
            limits.put("Failed", cronJob.getSpec().getFailedJobsHistoryLimit());
        }
        limits.forEach((outcome, limit) -> {
            List<Job> oldestFirst = byOutcome.getOrDefault(outcome, List.of()).stream()
                    .sorted(Comparator.comparing((Job j) -> time(j.getStatus().getStartTime()),
                            Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(j -> j.getMetadata().getName()))
                    .toList();
            for (int i = 0; i < oldestFirst.size() - limit; i++) {
                delete(cronJob, oldestFirst.get(i).getMetadata().getName());
            }
        });
    }

    /** Deletes one of its Jobs with its pods (Jobs orphan their pods by default). */
    private void delete(CronJob cronJob, String job) {
        try {
            if (api.deleteIfExists(ResourceTypes.JOBS, cronJob.getMetadata().getNamespace(), job, null, "Background")) {
                events.normal(cronJob, "SuccessfulDelete", "Deleted job " + job);
            }
        } catch (KubusApiException e) {
            events.warning(cronJob, "FailedDelete", "Deleted job: " + e.statusMessage());
            throw e;
        }
    }

    private void writeStatus(CronJob cronJob, CronJobStatus before, Run run) {
        List<ObjectReference> active = List.copyOf(run.active.values());
        String lastSchedule = format(run.lastSchedule);
        String lastSuccess = format(run.lastSuccess);
        if (active.equals(Objects.requireNonNullElse(before.getActive(), List.of()))
                && Objects.equals(lastSchedule, before.getLastScheduleTime())
                && Objects.equals(lastSuccess, before.getLastSuccessfulTime())) {
            return;
        }
        CronJob copy = new CronJobBuilder(cronJob).build();
        copy.setStatus(new CronJobStatusBuilder().withActive(active).withLastScheduleTime(lastSchedule)
                .withLastSuccessfulTime(lastSuccess).build());
        // A conflict (the cache behind this controller's own last write) throws: the key comes back, and the pass
        // derives the same status from the caches again.
        api.updateStatus(ResourceTypes.CRONJOBS, copy);
    }

    static String jobName(CronJob cronJob, Instant scheduled) {
        return cronJob.getMetadata().getName() + "-" + scheduled.getEpochSecond() / 60;
    }

    /** "Complete" or "Failed" for a finished Job, else null. */
    private static String finished(Job job) {
        return JobStates.finished(job).map(JobCondition::getType).orElse(null);
    }

    /** When this controller scheduled the Job, from its annotation; null for a Job made otherwise. */
    private static Instant scheduledAt(Job job) {
        Map<String, String> annotations = job.getMetadata().getAnnotations();
        String at = annotations == null ? null : annotations.get(SCHEDULED_TIMESTAMP);
        if (at == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(at).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static ObjectReference reference(Job job) {
        return new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                .withNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid()).withResourceVersion(job.getMetadata().getResourceVersion()).build();
    }

    private static Instant latest(Instant known, Stream<Instant> seen) {
        return seen.filter(Objects::nonNull).reduce(known, (a, b) -> a == null || b.isAfter(a) ? b : a);
    }

    private static Instant time(String rfc3339) {
        return rfc3339 == null || rfc3339.isEmpty() ? null : OffsetDateTime.parse(rfc3339).toInstant();
    }

    private static String format(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The key of the CronJob that controls {@code job}, if one does. */
    private static List<String> ownerKey(Job job) {
        return OwnerReferences.controllerOf(job).filter(r -> "CronJob".equals(r.getKind()))
                .map(r -> List.of(job.getMetadata().getNamespace() + "/" + r.getName())).orElse(List.of());
    }
}
