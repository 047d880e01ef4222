package io.kubus.scheduler;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

/**
 * {@code /healthz} of the scheduler (kube-scheduler serves it on 10259): the server starts once the scheduler's
 * caches are filled, so an answer means it can schedule (or stand by for the lead).
 */
@Controller
@Requires(env = SchedulerApplication.ENVIRONMENT)
@Requires(beans = Scheduler.class)
public class SchedulerHealth {
    @Get("/healthz")
    @Produces("text/plain")
    public String healthz() {
        return "ok";
    }
}
