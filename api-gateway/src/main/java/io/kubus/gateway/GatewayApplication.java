package io.kubus.gateway;

import io.micronaut.runtime.Micronaut;

/** Runs the api-gateway on its own; the launcher starts the same way in a shared JVM. */
public final class GatewayApplication {
    /**
     * The Micronaut environment whose configuration file ({@code application-api-gateway.yml}) this service reads.
     * The gateway's eager beans and controllers require it, so another service started in the same JVM (the
     * launcher, tests) does not start a gateway too.
     */
    public static final String ENVIRONMENT = "api-gateway";

    private GatewayApplication() {
    }

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(GatewayApplication.class).environments(ENVIRONMENT).start();
    }
}
