package io.kubus.scheduler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.GatewayFixture;
import io.kubus.gateway.testing.ServiceProcess;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two scheduler processes, one active: kill -9 of the active one during a burst. The standby takes over within
 * seconds and every pod ends bound exactly once, with no node over its room.
 */
class SchedulerKillTest {
    private static final int PODS = 600;
    private static final int NODES = 20;

    @Test
    void theStandbyTakesOverAndEveryPodIsBoundOnce() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(); KubusApi api = new KubusApi(gateway.clientConfig())) {
            for (int i = 0; i < NODES; i++) {
                // 30 pods of 100m fit a node; 600 pods need every node full: overcommit would leave some unbound.
                api.create(ResourceTypes.NODES, TestClusters.node("n-" + i, "3", "64Gi", 110, Map.of(), List.of()));
            }
            Path log = Path.of("target", "scheduler-kill.log").toAbsolutePath();
            ServiceProcess active = start(gateway, log);
            ServiceProcess standby = null;
            try {
                api.create(ResourceTypes.PODS, TestClusters.pod("first", "100m", "16Mi"));
                try {
                    TestClusters.await(api, "first", TestClusters::bound, Duration.ofSeconds(90));
                } catch (AssertionError e) {
                    List<String> lines = java.nio.file.Files.readAllLines(log);
                    throw new AssertionError(e.getMessage() + "\nscheduler log:\n"
                            + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())), e);
                }
                standby = start(gateway, log);
                Thread.sleep(3_000); // the standby has joined the election

                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<?>> creates = new ArrayList<>();
                for (int i = 1; i < PODS; i++) {
                    int n = i;
                    creates.add(pool.submit(() -> api.create(ResourceTypes.PODS, TestClusters.pod("p-" + n, "100m", "16Mi"))));
                }
                long killedAt = 0;
                long boundAtKill = 0;
                while (killedAt == 0) {
                    long count = boundCount(api);
                    if (count >= PODS / 3) {
                        active.kill9();
                        killedAt = System.nanoTime();
                        boundAtKill = count;
                    }
                    Thread.sleep(20);
                }
                for (Future<?> f : creates) {
                    f.get();
                }
                pool.shutdown();
                long resumedAt = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                long count = 0;
                while (System.nanoTime() < deadline) {
                    count = boundCount(api);
                    if (resumedAt == 0 && count > boundAtKill + 5) {
                        resumedAt = System.nanoTime();
                    }
                    if (count == PODS) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertEquals(PODS, count, "every pod bound");
                long takeover = TimeUnit.NANOSECONDS.toMillis(resumedAt - killedAt);
                System.out.printf("scheduler kill: %d bound at the kill, the standby resumed binding %d ms later%n",
                        boundAtKill, takeover);
                assertTrue(takeover < 20_000, "standby took over in " + takeover + " ms");

                Map<String, Integer> perNode = new HashMap<>();
                for (Pod p : api.list(ResourceTypes.PODS, "default", null, null, Pod.class).items()) {
                    perNode.merge(p.getSpec().getNodeName(), 1, Integer::sum);
                }
                assertTrue(perNode.values().stream().allMatch(c -> c <= 30), "no node over its room: " + perNode);
                Map<String, Integer> scheduledEvents = new HashMap<>();
                for (Event e : api.list(ResourceTypes.EVENTS, "default", null, "reason=Scheduled", Event.class).items()) {
                    scheduledEvents.merge(e.getInvolvedObject().getName(), 1, Integer::sum);
                }
                assertTrue(scheduledEvents.values().stream().allMatch(c -> c == 1),
                        "no pod was bound twice: " + scheduledEvents.entrySet().stream().filter(x -> x.getValue() > 1).toList());
            } finally {
                for (ServiceProcess p : new ServiceProcess[] {active, standby}) {
                    if (p != null) {
                        p.close();
                    }
                }
            }
        }
    }

    private static long boundCount(KubusApi api) {
        return api.list(ResourceTypes.PODS, "default", null, null, Pod.class).items().stream()
                .filter(TestClusters::bound).count();
    }

    private static ServiceProcess start(GatewayFixture gateway, Path log) throws IOException {
        return ServiceProcess.start("io.kubus.scheduler.SchedulerApplication", Map.of(
                "kubus.scheduler.kubeconfig", gateway.schedulerKubeconfig(),
                "kubus.kafka.bootstrap-servers", gateway.kafkaBootstrap(), "kubus.scheduler.port", -1,
                "logback.configurationFile", "logback-test.xml"), log);
    }
}
