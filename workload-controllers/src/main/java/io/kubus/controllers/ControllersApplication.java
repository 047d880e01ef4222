package io.kubus.controllers;

import io.micronaut.context.ApplicationContext;

/**
 * Runs the workload-controllers on its own, reading {@code application-workload-controllers.yml}: every controller
 * of {@code io.kubus.controllers.*} in one process, active while this replica holds the lead.
 */
public final class ControllersApplication {
    /** The Micronaut environment whose configuration file this service reads; its beans require it. */
    public static final String ENVIRONMENT = "workload-controllers";

    private ControllersApplication() {
    }

    public static void main(String[] args) {
        ApplicationContext context = ApplicationContext.builder().mainClass(ControllersApplication.class)
                .environments(ENVIRONMENT).args(args).start();
        Runtime.getRuntime().addShutdownHook(new Thread(context::close, "workload-controllers-shutdown"));
    }
}
