package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;

import java.util.Optional;

/** A Job's conditions as the Job, CronJob and TTL-after-finished controllers read them (Kubernetes' job util). */
public final class JobStates {
    private JobStates() {
    }

    /** A True condition of that type. */
    public static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
    }

    /** The True {@code Complete} or {@code Failed} condition of a finished Job; empty while it runs (IsJobFinished). */
    public static Optional<JobCondition> finished(Job job) {
        return condition(job, "Complete").or(() -> condition(job, "Failed"));
    }

    public static boolean isFinished(Job job) {
        return finished(job).isPresent();
    }
}
