package io.kubus.scheduler;

import io.micronaut.context.ApplicationContext;

/** Runs the scheduler-service on its own, reading {@code application-scheduler-service.yml}. Assigns pending pods to nodes (issue 4); for now it starts and stops cleanly, nothing more. */
public final class SchedulerApplication {
    /** The Micronaut environment whose configuration file this service reads. */
    public static final String ENVIRONMENT = "scheduler-service";

    private SchedulerApplication() {
    }

    public static void main(String[] args) {
        ApplicationContext context = ApplicationContext.builder().mainClass(SchedulerApplication.class).environments(ENVIRONMENT)
                .args(args).start();
        Runtime.getRuntime().addShutdownHook(new Thread(context::close, "scheduler-service-shutdown"));
    }
}
