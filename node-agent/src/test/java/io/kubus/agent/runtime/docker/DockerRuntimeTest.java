package io.kubus.agent.runtime.docker;

import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.ContainerSpec;
import io.kubus.agent.runtime.ImagePullException;
import io.kubus.agent.runtime.LogOptions;
import io.kubus.agent.runtime.RuntimeLabels;
import io.kubus.agent.runtime.SandboxInfo;
import io.kubus.agent.runtime.SandboxSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Against the real Docker engine of this machine, with the local image {@code kubus/busybox:1}. There is no skip:
 * without a Docker engine these tests fail.
 */
class DockerRuntimeTest {

    static final String IMAGE = "kubus/busybox:1";

    static String run;
    static String node;
    static DockerRuntime runtime;

    /** Everything a test created, removed after it even when it failed: containers first, then sandboxes. */
    final List<String> containers = Collections.synchronizedList(new ArrayList<>());
    final List<String> sandboxes = Collections.synchronizedList(new ArrayList<>());
    final List<Path> tempDirs = new ArrayList<>();

    @BeforeAll
    static void connect() {
        run = UUID.randomUUID().toString().substring(0, 8);
        node = "test-node-" + run;
        runtime = new DockerRuntime(DockerRuntime.DEFAULT_DOCKER_HOST, node);
        // fails (does not skip) when no engine answers
        assertTrue(runtime.versionString().startsWith("docker://"), runtime.versionString());
        assertTrue(runtime.hasImage(IMAGE), "the local test image " + IMAGE + " is missing");
    }

