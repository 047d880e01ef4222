package io.kubus.controllers.manager;

import io.kubus.client.controller.Controller;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.leader.KafkaLeaderElection;
import io.kubus.controllers.ControllersApplication;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * kube-controller-manager's frame: starts the shared informers once every controller has wired itself to them, then
 * joins the leader election; the controllers work only while this replica leads. A standby keeps its caches warm so
 * that it can take over within the session timeout.
 */
@Context
@Requires(env = ControllersApplication.ENVIRONMENT)
public class ControllerManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);

    private final ControllersSettings settings;
    private final SharedInformers informers;
    private final List<ManagedController> controllers;
    private final KafkaClientConfig kafka;
    private final EmbeddedServer server;
    private final String identity = "controllers-" + UUID.randomUUID();
    private KafkaLeaderElection election;
    private volatile boolean leading;

    public ControllerManager(ControllersSettings settings, SharedInformers informers,
                             List<ManagedController> controllers,
                             KafkaClientConfig kafka,
                             EmbeddedServer server) {
        this.server = server;
        this.settings = settings;
        this.informers = informers;
        this.controllers = controllers;
        this.kafka = kafka;
    }

    @PostConstruct
    void start() throws InterruptedException {
        // /metrics and /healthz: the service starts as a plain context (also inside the launcher), so start the server here.
        if (!server.isRunning()) {
            server.start();
        }
        if (!informers.start(Duration.ofSeconds(120))) {
            throw new IllegalStateException("the controllers' informers did not list within 120 s");
        }
        election = new KafkaLeaderElection(kafka, "controllers", identity,
                settings.getLeaderSessionTimeout(), new KafkaLeaderElection.Callbacks() {
                    @Override
                    public void startedLeading() {
                        lead();
                    }

                    @Override
                    public void stoppedLeading() {
                        leading = false;
                        LOG.info("{} lost the lead; controllers parked", identity);
                        controllers.forEach(c -> c.controller().deactivate());
                    }
                });
        LOG.info("{} started {} controllers: {}", identity, controllers.size(),
                controllers.stream().map(c -> c.controller().name()).toList());
    }

    private void lead() {
        try {
            Thread.sleep(settings.getLeaderSettle().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        leading = true;
        LOG.info("{} leads; controllers active", identity);
        for (ManagedController c : controllers) {
            c.onStartedLeading();
            c.controller().activate();
        }
    }

    public boolean isLeading() {
        return leading;
    }

    public List<Controller> controllers() {
        return controllers.stream().map(ManagedController::controller).toList();
    }

    @PreDestroy
    @Override
    public void close() {
        if (election != null) {
            election.close();
        }
        controllers.forEach(c -> c.controller().close());
        if (server.isRunning()) {
            server.stop();
        }
    }
}
