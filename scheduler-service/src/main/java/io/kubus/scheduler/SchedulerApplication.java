package io.kubus.scheduler;

import io.micronaut.context.ApplicationContext;

/** Runs the scheduler on its own, reading {@code application-scheduler-service.yml}. */
public final class SchedulerApplication {
    /** The Micronaut environment whose configuration file this service reads; its beans require it. */
    public static final String ENVIRONMENT = "scheduler-service";

    private SchedulerApplication() {
    }

    public static void main(String[] args) {
        ApplicationContext context = ApplicationContext.builder().mainClass(SchedulerApplication.class)
                .environments(ENVIRONMENT).args(args).start();
        Runtime.getRuntime().addShutdownHook(new Thread(context::close, "scheduler-service-shutdown"));
    }
}
