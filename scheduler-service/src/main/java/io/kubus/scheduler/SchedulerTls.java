package io.kubus.scheduler;

import io.kubus.client.server.SecurePort;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * The scheduler's port is HTTPS, as kube-scheduler's 10259 (a new self-signed certificate at each start, as
 * kube-scheduler's without {@code --cert-dir}); {@code /healthz} answers anyone, as kube's always-allowed paths.
 */
@Requires(env = SchedulerApplication.ENVIRONMENT)
@Singleton
public class SchedulerTls extends SecurePort.EachStart {
    public SchedulerTls(SchedulerSettings settings) {
        super("kube-scheduler", settings::getKubeconfig);
    }
}