    @AfterAll
    static void disconnect() {
        if (runtime != null) {
            // anything a failed cleanup left behind on this run's node
            for (ContainerInfo c : runtime.list()) {
                if (!c.sandbox()) {
                    runtime.removeContainer(c.id());
                }
            }
            runtime.list().forEach(c -> runtime.removeContainer(c.id()));
            runtime.close();
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        List<RuntimeException> errors = new ArrayList<>();
        for (String id : List.copyOf(containers)) {
            try {
                runtime.removeContainer(id);
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
        for (String id : List.copyOf(sandboxes)) {
            try {
                runtime.removeSandbox(id);
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
        for (Path dir : tempDirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (!errors.isEmpty()) {
            throw errors.getFirst();
        }
    }

    // ------------------------------------------------------------------------------------------------------ tests

    @Test
    void twoContainersOfAPodShareTheNetworkNamespaceHostnameAndHostPort() throws Exception {
        String token = "hello-from-server-" + run;
        int hostPort = freePort();
        long t0 = System.nanoTime();
        SandboxInfo sandbox = sandbox("web", List.of(new SandboxSpec.PortMapping(hostPort, 8080, "TCP")));
        String server = startContainer(sandbox, spec("web", "server",
                List.of("sh", "-c"), List.of("mkdir -p /www && echo " + token + " > /www/index.html && exec httpd -f -p 8080 -h /www")));
        String client = startContainer(sandbox, spec("web", "client",
                List.of("sh", "-c", "while :; do wget -qO- localhost:8080/index.html; sleep 0.2; done"), List.of()));
        long startedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("sandbox + 2 containers created and started in " + startedMillis + " ms");

        assertNotNull(sandbox.ip());
        assertTrue(sandbox.ip().matches("\\d+\\.\\d+\\.\\d+\\.\\d+"), sandbox.ip());

        await(Duration.ofSeconds(15), () -> logsOf(client, new LogOptions(false, -1, 0, false)).contains(token),
                "the client's output shows the server's file");

        // the hostname is the sandbox's, and the pod IP is the sandbox's bridge IP for every container
        assertEquals("web-" + run, execOut(server, "hostname").strip());
        String addresses = execOut(client, "sh", "-c", "ip addr 2>/dev/null || ifconfig");
        assertTrue(addresses.contains(sandbox.ip() + "/") || addresses.contains(sandbox.ip() + " "), addresses);

        // the host port published on the sandbox reaches the server container
        HttpResponse<String> response = await(Duration.ofSeconds(10), () -> {
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + "/index.html"))
                        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            }
        });
        assertEquals(200, response.statusCode());
        assertEquals(token, response.body().strip());
    }

    @Test
    void memoryAndCpuLimitsAreInTheContainersCgroup() throws Exception {
        SandboxInfo sandbox = sandbox("limits", List.of());
        ContainerSpec s = spec("limits", "app", List.of("sleep", "1000"), List.of());
        s = new ContainerSpec(s.nodeName(), s.podUid(), s.namespace(), s.podName(), s.name(), s.image(), s.command(),
                s.args(), s.env(), s.workingDir(), s.mounts(), 64L * 1024 * 1024, 250, 256, 0, Map.of());
        String id = startContainer(sandbox, s);

        String memory = execOut(id, "sh", "-c",
                "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes").strip();
        assertEquals(Long.toString(64L * 1024 * 1024), memory);
        String cpu = execOut(id, "sh", "-c",
                "cat /sys/fs/cgroup/cpu.max 2>/dev/null || (cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us; cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)")
                .strip().replaceAll("\\s+", " ");
        assertEquals("25000 100000", cpu);
        String shares = execOut(id, "sh", "-c",
                "cat /sys/fs/cgroup/cpu.weight 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.shares").strip();
        if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) {
            assertFalse(shares.isEmpty()); // v2: cpu.weight is derived from the shares
        } else {
            assertEquals("256", shares);
        }
        // swap is not a way around the limit
        String swap = execOut(id, "sh", "-c",
                "cat /sys/fs/cgroup/memory.swap.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo none").strip();
        assertTrue(swap.equals("0") || swap.equals(memory) || swap.equals("none"), swap);
    }

    @Test
    void stopWithGraceEndsAShellAtOnceAndRecordsTheExit() throws Exception {
        SandboxInfo sandbox = sandbox("stop", List.of());
        String id = startContainer(sandbox, spec("stop", "app", List.of("sh", "-c", "echo started; sleep 1000"), List.of()));
        await(Duration.ofSeconds(5), () -> logsOf(id, new LogOptions(false, -1, 0, false)).contains("started"), "started");

        long t0 = System.nanoTime();
        runtime.stopContainer(id, Duration.ofSeconds(30));
        long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("stop of a running shell with 30 s grace took " + stopMillis + " ms");
        assertTrue(stopMillis < 5_000, "stop took " + stopMillis + " ms: SIGTERM did not end the container");

        ContainerInfo info = runtime.inspect(id).orElseThrow();
        assertEquals(ContainerInfo.State.EXITED, info.state());
        assertEquals(143, info.exitCode()); // 128 + SIGTERM
        assertEquals("Error", info.reason());
        assertNotNull(info.startedAt());
        assertNotNull(info.finishedAt());
        assertFalse(info.finishedAt().isBefore(info.startedAt()));

        // stopping again, or something absent, is fine
        runtime.stopContainer(id, Duration.ofSeconds(1));
        runtime.stopContainer("kubus-absent-" + run, Duration.ofSeconds(1));

        t0 = System.nanoTime();
        runtime.removeSandbox(sandbox.id());
        System.out.println("removeSandbox (stop + remove of the pause container) took "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
        assertTrue(runtime.inspect(sandbox.id()).isEmpty());
    }

    @Test
    void sandboxJoinsTheConfiguredPodNetworkAndItsAddressThereIsThePodIp() {
        String network = "kubus-test-pods-" + run;
        var client = runtime.client();
        String networkId = client.createNetworkCmd().withName(network).withDriver("bridge").exec().getId();
        try (DockerRuntime onNetwork = new DockerRuntime(DockerRuntime.DEFAULT_DOCKER_HOST, node,
                DockerRuntime.DEFAULT_PAUSE_IMAGE, DockerRuntime.DEFAULT_PAUSE_COMMAND, network)) {
            SandboxInfo info = onNetwork.runSandbox(new SandboxSpec(node, uid("netpod"), "ns-" + run, "netpod-" + run,
                    "netpod", List.of(), Map.of()));
            sandboxes.add(info.id());
            var networks = client.inspectContainerCmd(info.id()).exec().getNetworkSettings().getNetworks();
            assertEquals(java.util.Set.of(network), networks.keySet(), "only on the pods' network");
            assertEquals(networks.get(network).getIpAddress(), info.ip());
            String subnet = client.inspectNetworkCmd().withNetworkId(networkId).exec().getIpam().getConfig().get(0)
                    .getSubnet();
            assertTrue(inSubnet(info.ip(), subnet), info.ip() + " not in " + subnet);

            // a network that does not exist: the engine's refusal names it, and no sandbox is left behind
            try (DockerRuntime missing = new DockerRuntime(DockerRuntime.DEFAULT_DOCKER_HOST, node,
                    DockerRuntime.DEFAULT_PAUSE_IMAGE, DockerRuntime.DEFAULT_PAUSE_COMMAND, network + "-missing")) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> missing.runSandbox(new SandboxSpec(
                        node, uid("nonet"), "ns-" + run, "nonet-" + run, "nonet", List.of(), Map.of())));
                assertTrue(String.valueOf(e.getMessage()).contains(network + "-missing"), e.getMessage());
                assertTrue(runtime.list().stream().noneMatch(c -> c.podUid().equals(uid("nonet"))),
                        "nothing left of the failed sandbox");
            }
        } finally {
            for (String id : List.copyOf(sandboxes)) {
                runtime.removeSandbox(id);
            }
            sandboxes.clear();
            client.removeNetworkCmd(networkId).exec();
        }
    }

    @Test
    void listFindsSandboxAndContainersWithTheirLabelsAndStatesAndForgetsThemWhenRemoved() throws Exception {
        SandboxInfo sandbox = sandbox("listed", List.of());
        ContainerSpec runningSpec = spec("listed", "running", List.of("sleep", "1000"), List.of());
        runningSpec = new ContainerSpec(runningSpec.nodeName(), runningSpec.podUid(), runningSpec.namespace(),
                runningSpec.podName(), runningSpec.name(), runningSpec.image(), runningSpec.command(), runningSpec.args(),
                runningSpec.env(), runningSpec.workingDir(), runningSpec.mounts(), 0, 0, 0, 2, Map.of("extra", "yes"));
        String running = startContainer(sandbox, runningSpec);
        String created = createContainer(sandbox, spec("listed", "created", List.of("true"), List.of()));

        // a runtime of another node on the same engine sees none of it
        try (DockerRuntime other = new DockerRuntime(DockerRuntime.DEFAULT_DOCKER_HOST, "other-" + node)) {
            assertTrue(other.list().isEmpty());
        }

        List<ContainerInfo> listed = runtime.list();
        assertEquals(3, listed.size(), listed.toString());
        ContainerInfo sb = find(listed, sandbox.id());
        assertTrue(sb.sandbox());
        assertEquals(ContainerInfo.State.RUNNING, sb.state());
        assertEquals("", sb.name());
        assertEquals(DockerRuntime.DEFAULT_PAUSE_IMAGE, sb.image());
        assertPodLabels(sb, "listed", "sandbox");

        ContainerInfo r = find(listed, running);
        assertFalse(r.sandbox());
        assertEquals(ContainerInfo.State.RUNNING, r.state());
        assertEquals("running", r.name());
        assertEquals(2, r.restartCount());
        assertEquals("yes", r.labels().get("extra"));
        assertEquals(IMAGE, r.image());
        assertTrue(r.imageId().startsWith("sha256:"), r.imageId());
        assertNotNull(r.createdAt());
        assertNotNull(r.startedAt());
        assertNull(r.finishedAt());
        assertNull(r.reason());
        assertPodLabels(r, "listed", "container");

        ContainerInfo c = find(listed, created);
        assertEquals(ContainerInfo.State.CREATED, c.state());
        assertEquals("created", c.name());
        assertNull(c.startedAt(), "Docker's zero time is no start time");
        assertNull(c.finishedAt());
        assertEquals(0, c.restartCount());

        runtime.removeContainer(running);
        runtime.removeContainer(created);
        runtime.removeContainer(created); // absent is fine
        runtime.removeSandbox(sandbox.id());
        runtime.removeSandbox(sandbox.id());
        assertTrue(runtime.list().isEmpty(), runtime.list().toString());
        assertEquals(Optional.empty(), runtime.inspect(running));
    }

    @Test
    void exitCodesAndReasons() throws Exception {
        long t0 = System.nanoTime();
        SandboxInfo sandbox = sandbox("exits", List.of());
        long t1 = System.nanoTime();
        String failing = startContainer(sandbox, spec("exits", "failing", List.of("sh", "-c", "exit 3"), List.of()));
        long t2 = System.nanoTime();
        System.out.println("sandbox started in " + TimeUnit.NANOSECONDS.toMillis(t1 - t0) + " ms, a container created and started in "
                + TimeUnit.NANOSECONDS.toMillis(t2 - t1) + " ms");
        String succeeding = startContainer(sandbox, spec("exits", "succeeding", List.of("true"), List.of()));

        ContainerInfo f = awaitExited(failing);
        assertEquals(3, f.exitCode());
        assertEquals("Error", f.reason());
        assertNotNull(f.startedAt());
        assertNotNull(f.finishedAt());

        ContainerInfo s = awaitExited(succeeding);
        assertEquals(0, s.exitCode());
        assertEquals("Completed", s.reason());
    }

    @Test
    void aContainerOverItsMemoryLimitIsOomKilled() throws Exception {
        SandboxInfo sandbox = sandbox("oom", List.of());
        ContainerSpec s = spec("oom", "hog", List.of("sh", "-c", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived"), List.of());
        s = new ContainerSpec(s.nodeName(), s.podUid(), s.namespace(), s.podName(), s.name(), s.image(), s.command(),
                s.args(), s.env(), s.workingDir(), s.mounts(), 16L * 1024 * 1024, 0, 0, 0, Map.of());
        String id = startContainer(sandbox, s);
        ContainerInfo info = await(Duration.ofSeconds(30), () -> {
            ContainerInfo i = runtime.inspect(id).orElseThrow();
            if (i.state() != ContainerInfo.State.EXITED) {
                throw new AssertionError("still " + i.state());
            }
            return i;
        });
        assertEquals("OOMKilled", info.reason());
        assertEquals(137, info.exitCode());
    }

    @Test
    void argsWithoutCommandKeepTheImagesEntrypointAndEnvAndWorkingDirApply() throws Exception {
        SandboxInfo sandbox = sandbox("args", List.of());
        ContainerSpec s = spec("args", "app", List.of(), List.of("sh", "-c", "echo $GREETING from $(pwd)"));
        s = new ContainerSpec(s.nodeName(), s.podUid(), s.namespace(), s.podName(), s.name(), s.image(), s.command(),
                s.args(), Map.of("GREETING", "hallo"), "/tmp", s.mounts(), 0, 0, 0, 0, Map.of());
        String id = startContainer(sandbox, s);
        awaitExited(id);
        assertEquals("hallo from /tmp\n", logsOf(id, new LogOptions(false, -1, 0, false)));
    }

    @Test
    void logsHonourTailTimestampsSinceAndFollow() throws Exception {
        SandboxInfo sandbox = sandbox("logs", List.of());
        String id = startContainer(sandbox, spec("logs", "app", List.of("sh", "-c",
                "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done"), List.of()));
        awaitExited(id);

        String all = logsOf(id, new LogOptions(false, -1, 0, false));
        List<String> lines = all.lines().toList();
        assertEquals(10, lines.size(), all);
        assertEquals(List.of("out1", "out2", "out3", "out4", "out5"), lines.stream().filter(l -> l.startsWith("out")).toList());
        assertEquals(List.of("err1", "err2", "err3", "err4", "err5"), lines.stream().filter(l -> l.startsWith("err")).toList());

        List<String> tail = logsOf(id, new LogOptions(false, 2, 0, false)).lines().toList();
        // the engine reads stdout and stderr through two pipes, so their interleaving is its record's, not the writes'
        assertEquals(lines.subList(8, 10), tail);

        List<String> stamped = logsOf(id, new LogOptions(false, 3, 0, true)).lines().toList();
        assertEquals(3, stamped.size());
        for (String line : stamped) {
            int space = line.indexOf(' ');
            Instant at = Instant.parse(line.substring(0, space));
            assertTrue(Duration.between(at, Instant.now()).abs().toMinutes() < 5, line);
            assertTrue(line.substring(space + 1).matches("(out|err)[3-5]"), line);
        }
        assertEquals(lines.subList(7, 10), stamped.stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList());

        assertEquals(10, logsOf(id, new LogOptions(false, -1, 3600, false)).lines().count());

        // follow: lines arrive while the container runs; closing the stream ends it
        String ticker = startContainer(sandbox, spec("logs", "ticker", List.of("sh", "-c",
                "i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.3; done"), List.of()));
        Thread.sleep(3000);
        // since=1 leaves out the first ticks
        String recent = logsOf(ticker, new LogOptions(false, -1, 1, false));
        assertFalse(recent.contains("tick1\n"), recent);

        InputStream follow = runtime.logs(ticker, new LogOptions(true, 1, 0, false));
        BufferedReader reader = new BufferedReader(new InputStreamReader(follow, StandardCharsets.UTF_8));
        String first = reader.readLine();
        String second = reader.readLine();
        String third = reader.readLine();
        int n1 = Integer.parseInt(first.substring(4));
        assertEquals("tick" + (n1 + 1), second);
        assertEquals("tick" + (n1 + 2), third);
        CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> {
            try {
                int count = 0;
                while (reader.readLine() != null) {
                    count++;
                }
                return count;
            } catch (IOException e) {
                return -1;
            }
        });
        Thread.sleep(500);
        long t0 = System.nanoTime();
        follow.close();
        drained.get(5, TimeUnit.SECONDS);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5_000);

        // a followed stream ends when the container stops
        InputStream follow2 = runtime.logs(ticker, new LogOptions(true, 0, 0, false));
        CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
            try (follow2) {
                return new String(follow2.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(700);
        runtime.stopContainer(ticker, Duration.ofSeconds(5));
        assertTrue(rest.get(10, TimeUnit.SECONDS).contains("tick"));

        assertThrows(IOException.class, () -> runtime.logs("kubus-absent-" + run, new LogOptions(false, -1, 0, false)));
    }

    @Test
    void execReturnsOutputAndExitCode() throws Exception {
        SandboxInfo sandbox = sandbox("exec", List.of());
        String id = startContainer(sandbox, spec("exec", "app", List.of("sleep", "1000"), List.of()));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, runtime.exec(id, List.of("echo", "hi"), null, out, err));
        assertEquals("hi\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));

        assertEquals(7, runtime.exec(id, List.of("sh", "-c", "exit 7"), null, new ByteArrayOutputStream(), new ByteArrayOutputStream()));

        out.reset();
        err.reset();
        assertEquals(2, runtime.exec(id, List.of("sh", "-c", "echo to-out; echo to-err >&2; exit 2"), null, out, err));
        assertEquals("to-out\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("to-err\n", err.toString(StandardCharsets.UTF_8));

        // stdin reaches the command (one that stops reading on its own: see the note on exec's stdin)
        out.reset();
        InputStream stdin = new ByteArrayInputStream("from-stdin\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, runtime.exec(id, List.of("head", "-n", "1"), stdin, out, new ByteArrayOutputStream()));
        assertEquals("from-stdin\n", out.toString(StandardCharsets.UTF_8));

        // a command that reads stdin to its end gets the end of stdin
        ByteArrayOutputStream catOut = new ByteArrayOutputStream();
        InputStream catIn = new ByteArrayInputStream("line one\nline two\n".getBytes(StandardCharsets.UTF_8));
        int catCode = CompletableFuture.supplyAsync(() -> {
            try {
                return runtime.exec(id, List.of("sh", "-c", "cat; echo done"), catIn, catOut, new ByteArrayOutputStream());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }).get(10, TimeUnit.SECONDS);
        assertEquals(0, catCode);
        assertEquals("line one\nline two\ndone\n", catOut.toString(StandardCharsets.UTF_8));

        assertThrows(IOException.class, () -> runtime.exec("kubus-absent-" + run, List.of("true"), null,
                new ByteArrayOutputStream(), new ByteArrayOutputStream()));
    }

    @Test
    void pullingAMissingImageFailsFastWithTheEnginesMessage() {
        String image = "kubus/does-not-exist-" + run + ":1";
        assertFalse(runtime.hasImage(image));
        long t0 = System.nanoTime();
        ImagePullException e = assertThrows(ImagePullException.class, () -> runtime.pullImage(image));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("failed pull took " + millis + " ms: " + e.getMessage());
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().isBlank());
        assertFalse(e.getMessage().startsWith("Status "), "the engine's message, not docker-java's wrapping: " + e.getMessage());
        assertTrue(millis < 30_000, "took " + millis + " ms");
    }

    @Test
    void aHostPathMountWrittenByOneContainerIsReadByTheOther() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "kubus-mount-").toAbsolutePath();
        tempDirs.add(dir);
        String token = "shared-" + run;
        SandboxInfo sandbox = sandbox("mount", List.of());
        ContainerSpec writer = withMount(spec("mount", "writer", List.of("sh", "-c",
                "echo " + token + " > /data/f.txt.tmp && mv /data/f.txt.tmp /data/f.txt"), List.of()), dir, false);
        ContainerSpec reader = withMount(spec("mount", "reader", List.of("sh", "-c",
                "while [ ! -f /shared/f.txt ]; do sleep 0.1; done; cat /shared/f.txt; "
                        + "if touch /shared/x 2>/dev/null; then echo writable; else echo read-only; fi"), List.of()),
                dir, true);
        String r = startContainer(sandbox, reader);
        String w = startContainer(sandbox, writer);
        assertEquals(0, awaitExited(w).exitCode());
        awaitExited(r);
        assertEquals(token + "\nread-only\n", logsOf(r, new LogOptions(false, -1, 0, false)));
        assertEquals(token, Files.readString(dir.resolve("f.txt")).strip());
    }

    @Test
    void absentThingsAreFine() {
        assertTrue(runtime.inspect("kubus-absent-" + run).isEmpty());
        runtime.removeContainer("kubus-absent-" + run);
        runtime.removeSandbox("kubus-absent-" + run);
        assertTrue(runtime.hasImage(IMAGE));
        assertFalse(runtime.hasImage("kubus/absent-" + run + ":1"));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    SandboxInfo sandbox(String pod, List<SandboxSpec.PortMapping> ports) {
        SandboxInfo info = runtime.runSandbox(new SandboxSpec(node, uid(pod), "ns-" + run, pod + "-" + run,
                pod + "-" + run, ports, Map.of()));
        sandboxes.add(info.id());
        return info;
    }

    ContainerSpec spec(String pod, String name, List<String> command, List<String> args) {
        return new ContainerSpec(node, uid(pod), "ns-" + run, pod + "-" + run, name, IMAGE, command, args, Map.of(),
                null, List.of(), 0, 0, 0, 0, Map.of());
    }

    static ContainerSpec withMount(ContainerSpec s, Path hostPath, boolean readOnly) {
        return new ContainerSpec(s.nodeName(), s.podUid(), s.namespace(), s.podName(), s.name(), s.image(), s.command(),
                s.args(), s.env(), s.workingDir(),
                List.of(new ContainerSpec.Mount(hostPath.toString(), readOnly ? "/shared" : "/data", readOnly)),
                0, 0, 0, 0, Map.of());
    }

    static boolean inSubnet(String ip, String cidr) {
        int bits = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
        return (ipv4(ip) & mask) == (ipv4(cidr.substring(0, cidr.indexOf('/'))) & mask);
    }

    static long ipv4(String dotted) {
        long value = 0;
        for (String part : dotted.split("\\.")) {
            value = value << 8 | Integer.parseInt(part);
        }
        return value;
    }

    String uid(String pod) {
        return UUID.nameUUIDFromBytes((run + pod).getBytes(StandardCharsets.UTF_8)).toString();
    }

    String createContainer(SandboxInfo sandbox, ContainerSpec spec) {
        String id = runtime.createContainer(sandbox.id(), spec);
        containers.add(id);
        return id;
    }

    String startContainer(SandboxInfo sandbox, ContainerSpec spec) {
        String id = createContainer(sandbox, spec);
        runtime.startContainer(id);
        return id;
    }

    void assertPodLabels(ContainerInfo info, String pod, String kind) {
        assertEquals(RuntimeLabels.MANAGED_BY_VALUE, info.labels().get(RuntimeLabels.MANAGED_BY));
        assertEquals(node, info.labels().get(RuntimeLabels.NODE));
        assertEquals(kind, info.labels().get(RuntimeLabels.KIND));
        assertEquals(uid(pod), info.podUid());
        assertEquals("ns-" + run, info.namespace());
        assertEquals(pod + "-" + run, info.podName());
    }

    static ContainerInfo find(List<ContainerInfo> list, String id) {
        return list.stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " not in " + list));
    }

    static ContainerInfo awaitExited(String id) throws Exception {
        return await(Duration.ofSeconds(15), () -> {
            ContainerInfo info = runtime.inspect(id).orElseThrow();
            if (info.state() != ContainerInfo.State.EXITED) {
                throw new AssertionError("still " + info.state());
            }
            return info;
        });
    }

    static String logsOf(String id, LogOptions options) {
        try (InputStream in = runtime.logs(id, options)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static String execOut(String id, String... command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = runtime.exec(id, List.of(command), null, out, err);
        assertEquals(0, code, "exec " + List.of(command) + ": " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    interface Attempt<T> {
        T get() throws Exception;
    }

    static <T> T await(Duration timeout, Attempt<T> attempt) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last;
        do {
            try {
                return attempt.get();
            } catch (Exception | AssertionError e) {
                last = e;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not within " + timeout, last);
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + timeout + ": " + what);
            }
            Thread.sleep(100);
        }
    }
}
