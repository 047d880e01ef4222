package io.kubus.broker;

import io.kubus.client.tls.Pem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
 *   <li>{@code KUBUS_BROKER_PARTITIONS} (3): partitions of automatically created topics;</li>
 *   <li>{@code KUBUS_BROKER_PKI_DIR} (unset: plain): a folder with the broker's certificate {@code kafka.crt}, its key
 *       {@code kafka.key} and the cluster's CA {@code ca.crt} ({@link BrokerCertificates} writes them): every
 *       listener then requires a client certificate of that CA, and Kubus's ACLs apply.</li>
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
                "listeners", EmbeddedKafkaBroker.CLIENT_LISTENER + "://0.0.0.0:" + port
                        + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners", EmbeddedKafkaBroker.CLIENT_LISTENER + "://" + advertised(env),
                "controller.quorum.voters", "1@127.0.0.1:" + controllerPort,
                "num.partitions", Integer.parseInt(env.getOrDefault("KUBUS_BROKER_PARTITIONS",
                        String.valueOf(EmbeddedKafkaBroker.DEFAULT_NUM_PARTITIONS))));
        String pki = env.get("KUBUS_BROKER_PKI_DIR");
        if (pki == null || pki.isBlank()) {
            return EmbeddedKafkaBroker.start(dataDir, port, overrides);
        }
        return EmbeddedKafkaBroker.start(dataDir, port, overrides, security(Path.of(pki)));
    }

    static EmbeddedKafkaBroker.Security security(Path pki) {
        try {
            return EmbeddedKafkaBroker.Security.kubus(Pem.privateKey(Files.readString(pki.resolve("kafka.key"))),
                    Pem.certificates(Files.readString(pki.resolve("kafka.crt"))),
                    Pem.certificates(Files.readString(pki.resolve("ca.crt"))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the broker's certificate in " + pki, e);
        }
    }

    private static String advertised(Map<String, String> env) {
        return env.getOrDefault("KUBUS_BROKER_ADVERTISED_HOST", "127.0.0.1") + ":"
                + env.getOrDefault("KUBUS_BROKER_PORT", "9092");
    }
}
