package io.kubus.client.events;

import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

import java.util.function.BooleanSupplier;

/**
 * The loop every long-lived Kafka follower runs: follow until stopped; on a failure, wait a second and follow again
 * (a new consumer), so a broker that goes away and comes back costs a reconnect, not the follower.
 */
public final class Reconnecting {
    /** One connection's worth of following; returns or throws when it ends. */
    public interface Follow {
        void follow() throws InterruptedException;
    }

    private Reconnecting() {
    }

    /** Runs {@code follow} again and again while {@code running}; ends on interrupt or consumer wakeup. */
    public static void run(BooleanSupplier running, Follow follow, Logger log, String what) {
        while (running.getAsBoolean()) {
            try {
                follow.follow();
            } catch (WakeupException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running.getAsBoolean()) {
                    return;
                }
                log.warn("{} failed, reconnecting: {}", what, e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
