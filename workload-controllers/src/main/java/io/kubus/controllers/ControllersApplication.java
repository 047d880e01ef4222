package io.kubus.controllers;

import io.micronaut.context.ApplicationContext;

/** Runs the workload-controllers on its own, reading {@code application-workload-controllers.yml}. The reconcile loops (issue 5); for now it starts and stops cleanly, nothing more. */
public final class ControllersApplication {
    /** The Micronaut environment whose configuration file this service reads. */
    public static final String ENVIRONMENT = "workload-controllers";

    private ControllersApplication() {
    }

    public static void main(String[] args) {
        ApplicationContext context = ApplicationContext.builder().mainClass(ControllersApplication.class).environments(ENVIRONMENT)
                .args(args).start();
        Runtime.getRuntime().addShutdownHook(new Thread(context::close, "workload-controllers-shutdown"));
    }
}
