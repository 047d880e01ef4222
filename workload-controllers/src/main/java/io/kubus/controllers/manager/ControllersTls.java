package io.kubus.controllers.manager;

import io.kubus.client.server.SecurePort;
import io.kubus.controllers.ControllersApplication;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * The controllers' port is HTTPS, as kube-controller-manager's 10257 (a new self-signed certificate at each start);
 * {@code /healthz} answers anyone, {@code /metrics} only those allowed to read it (MetricsAuthorization).
 */
@Requires(env = ControllersApplication.ENVIRONMENT)
@Singleton
public class ControllersTls extends SecurePort.EachStart {
    public ControllersTls(ControllersSettings settings) {
        super("kube-controller-manager", settings::getKubeconfig);
    }
}
