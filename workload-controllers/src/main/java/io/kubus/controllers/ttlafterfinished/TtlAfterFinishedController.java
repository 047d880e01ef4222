package io.kubus.controllers.ttlafterfinished;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes' TTL-after-finished controller: deletes a Job {@code ttlSecondsAfterFinished} after it completed or
 * failed, with its pods (foreground propagation). The decision is checked again on a fresh read, and the delete is
 * conditional on that read's uid and resourceVersion, so a Job whose TTL was just changed, or a new Job of the same
 * name, is never deleted by mistake.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class TtlAfterFinishedController implements Reconciler, ManagedController {
    private final KubusApi api;
    private final Informer<Job> jobs;
    private final Controller controller;
    private final Clock clock = Clock.systemUTC();

    public TtlAfterFinishedController(SharedInformers informers, KubusApi api, ControllersSettings settings) {
        this.api = api;
        this.jobs = informers.informer(ResourceTypes.JOBS, Job.class);
        this.controller = settings.newController("ttl-after-finished", this).primary(jobs);
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String key) {
        Optional<Job> cached = jobs.get(key);
        if (cached.isEmpty()) {
            return Result.done();
        }
        Optional<Duration> left = timeLeft(cached.get());
        if (left.isEmpty()) {
            return Result.done();
        }
        if (left.get().isPositive()) {
            return Result.requeueAfter(left.get().plusMillis(100));
        }
        Job job = cached.get();
        Optional<Job> fresh = api.get(ResourceTypes.JOBS, job.getMetadata().getNamespace(), job.getMetadata().getName(), Job.class);
        if (fresh.isEmpty()) {
            return Result.done();
        }
        Optional<Duration> freshLeft = timeLeft(fresh.get());
        if (freshLeft.isEmpty()) {
            return Result.done();
        }
        if (freshLeft.get().isPositive()) {
            return Result.requeueAfter(freshLeft.get().plusMillis(100));
        }
        try {
            api.delete(ResourceTypes.JOBS, job.getMetadata().getNamespace(), job.getMetadata().getName(),
                    new DeleteOptionsBuilder().withPropagationPolicy("Foreground").withNewPreconditions()
                            .withUid(fresh.get().getMetadata().getUid())
                            .withResourceVersion(fresh.get().getMetadata().getResourceVersion())
                            .endPreconditions().build());
        } catch (KubusApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        return Result.done();
    }

    /** How long until the Job may go; empty when it has no TTL, has not finished, or is being deleted already. */
    private Optional<Duration> timeLeft(Job job) {
        Integer ttl = job.getSpec() == null ? null : job.getSpec().getTtlSecondsAfterFinished();
        if (ttl == null || job.getMetadata().getDeletionTimestamp() != null || job.getStatus() == null) {
            return Optional.empty();
        }
        for (JobCondition c : Objects.requireNonNullElse(job.getStatus().getConditions(), List.<JobCondition>of())) {
            if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
                String at = c.getLastTransitionTime() != null ? c.getLastTransitionTime() : job.getStatus().getCompletionTime();
                Instant finished = at == null ? clock.instant() : Instant.parse(at);
                return Optional.of(Duration.between(clock.instant(), finished.plusSeconds(ttl)));
            }
        }
        return Optional.empty();
    }
}
