package io.kubus.gateway.store;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.GatewaySettings;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.ScheduledFuture;

/**
 * Compacts the object history every {@code history-compaction-interval}, keeping what was superseded within the last
 * {@code history-window}. Every gateway runs it; compactions take turns in the database and repeat harmlessly.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Context
public class HistoryCompaction implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryCompaction.class);

    private final ObjectHistory history;
    private final GatewaySettings settings;
    private final Clock clock;
    private final ScheduledFuture<?> task;

    public HistoryCompaction(ObjectHistory history, GatewaySettings settings, Clock clock,
                             @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler) {
        this.history = history;
        this.settings = settings;
        this.clock = clock;
        this.task = scheduler.scheduleWithFixedDelay(settings.getHistoryCompactionInterval(),
                settings.getHistoryCompactionInterval(), this::compactOnce);
    }

    private void compactOnce() {
        try {
            history.compact(clock.instant().minus(settings.getHistoryWindow()));
        } catch (RuntimeException e) {
            // The next round tries again; until then the history only grows.
            LOG.warn("history compaction failed", e);
        }
    }

    @PreDestroy
    @Override
    public void close() {
        task.cancel(false);
    }
}
