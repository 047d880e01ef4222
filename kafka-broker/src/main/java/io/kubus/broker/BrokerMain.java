package io.kubus.broker;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one {@link EmbeddedKafkaBroker} as a process of its own: the broker of the docker-compose stack, so that
 * the stack needs no external Kafka image (any Kafka can replace it). Settings come from the environment:
 *
 * <ul>
 *   <li>{@code KUBUS_BROKER_PORT} (9092): the client port, on every interface;</li>
 *   <li>{@code KUBUS_BROKER_CONTROLLER_PORT} (9093): the KRaft controller port, on 127.0.0.1 only;</li>
 *   <li>{@code KUBUS_BROKER_ADVERTISED_HOST} (127.0.0.1): the host name clients are told to connect to
 *       (in compose, the service name);</li>
 *   <li>{@code KUBUS_BROKER_DATA_DIR} (.kubus/kafka): the log directory, formatted on first start;</li>
 *   <li>{@code KUBUS_BROKER_PARTITIONS} (3): partitions of automatically created topics.</li>
 * </ul>
 *
 * Stops cleanly on SIGTERM.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaBroker broker = start(System.getenv());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        System.out.println("kubus broker: ready, clients connect to " + advertised(System.getenv()));
        stopped.await();
    }

    /** Starts the broker the environment {@code env} describes. */
    static EmbeddedKafkaBroker start(Map<String, String> env) {
        int port = Integer.parseInt(env.getOrDefault("KUBUS_BROKER_PORT", "9092"));
        int controllerPort = Integer.parseInt(env.getOrDefault("KUBUS_BROKER_CONTROLLER_PORT", "9093"));
        Path dataDir = Path.of(env.getOrDefault("KUBUS_BROKER_DATA_DIR", ".kubus/kafka"));
        // Fixed listeners replace the embedded broker's loopback-only ones: other containers connect from outside.
        Map<String, Object> overrides = Map.of(
                "listeners", "PLAINTEXT://0.0.0.0:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners", "PLAINTEXT://" + advertised(env),
                "controller.quorum.voters", "1@127.0.0.1:" + controllerPort,
                "num.partitions", Integer.parseInt(env.getOrDefault("KUBUS_BROKER_PARTITIONS",
                        String.valueOf(EmbeddedKafkaBroker.DEFAULT_NUM_PARTITIONS))));
        return EmbeddedKafkaBroker.start(dataDir, port, overrides);
    }

    private static String advertised(Map<String, String> env) {
        return env.getOrDefault("KUBUS_BROKER_ADVERTISED_HOST", "127.0.0.1") + ":"
                + env.getOrDefault("KUBUS_BROKER_PORT", "9092");
    }
}
