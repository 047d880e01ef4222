package io.kubus.controllers.job;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyRule;
import io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPods;
import io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPodsBuilder;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.api.PatchKind;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Expectations;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.common.ControllerRefManager;
import io.kubus.controllers.common.Fanout;
import io.kubus.controllers.common.OwnedPodEvents;
import io.kubus.controllers.common.OwnerReferences;
import io.kubus.controllers.common.PodControl;
import io.kubus.controllers.common.PodDeletionOrder;
import io.kubus.controllers.common.PodStates;
import io.kubus.controllers.common.SlowStart;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.selector.LabelSelector;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static io.kubus.controllers.common.JobStates.condition;
import static io.kubus.controllers.common.JobStates.isFinished;

/**
 * Kubernetes' Job controller: runs a Job's pods until it has its completions (or one success, without completions),
 * at most {@code parallelism} at a time, replacing failed pods after a back-off until {@code backoffLimit},
 * {@code activeDeadlineSeconds}, the pod failure policy or the per-index limits end it; Indexed Jobs give each pod
 * an index. Suspending deletes the active pods; resuming starts the clock again.
 *
 * <p>Every pod carries the {@code batch.kubernetes.io/job-tracking} finalizer until it is counted, so a pod deleted
 * or garbage-collected before the controller saw how it ended is still counted, exactly once: a finished pod's uid
 * goes into {@code status.uncountedTerminatedPods} first, then its finalizer is removed, then the uid moves into the
 * counts. A controller killed between any two of these steps finds in the status and the pods where it stopped.
 *
 * <p>A Job that met its end gets the interim {@code SuccessCriteriaMet} or {@code FailureTarget} condition first and
 * {@code Complete} or {@code Failed} once none of its pods is still terminating, as Kubernetes 1.32 does.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class JobController implements Reconciler, ManagedController {
    static final String NAME = "job";
    static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
    static final String INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";
    static final String INDEX_FAILURE_COUNT_ANNOTATION = "batch.kubernetes.io/job-index-failure-count";
    static final String INDEX_ENV = "JOB_COMPLETION_INDEX";
    /** At most this many pods created, deleted or counted in one pass, so that one big Job does not starve others. */
    static final int MAX_PER_SYNC = 500;
    static final Duration BACKOFF_BASE = Duration.ofSeconds(10);
    static final Duration BACKOFF_MAX = Duration.ofMinutes(6);

    private final KubusApi api;
    private final EventRecorder events;
    private final PodControl podControl;
    private final Informer<Job> jobs;
    private final Informer<Pod> pods;
    private final Expectations expectations;
    /** Per Job, the pod uids whose finalizer this controller removed and the cache does not show gone yet. */
    private final Expectations finalizerRemovals;
    private final Controller controller;
    private final ControllerRefManager<Pod> claims;
    private final OwnedPodEvents<Job> owned;
    /**
     * Per Job, the resourceVersion of this controller's last status write. A cached Job older than that has not got
     * the write yet: its counts lag behind pods already counted and released, and acting on them would start pods the
     * Job no longer needs, so such a Job waits for its cache (the write's own change event queues it again).
     */
    private final Map<String, Long> written = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    public JobController(SharedInformers informers, KubusApi api, EventRecorder events, PodControl podControl,
                         ControllersSettings settings) {
        this.api = api;
        this.events = events;
        this.podControl = podControl;
        this.jobs = informers.informer(ResourceTypes.JOBS, Job.class).addIndex(Index.NAMESPACE);
        this.pods = informers.informer(ResourceTypes.PODS, Pod.class).addIndex(Index.NAMESPACE);
        this.expectations = new Expectations(settings.getExpectationsTtl());
        this.finalizerRemovals = new Expectations(settings.getExpectationsTtl());
        this.controller = settings.newController(NAME, this).primary(jobs);
        this.claims = new ControllerRefManager<>(api, ResourceTypes.JOBS, ResourceTypes.PODS, controller);
        this.owned = new OwnedPodEvents<>(controller, expectations, jobs, "Job", JobController::selector);
        pods.addHandler(owned);
        pods.addHandler(new TrackingFinalizerEvents());
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public void onStartedLeading() {
        expectations.clear();
        finalizerRemovals.clear();
        written.clear();
    }

    @Override
    public Result reconcile(String key) throws Exception {
        Optional<Job> cached = jobs.get(key);
        if (cached.isEmpty()) {
            expectations.forget(key);
            finalizerRemovals.forget(key);
            written.remove(key);
            releaseOrphans(key);
            return Result.done();
        }
        Long lastWrite = written.get(key);
        if (lastWrite != null && version(cached.get()) < lastWrite) {
            return Result.requeueAfter(Duration.ofSeconds(1)); // the write's event comes first, as a rule
        }
        Job job = copy(cached.get());
        // The expectations are read before the pod cache, as syncJob reads them: a change this controller awaits is
        // either still awaited in what is read here or already in the cache read next. Read after the cache, an
        // awaited finalizer removal observed in between would be neither, and the pod would be counted again.
        boolean satisfied = expectations.satisfied(key);
        Set<String> removing = finalizerRemovals.expectedDeletions(key);
        List<Pod> all = pods.byIndex(Index.NAMESPACE, job.getMetadata().getNamespace());
        if (isFinished(job)) {
            // Nothing runs any more; pods that still carry the finalizer (a controller that stopped half-way) lose it.
            removeFinalizers(key, all.stream().filter(p -> OwnerReferences.isControlledBy(p, job))
                    .filter(JobController::hasFinalizer)
                    .filter(p -> !removing.contains(p.getMetadata().getUid())).toList());
            return Result.done();
        }
        return new Sync(key, job, claims.claim(job, selector(job), all), satisfied, removing).run();
    }

    /** One pass over one Job (syncJob): {@code job} is a working copy whose status accumulates the changes. */
    private final class Sync {
        private final String key;
        private Job job;
        private final List<Pod> pods;
        private final Instant now = clock.instant();
        private final boolean satisfied;
        /** Uids whose finalizer removal is awaited: those read at the start of the sync, then those it removes. */
        private final Set<String> removing;
        private final boolean indexed;
        private final Set<String> uncountedSucceeded;
        private final Set<String> uncountedFailed;
        private List<Pod> active;
        private int terminating;
        private int ready;
        private int succeeded;
        private CompletionIndexes succeededIndexes = CompletionIndexes.none();
        private CompletionIndexes failedIndexes = CompletionIndexes.none();
        private JobCondition finished;
        private Result result = Result.done();

        Sync(String key, Job job, List<Pod> pods, boolean satisfied, Set<String> removing) {
            this.key = key;
            this.job = job;
            this.pods = pods;
            this.satisfied = satisfied;
            this.removing = new HashSet<>(removing);
            this.indexed = isIndexed(job);
            if (job.getStatus() == null) {
                job.setStatus(new JobStatus());
            }
            UncountedTerminatedPods u = job.getStatus().getUncountedTerminatedPods();
            this.uncountedSucceeded = new LinkedHashSet<>(u == null || u.getSucceeded() == null ? List.of() : u.getSucceeded());
            this.uncountedFailed = new LinkedHashSet<>(u == null || u.getFailed() == null ? List.of() : u.getFailed());
        }

        Result run() throws InterruptedException {
            JobStatus status = job.getStatus();
            active = pods.stream().filter(PodStates::isActive).toList();
            terminating = (int) pods.stream().filter(JobController::isTerminating).count();
            ready = (int) active.stream().filter(PodStates::isReady).count();
            List<Pod> newSucceeded = untracked(p -> "Succeeded".equals(phase(p)), uncountedSucceeded);
            List<Pod> newFailed = untracked(p -> isFailed(p, job), uncountedFailed);
            succeeded = intOf(status.getSucceeded()) + newSucceeded.size() + uncountedSucceeded.size();
            int failed = intOf(status.getFailed()) + uncountedFailed.size()
                    + (int) newFailed.stream().filter(p -> policy(p).counted()).count();
            if (status.getStartTime() == null && !isSuspended(job)) {
                status.setStartTime(time(now));
            }

            finished = condition(job, "SuccessCriteriaMet").orElse(null);
            if (finished == null) {
                Optional<JobCondition> target = condition(job, "FailureTarget");
                if (target.isPresent()) {
                    finished = target.get();
                } else {
                    newFailed.stream().map(this::policy).map(PodFailurePolicies.Match::failJobMessage)
                            .filter(Objects::nonNull).findFirst()
                            .ifPresent(m -> finished = newCondition("FailureTarget", "PodFailurePolicy", m));
                }
            }
            if (finished == null) {
                if (failed > backoffLimit(job) || pastBackoffLimitOnFailure()) {
                    finished = newCondition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
                } else if (pastActiveDeadline()) {
                    finished = newCondition("FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline");
                } else if (job.getSpec().getActiveDeadlineSeconds() != null && !isSuspended(job)) {
                    Instant deadline = Instant.parse(status.getStartTime()).plusSeconds(job.getSpec().getActiveDeadlineSeconds());
                    result = result.orSooner(Result.requeueAfter(Duration.between(now, deadline).plusMillis(100)));
                }
            }
            if (indexed) {
                succeededIndexes = CompletionIndexes.parse(status.getCompletedIndexes(), completions(job))
                        .with(pods.stream().filter(p -> "Succeeded".equals(phase(p))).map(JobController::index)
                                .filter(i -> i >= 0 && i < completions(job)).toList());
                succeeded = succeededIndexes.total();
                if (job.getSpec().getBackoffLimitPerIndex() != null) {
                    failedIndexes = failedIndexes();
                    if (finished == null) {
                        Integer maxFailed = job.getSpec().getMaxFailedIndexes();
                        if (maxFailed != null && failedIndexes.total() > maxFailed) {
                            finished = newCondition("FailureTarget", "MaxFailedIndexesExceeded",
                                    "Job has exceeded the specified maximal number of failed indexes");
                        } else if (failedIndexes.total() > 0
                                && failedIndexes.total() + succeededIndexes.total() >= completions(job)) {
                            finished = newCondition("FailureTarget", "FailedIndexes", "Job has failed indexes");
                        }
                    }
                }
                if (finished == null) {
                    matchSuccessPolicy().ifPresent(m -> finished = newCondition("SuccessCriteriaMet", "SuccessPolicy", m));
                }
            }

            boolean suspendChanged = false;
            int activeCount = active.size();
            KubusApiException manageError = null;
            if (finished != null) {
                int deleted = deleteAll(active, false);
                if (deleted != active.size() || !satisfied) {
                    finished = null; // pods or their finalizers still to go: not finished yet
                }
                activeCount -= deleted;
                terminating += deleted;
            } else {
                boolean managed = false;
                if (satisfied && job.getMetadata().getDeletionTimestamp() == null) {
                    try {
                        activeCount = manage();
                    } catch (KubusApiException e) {
                        manageError = e;
                    }
                    managed = true;
                }
                Integer completions = job.getSpec().getCompletions();
                boolean complete = completions == null ? succeeded > 0 && activeCount == 0
                        : succeeded >= completions && activeCount == 0;
                if (complete) {
                    finished = newCondition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods");
                } else if (managed) {
                    suspendChanged = isSuspended(job)
                            ? setCondition("Suspended", "True", "JobSuspended", "Job suspended", "Suspended")
                            : setCondition("Suspended", "False", "JobResumed", "Job resumed", "Resumed");
                    if (suspendChanged && !isSuspended(job)) {
                        // activeDeadlineSeconds counts time the Job runs, so a resumed Job starts it anew.
                        status.setStartTime(time(now));
                    }
                }
            }
            boolean flush = suspendChanged || activeCount != intOf(status.getActive())
                    || ready != intOf(status.getReady()) || terminating != intOf(status.getTerminating());
            status.setActive(activeCount);
            status.setReady(ready);
            status.setTerminating(terminating);
            track(flush);
            if (manageError != null) {
                throw manageError;
            }
            return result;
        }

        /** Finished pods that still carry the finalizer and are not yet in {@code uncounted} (nor being counted). */
        private List<Pod> untracked(java.util.function.Predicate<Pod> finishedAs, Set<String> uncounted) {
            List<Pod> result = new ArrayList<>();
            for (Pod p : pods) {
                String uid = p.getMetadata().getUid();
                if (!hasFinalizer(p) || uncounted.contains(uid) || removing.contains(uid)) {
                    continue;
                }
                if (indexed && !validIndex(p)) {
                    continue;
                }
                if (finishedAs.test(p)) {
                    result.add(p);
                }
            }
            return result;
        }

        private boolean validIndex(Pod p) {
            int i = index(p);
            return i >= 0 && i < completions(job);
        }

        private PodFailurePolicies.Match policy(Pod p) {
            return PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), p);
        }

        private boolean pastBackoffLimitOnFailure() {
            if (!"OnFailure".equals(job.getSpec().getTemplate().getSpec().getRestartPolicy())) {
                return false;
            }
            int restarts = 0;
            for (Pod p : pods) {
                String phase = phase(p);
                if ("Running".equals(phase) || "Pending".equals(phase)) {
                    for (ContainerStatus s : containerStatuses(p)) {
                        restarts += intOf(s.getRestartCount());
                    }
                }
            }
            int limit = backoffLimit(job);
            return limit == 0 ? restarts > 0 : restarts >= limit;
        }

        private boolean pastActiveDeadline() {
            Long seconds = job.getSpec().getActiveDeadlineSeconds();
            String start = job.getStatus().getStartTime();
            return seconds != null && start != null && !isSuspended(job)
                    && !Instant.parse(start).plusSeconds(seconds).isAfter(now);
        }

        /**
         * Indexes failed for good: those recorded, and those of failed pods whose index has now failed more often
         * than backoffLimitPerIndex allows or that a FailIndex rule matched.
         */
        private CompletionIndexes failedIndexes() {
            Map<Integer, Integer> failures = indexFailures();
            List<Integer> failedNow = new ArrayList<>();
            for (Pod p : pods) {
                int i = index(p);
                if (!validIndex(p) || !isFailed(p, job)) {
                    continue;
                }
                PodFailurePolicies.Match m = policy(p);
                if (m.action() == PodFailurePolicies.Action.FAIL_INDEX
                        || failures.getOrDefault(i, 0) > job.getSpec().getBackoffLimitPerIndex()) {
                    failedNow.add(i);
                }
            }
            return CompletionIndexes.parse(job.getStatus().getFailedIndexes(), completions(job)).with(failedNow);
        }

        /** Counted failures per index, from the failed pods of each index still known. */
        private Map<Integer, Integer> indexFailures() {
            Map<Integer, Integer> failures = new HashMap<>();
            for (Pod p : pods) {
                if (validIndex(p) && isFailed(p, job) && policy(p).counted()) {
                    failures.merge(index(p), 1, Integer::sum);
                }
            }
            return failures;
        }

        /** The first successPolicy rule the succeeded indexes meet, as the message of SuccessCriteriaMet. */
        private Optional<String> matchSuccessPolicy() {
            if (job.getSpec().getSuccessPolicy() == null || job.getSpec().getSuccessPolicy().getRules() == null) {
                return Optional.empty();
            }
            List<SuccessPolicyRule> rules = job.getSpec().getSuccessPolicy().getRules();
            for (int r = 0; r < rules.size(); r++) {
                SuccessPolicyRule rule = rules.get(r);
                CompletionIndexes wanted = rule.getSucceededIndexes() == null ? null
                        : CompletionIndexes.parse(rule.getSucceededIndexes(), completions(job));
                int met = 0;
                boolean all = true;
                for (int i = 0; i < completions(job); i++) {
                    if (wanted != null && !wanted.has(i)) {
                        continue;
                    }
                    if (succeededIndexes.has(i)) {
                        met++;
                    } else {
                        all = false;
                    }
                }
                boolean ok = rule.getSucceededCount() != null ? met >= rule.getSucceededCount() : all && wanted != null;
                if (ok) {
                    return Optional.of("Matched rules at index " + r);
                }
            }
            return Optional.empty();
        }

        /** manageJob: suspends, scales down or creates up to what the Job wants running now; returns the active count. */
        private int manage() throws InterruptedException {
            int activeCount = active.size();
            if (isSuspended(job)) {
                List<Pod> victims = PodDeletionOrder.choose(active, active.size());
                int deleted = deleteAll(victims, true);
                terminating += deleted;
                return activeCount - deleted;
            }
            int parallelism = intOf(job.getSpec().getParallelism());
            int wantActive;
            if (job.getSpec().getCompletions() == null) {
                wantActive = succeeded > 0 ? activeCount : parallelism;
            } else {
                wantActive = Math.max(0, Math.min(parallelism, job.getSpec().getCompletions() - succeeded));
            }
            List<Pod> victims = victims(Math.max(0, activeCount - wantActive));
            if (!victims.isEmpty()) {
                int deleted = deleteAll(victims.subList(0, Math.min(victims.size(), MAX_PER_SYNC)), true);
                terminating += deleted;
                return activeCount - deleted;
            }
            int replacing = onlyReplaceFailed(job) ? terminating : 0;
            int diff = Math.min(wantActive - replacing - activeCount, MAX_PER_SYNC);
            if (diff <= 0) {
                return activeCount;
            }
            Duration wait = backoffRemaining();
            if (wait.isPositive()) {
                result = result.orSooner(Result.requeueAfter(wait.plusMillis(100)));
                return activeCount;
            }
            List<Integer> indexes = indexed ? pendingIndexes(diff) : List.of();
            int count = indexed ? indexes.size() : diff;
            expectations.expectCreations(key, count);
            PodTemplateSpec template = job.getSpec().getTemplate();
            Map<Integer, Integer> failures = indexed ? indexFailures() : Map.of();
            SlowStart.Outcome outcome = SlowStart.run(count, i -> podControl.create(
                    podFor(template, indexed ? indexes.get(i) : -1, failures), job));
            for (int i = outcome.succeeded(); i < count; i++) {
                expectations.creationObserved(key);
            }
            if (outcome.failure() != null && !outcome.namespaceTerminating()) {
                throw outcome.failure();
            }
            return activeCount + outcome.succeeded();
        }

        /** activePodsForRemoval: for an Indexed Job, pods of a repeated or out-of-range index first. */
        private List<Pod> victims(int atLeast) {
            List<Pod> chosen = new ArrayList<>();
            List<Pod> rest = new ArrayList<>();
            if (indexed) {
                Set<Integer> seen = new HashSet<>();
                List<Pod> byAge = new ArrayList<>(active);
                byAge.sort(Comparator.comparing(p -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), "")));
                for (Pod p : byAge) {
                    if (!validIndex(p) || !seen.add(index(p))) {
                        chosen.add(p);
                    } else {
                        rest.add(p);
                    }
                }
            } else {
                rest.addAll(active);
            }
            if (chosen.size() < atLeast) {
                chosen.addAll(PodDeletionOrder.choose(rest, atLeast - chosen.size()));
            }
            return chosen;
        }

        /** The lowest indexes neither succeeded, failed for good, nor running. */
        private List<Integer> pendingIndexes(int count) {
            Set<Integer> running = new HashSet<>();
            active.forEach(p -> running.add(index(p)));
            List<Integer> result = new ArrayList<>();
            for (int i = 0; i < completions(job) && result.size() < count; i++) {
                if (!succeededIndexes.has(i) && !failedIndexes.has(i) && !running.contains(i)) {
                    result.add(i);
                }
            }
            return result;
        }

        /**
         * How long until the next pod may start after failures: 10 s doubling per failure since the last success,
         * up to 6 minutes, from when the last failed pod ended. Read from the pods, so a restarted controller keeps it.
         */
        private Duration backoffRemaining() {
            List<Pod> ended = new ArrayList<>(pods.stream()
                    .filter(p -> "Succeeded".equals(phase(p)) || (isFailed(p, job) && policy(p).counted())).toList());
            ended.sort(Comparator.comparing(JobController::finishedAt));
            int failures = 0;
            Instant lastFailure = null;
            for (Pod p : ended) {
                if ("Succeeded".equals(phase(p))) {
                    failures = 0;
                    lastFailure = null;
                } else {
                    failures++;
                    lastFailure = finishedAt(p);
                }
            }
            if (failures == 0) {
                return Duration.ZERO;
            }
            Duration delay = BACKOFF_BASE.multipliedBy(1L << Math.min(failures - 1, 10));
            if (delay.compareTo(BACKOFF_MAX) > 0) {
                delay = BACKOFF_MAX;
            }
            return Duration.between(now, lastFailure.plus(delay));
        }

        private Pod podFor(PodTemplateSpec template, int index, Map<Integer, Integer> failures) {
            // a copy: the template's objects are the cached Job's, which this must not change
            Pod pod = new PodBuilder(PodControl.fromTemplate(template, job)).build();
            List<String> finalizers = new ArrayList<>(Objects.requireNonNullElse(pod.getMetadata().getFinalizers(), List.of()));
            if (!finalizers.contains(TRACKING_FINALIZER)) {
                finalizers.add(TRACKING_FINALIZER);
            }
            pod.getMetadata().setFinalizers(finalizers);
            if (index < 0) {
                return pod;
            }
            String value = Integer.toString(index);
            Map<String, String> annotations = new HashMap<>(Objects.requireNonNullElse(pod.getMetadata().getAnnotations(), Map.of()));
            annotations.put(INDEX_ANNOTATION, value);
            if (job.getSpec().getBackoffLimitPerIndex() != null) {
                annotations.put(INDEX_FAILURE_COUNT_ANNOTATION, Integer.toString(failures.getOrDefault(index, 0)));
            }
            pod.getMetadata().setAnnotations(annotations);
            Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of()));
            labels.put(INDEX_ANNOTATION, value);
            pod.getMetadata().setLabels(labels);
            pod.getMetadata().setGenerateName(job.getMetadata().getName() + "-" + index + "-");
            pod.getSpec().setHostname(job.getMetadata().getName() + "-" + index);
            List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
            if (pod.getSpec().getInitContainers() != null) {
                containers.addAll(pod.getSpec().getInitContainers());
            }
            for (Container c : containers) {
                List<EnvVar> env = new ArrayList<>(Objects.requireNonNullElse(c.getEnv(), List.of()));
                if (env.stream().noneMatch(e -> INDEX_ENV.equals(e.getName()))) {
                    env.add(new EnvVarBuilder().withName(INDEX_ENV).withNewValueFrom().withNewFieldRef()
                            .withFieldPath("metadata.annotations['" + INDEX_ANNOTATION + "']").endFieldRef()
                            .endValueFrom().build());
                    c.setEnv(env);
                }
            }
            return pod;
        }

        /**
         * Deletes pods in parallel; with {@code dropFinalizer} (pods the Job no longer wants: suspended or too many)
         * their finalizer goes first, as such a pod is no failure. Returns how many were deleted.
         */
        private int deleteAll(List<Pod> victims, boolean dropFinalizer) throws InterruptedException {
            if (victims.isEmpty()) {
                return 0;
            }
            if (dropFinalizer) {
                expectations.expectDeletions(key, victims.stream().map(Informer::keyOf).toList());
            }
            return Fanout.run(victims, p -> {
                if (dropFinalizer && hasFinalizer(p)) {
                    patchOutFinalizer(p);
                }
                podControl.delete(p, job);
            }, (p, e) -> {
                if (dropFinalizer) {
                    expectations.deletionObserved(key, Informer.keyOf(p));
                }
            });
        }

        /**
         * trackJobStatusAndRemoveFinalizers: records the uids of newly finished pods as uncounted, removes their
         * finalizers, moves them into the counts, and finishes the Job when nothing is left uncounted or terminating.
         */
        private void track(boolean flush) throws InterruptedException {
            Set<String> withFinalizer = new HashSet<>();
            for (Pod p : pods) {
                if (hasFinalizer(p) && !removing.contains(p.getMetadata().getUid())) {
                    withFinalizer.add(p.getMetadata().getUid());
                }
            }
            flush |= countUncounted(withFinalizer);
            boolean jobEnding = finished != null && !"SuccessCriteriaMet".equals(finished.getType());
            List<Pod> toRelease = new ArrayList<>();
            List<Integer> newSucceededIndexes = new ArrayList<>();
            for (Pod p : indexed ? byIndex(pods) : pods) {
                String uid = p.getMetadata().getUid();
                if (!hasFinalizer(p) || removing.contains(uid)) {
                    continue;
                }
                boolean failed = isFailed(p, job);
                boolean releasable = job.getMetadata().getDeletionTimestamp() != null || finished != null
                        || "Succeeded".equals(phase(p)) || failed;
                if (!releasable) {
                    continue;
                }
                toRelease.add(p);
                if ("Succeeded".equals(phase(p)) && !uncountedFailed.contains(uid)) {
                    if (indexed) {
                        if (validIndex(p) && !succeededIndexes.has(index(p))) {
                            newSucceededIndexes.add(index(p));
                        }
                    } else if (uncountedSucceeded.add(uid)) {
                        flush = true;
                    }
                } else if ((failed || jobEnding) && !uncountedFailed.contains(uid) && (!indexed || validIndex(p))
                        && policy(p).counted()) {
                    uncountedFailed.add(uid);
                    flush = true;
                }
                if (newSucceededIndexes.size() + uncountedSucceeded.size() + uncountedFailed.size() >= MAX_PER_SYNC) {
                    controller.enqueue(key);
                    break;
                }
            }
            JobStatus status = job.getStatus();
            if (indexed) {
                succeededIndexes = succeededIndexes.with(newSucceededIndexes);
                String completed = succeededIndexes.toString();
                flush |= !completed.equals(Objects.requireNonNullElse(status.getCompletedIndexes(), ""));
                status.setCompletedIndexes(completed);
                status.setSucceeded(succeededIndexes.total());
                if (job.getSpec().getBackoffLimitPerIndex() != null) {
                    String failedText = failedIndexes.toString();
                    flush |= !failedText.equals(status.getFailedIndexes());
                    status.setFailedIndexes(failedText);
                }
            }
            JobCondition terminal = null;
            if (finished != null && finished.getType().equals("FailureTarget")) {
                flush |= setCondition("FailureTarget", "True", finished.getReason(), finished.getMessage(), null);
                terminal = newCondition("Failed", finished.getReason(), finished.getMessage());
            } else if (finished != null) {
                flush |= setCondition("SuccessCriteriaMet", "True", finished.getReason(), finished.getMessage(), null);
                terminal = newCondition("Complete", finished.getReason(), finished.getMessage());
            }
            setUncounted();
            if (flush) {
                writeStatus();
            }
            removeFinalizers(key, toRelease); // throws unless every one is gone
            for (Pod p : toRelease) {
                removing.add(p.getMetadata().getUid());
                withFinalizer.remove(p.getMetadata().getUid());
            }
            boolean moved = countUncounted(withFinalizer);
            boolean done = terminal != null && uncountedSucceeded.isEmpty() && uncountedFailed.isEmpty() && terminating == 0;
            if (done) {
                setCondition(terminal.getType(), "True", terminal.getReason(), terminal.getMessage(), null);
                if (terminal.getType().equals("Complete")) {
                    job.getStatus().setCompletionTime(time(now)); // job, not status: a write above replaced it
                }
            }
            if (moved || done) {
                setUncounted();
                writeStatus();
            }
            if (done) {
                if (terminal.getType().equals("Complete")) {
                    events.normal(job, "Completed", "Job completed");
                } else {
                    events.warning(job, terminal.getReason(), terminal.getMessage());
                }
            }
        }

        /** cleanUncountedPodsWithoutFinalizers: uncounted uids whose pod lost its finalizer (or is gone) count now. */
        private boolean countUncounted(Set<String> withFinalizer) {
            JobStatus status = job.getStatus();
            int s = uncountedSucceeded.size();
            int f = uncountedFailed.size();
            uncountedSucceeded.retainAll(withFinalizer);
            uncountedFailed.retainAll(withFinalizer);
            status.setSucceeded(intOf(status.getSucceeded()) + (indexed ? 0 : s - uncountedSucceeded.size()));
            status.setFailed(intOf(status.getFailed()) + f - uncountedFailed.size());
            return s != uncountedSucceeded.size() || f != uncountedFailed.size();
        }

        private void setUncounted() {
            job.getStatus().setUncountedTerminatedPods(new UncountedTerminatedPodsBuilder()
                    .withFailed(new ArrayList<>(uncountedFailed)).withSucceeded(new ArrayList<>(uncountedSucceeded)).build());
        }

        private void writeStatus() {
            job = api.updateStatus(ResourceTypes.JOBS, job);
            written.put(key, version(job));
        }

        private JobCondition newCondition(String type, String reason, String message) {
            return newCondition(type, "True", reason, message);
        }

        private JobCondition newCondition(String type, String value, String reason, String message) {
            return new JobConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
                    .withLastProbeTime(time(now)).withLastTransitionTime(time(now)).build();
        }

        /**
         * ensureJobConditionStatus: sets a condition (a False one only where it exists already); true when it changed.
         * {@code eventReason} names the Normal event recorded on a change, if any.
         */
        private boolean setCondition(String type, String value, String reason, String message, String eventReason) {
            List<JobCondition> conditions = new ArrayList<>(Objects.requireNonNullElse(job.getStatus().getConditions(), List.of()));
            int at = -1;
            for (int i = 0; i < conditions.size(); i++) {
                if (type.equals(conditions.get(i).getType())) {
                    at = i;
                }
            }
            if (at >= 0) {
                JobCondition c = conditions.get(at);
                if (value.equals(c.getStatus()) && Objects.equals(reason, c.getReason()) && Objects.equals(message, c.getMessage())) {
                    return false;
                }
                conditions.set(at, newCondition(type, value, reason, message));
            } else if (value.equals("False")) {
                return false;
            } else {
                conditions.add(newCondition(type, value, reason, message));
            }
            job.getStatus().setConditions(conditions);
            if (eventReason != null) {
                events.normal(job, eventReason, message);
            }
            return true;
        }
    }

    /**
     * Removes the tracking finalizer from each pod (a strategic merge patch, so nothing else changes); throws, once
     * all were tried, if one could not be removed from a pod that is still there.
     */
    private void removeFinalizers(String key, List<Pod> list) throws InterruptedException {
        if (list.isEmpty()) {
            return;
        }
        finalizerRemovals.expectDeletions(key, list.stream().map(p -> p.getMetadata().getUid()).toList());
        Fanout.run(list, this::patchOutFinalizer, (p, e) -> {
            if (!Fanout.isNotFound(e)) {
                finalizerRemovals.deletionObserved(key, p.getMetadata().getUid());
            }
        });
    }

    private void patchOutFinalizer(Pod p) {
        api.patch(ResourceTypes.PODS, p.getMetadata().getNamespace(), p.getMetadata().getName(), PatchKind.STRATEGIC,
                "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"" + TRACKING_FINALIZER + "\"]}}", false, Pod.class);
    }

    /**
     * A Job gone from the cache leaves pods that may still carry its finalizer (deleted with orphans, or before its
     * pods were counted): nobody will count them any more, so they lose it.
     */
    private void releaseOrphans(String key) throws InterruptedException {
        int slash = key.indexOf('/');
        String namespace = key.substring(0, slash);
        String name = key.substring(slash + 1);
        List<Pod> orphans = new ArrayList<>();
        for (Pod p : pods.byIndex(Index.NAMESPACE, namespace)) {
            if (hasFinalizer(p) && OwnerReferences.controllerOf(p)
                    .filter(r -> "Job".equals(r.getKind()) && name.equals(r.getName())).isPresent()
                    && owned.ownerKey(p).isEmpty()) {
                orphans.add(p);
            }
        }
        removeFinalizers(key, orphans);
        finalizerRemovals.forget(key);
    }

    /** Pods by ascending completion index, so that completed indexes are recorded in order. */
    private static List<Pod> byIndex(List<Pod> pods) {
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparingInt(JobController::index));
        return sorted;
    }

    private static LabelSelector selector(Job job) {
        var s = job.getSpec().getSelector();
        LabelSelector parsed = s == null ? LabelSelector.nothing() : LabelSelector.of(s);
        return parsed.isEverything() ? LabelSelector.nothing() : parsed;
    }

    private static boolean isIndexed(Job job) {
        return "Indexed".equals(job.getSpec().getCompletionMode());
    }

    private static boolean isSuspended(Job job) {
        return Boolean.TRUE.equals(job.getSpec().getSuspend());
    }

    private static int completions(Job job) {
        return intOf(job.getSpec().getCompletions());
    }

    private static int backoffLimit(Job job) {
        return job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
    }

    /** podReplacementPolicy Failed: a replacement waits until the pod it replaces has fully terminated. */
    private static boolean onlyReplaceFailed(Job job) {
        return "Failed".equals(job.getSpec().getPodReplacementPolicy()) || job.getSpec().getPodFailurePolicy() != null;
    }

    /**
     * isPodFailed: the Failed phase; or, unless only failed pods are replaced, deleted before it succeeded (a pod
     * that may never reach a phase at all). With a pod failure policy the phase must be there to be judged.
     */
    static boolean isFailed(Pod p, Job job) {
        if ("Failed".equals(phase(p))) {
            return true;
        }
        return !onlyReplaceFailed(job) && p.getMetadata().getDeletionTimestamp() != null && !"Succeeded".equals(phase(p));
    }

    private static boolean isTerminating(Pod p) {
        return p.getMetadata().getDeletionTimestamp() != null && !PodPhases.isTerminal(p);
    }

    static boolean hasFinalizer(Pod p) {
        return p.getMetadata().getFinalizers() != null && p.getMetadata().getFinalizers().contains(TRACKING_FINALIZER);
    }

    /** The pod's completion index, or -1 when it has none that parses. */
    static int index(Pod p) {
        String v = p.getMetadata().getAnnotations() == null ? null : p.getMetadata().getAnnotations().get(INDEX_ANNOTATION);
        if (v == null) {
            return -1;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String phase(Pod p) {
        return p.getStatus() == null ? null : p.getStatus().getPhase();
    }

    private static List<ContainerStatus> containerStatuses(Pod p) {
        List<ContainerStatus> all = new ArrayList<>();
        if (p.getStatus() != null) {
            all.addAll(Objects.requireNonNullElse(p.getStatus().getInitContainerStatuses(), List.of()));
            all.addAll(Objects.requireNonNullElse(p.getStatus().getContainerStatuses(), List.of()));
        }
        return all;
    }

    /** When a finished pod ended: its last container's end, else its Ready condition's last change, else its creation. */
    private static Instant finishedAt(Pod p) {
        Instant latest = null;
        for (ContainerStatus s : containerStatuses(p)) {
            if (s.getState() != null && s.getState().getTerminated() != null && s.getState().getTerminated().getFinishedAt() != null) {
                Instant t = Instant.parse(s.getState().getTerminated().getFinishedAt());
                latest = latest == null || t.isAfter(latest) ? t : latest;
            }
        }
        if (latest != null) {
            return latest;
        }
        Optional<PodCondition> ready = PodStates.readyCondition(p);
        if (ready.isPresent() && ready.get().getLastTransitionTime() != null) {
            return Instant.parse(ready.get().getLastTransitionTime());
        }
        String created = p.getMetadata().getCreationTimestamp();
        return created == null ? Instant.EPOCH : Instant.parse(created);
    }

    private static int intOf(Integer i) {
        return i == null ? 0 : i;
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The store's resourceVersions are one increasing counter, so they order the versions of a Job. */
    private static long version(Job job) {
        try {
            return Long.parseLong(job.getMetadata().getResourceVersion());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // not ours to order: never wait on it
        }
    }

    private static Job copy(Job job) {
        return new JobBuilder(job).build();
    }

    /**
     * What pod events mean to a Job beyond what they mean to every owner of pods ({@link OwnedPodEvents}): a removed
     * tracking finalizer settles its expectation, and a pod that still carries the finalizer of a Job that is gone
     * queues that Job's key, whose reconcile releases it.
     */
    private final class TrackingFinalizerEvents implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            if (owned.ownerKey(pod).isEmpty()) {
                orphanKey(pod).ifPresent(controller::enqueue);
            }
        }

        @Override
        public void onUpdate(Pod old, Pod now) {
            Optional<String> key = owned.ownerKey(now);
            if (key.isPresent() && hasFinalizer(old) && !hasFinalizer(now)) {
                finalizerRemovals.deletionObserved(key.get(), now.getMetadata().getUid());
            } else if (key.isEmpty()) {
                orphanKey(now).ifPresent(controller::enqueue);
            }
        }

        @Override
        public void onDelete(Pod last) {
            owned.ownerKey(last).ifPresent(k -> finalizerRemovals.deletionObserved(k, last.getMetadata().getUid()));
        }

        private Optional<String> orphanKey(Pod pod) {
            if (!hasFinalizer(pod)) {
                return Optional.empty();
            }
            return OwnerReferences.controllerOf(pod).filter(r -> "Job".equals(r.getKind()))
                    .map(r -> pod.getMetadata().getNamespace() + "/" + r.getName());
        }
    }
}
