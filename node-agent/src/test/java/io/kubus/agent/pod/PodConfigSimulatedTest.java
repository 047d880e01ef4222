package io.kubus.agent.pod;

import io.kubus.agent.testing.MovableClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.ContainerRuntime;
import io.kubus.agent.runtime.ContainerSpec;
import io.kubus.agent.runtime.ImagePullException;
import io.kubus.agent.runtime.LogOptions;
import io.kubus.agent.runtime.SandboxInfo;
import io.kubus.agent.runtime.SandboxSpec;
import io.kubus.agent.runtime.simulated.SimulatedRuntime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secrets and ConfigMaps into env and volume files, missing ones, and preStop hooks, on the simulated runtime. */
class PodConfigSimulatedTest {
    @TempDir
    Path volumes;

    private final MovableClock clock =
            new MovableClock(Instant.parse("2026-11-22T01:00:00Z"));
    private final Recording runtime = new Recording(new SimulatedRuntime("node-1", Duration.ofSeconds(1), clock));
    private final Map<String, Secret> secrets = new ConcurrentHashMap<>();
    private final Map<String, ConfigMap> configMaps = new ConcurrentHashMap<>();
    private final Map<String, PersistentVolumeClaim> claims = new ConcurrentHashMap<>();
    private final Map<String, PersistentVolume> pvs = new ConcurrentHashMap<>();
    private final List<String> events = new ArrayList<>();
    private final List<String> tokenRequests = new ArrayList<>();
    private final List<String> configMapReads = new CopyOnWriteArrayList<>();
    private PodSync sync;

    @BeforeEach
    void setUp() {
        PodConfigSource source = new PodConfigSource() {
            @Override
            public Optional<Secret> secret(String namespace, String name) {
                return Optional.ofNullable(secrets.get(namespace + "/" + name));
            }

            @Override
            public Optional<ConfigMap> configMap(String namespace, String name) {
                configMapReads.add(namespace + "/" + name);
                return Optional.ofNullable(configMaps.get(namespace + "/" + name));
            }

            @Override
            public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
                return Optional.ofNullable(claims.get(namespace + "/" + name));
            }

            @Override
            public Optional<PersistentVolume> volume(String name) {
                return Optional.ofNullable(pvs.get(name));
            }

            @Override
            public Token serviceAccountToken(String namespace, String serviceAccount, List<String> audiences,
                                             long expirationSeconds, String podName, String podUid, Instant now) {
                tokenRequests.add(namespace + "/" + serviceAccount + " for " + podName + " " + audiences + " " + expirationSeconds);
                return Token.of("token-" + tokenRequests.size(), now, now.plusSeconds(expirationSeconds));
            }
        };
        PodEvents recorder = new PodEvents() {
            @Override
            public void normal(Pod pod, String reason, String message) {
                events.add(reason + ":" + message);
            }

            @Override
            public void warning(Pod pod, String reason, String message) {
                events.add(reason + ":" + message);
            }

            @Override
            public void warningOnce(Pod pod, String reason, String message) {
                events.add(reason + ":" + message);
            }
        };
        sync = new PodSync("node-1", "192.168.0.1", runtime,
                new RestartBackoff(Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofMinutes(10)), recorder,
                volumes, clock, new ProbeManager(recorder, clock, Runnable::run, (p, c, id, ip, t, pr, to) ->
                ProbeResult.success("")), source, Runnable::run, null);
    }

    @Test
    void envComesFromSecretsAndConfigMapsWithEnvFromFirstAndPrefixes() {
        secrets.put("default/db", secret("db", Map.of("user", "admin", "password", "s3cret")));
        configMaps.put("default/settings", new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata()
                .withData(Map.of("mode", "fast", "level", "3")).build());
        Pod pod = new PodBuilder(base("env")).editSpec().editFirstContainer()
                .addNewEnvFrom().withPrefix("CFG_").withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom()
                .addNewEnvFrom().withNewSecretRef().withName("db").endSecretRef().endEnvFrom()
                .addNewEnv().withName("DB_PASSWORD").withNewValueFrom().withNewSecretKeyRef("password", "db", false)
                .endValueFrom().endEnv()
                .addNewEnv().withName("MODE").withNewValueFrom().withNewConfigMapKeyRef("mode", "settings", false)
                .endValueFrom().endEnv()
                .addNewEnv().withName("user").withValue("overridden").endEnv()
                .addNewEnv().withName("OPTIONAL").withNewValueFrom().withNewSecretKeyRef("x", "absent", true)
                .endValueFrom().endEnv()
                .endContainer().endSpec().build();
        sync.sync(pod, owned(pod));
        Map<String, String> env = runtime.created.getFirst().env();
        assertEquals("fast", env.get("CFG_mode"));
        assertEquals("3", env.get("CFG_level"));
        assertEquals("s3cret", env.get("password"));
        assertEquals("s3cret", env.get("DB_PASSWORD"));
        assertEquals("fast", env.get("MODE"));
        assertEquals("overridden", env.get("user"), "env overrides envFrom");
        assertFalse(env.containsKey("OPTIONAL"), "an optional reference to a missing secret sets nothing");
    }

    @Test
    void aMissingSecretHoldsTheContainerInCreateContainerConfigErrorUntilItExists() {
        Pod pod = new PodBuilder(base("missing")).editSpec().editFirstContainer()
                .addNewEnv().withName("TOKEN").withNewValueFrom().withNewSecretKeyRef("token", "api", false)
                .endValueFrom().endEnv().endContainer().endSpec().build();
        PodStatus s = sync.sync(pod, owned(pod)).status();
        var waiting = s.getContainerStatuses().getFirst().getState().getWaiting();
        assertEquals("CreateContainerConfigError", waiting.getReason());
        assertEquals("secret \"api\" not found", waiting.getMessage());
        assertEquals("Pending", s.getPhase());
        assertTrue(events.contains("Failed:Error: secret \"api\" not found"), events.toString());
        assertTrue(runtime.created.isEmpty());

        secrets.put("default/api", secret("api", Map.of("other", "x")));
        clock.advance(Duration.ofSeconds(1));
        s = sync.sync(pod, owned(pod)).status();
        assertEquals("couldn't find key token in Secret default/api",
                s.getContainerStatuses().getFirst().getState().getWaiting().getMessage());

        secrets.put("default/api", secret("api", Map.of("token", "t0k3n")));
        clock.advance(Duration.ofSeconds(1));
        sync.sync(pod, owned(pod));
        clock.advance(Duration.ofSeconds(2));
        s = sync.sync(pod, owned(pod)).status();
        assertEquals("Running", s.getPhase());
        assertEquals("t0k3n", runtime.created.getFirst().env().get("TOKEN"));
    }

    @Test
    void secretAndConfigMapVolumesAreFilesByKeyOrItemPathWithTheirModes() throws Exception {
        secrets.put("default/tls", secret("tls", Map.of("tls.crt", "CERT", "tls.key", "KEY")));
        configMaps.put("default/web", new ConfigMapBuilder().withNewMetadata().withName("web").endMetadata()
                .withData(Map.of("index.html", "<h1>hi</h1>", "unused", "u")).build());
        Pod pod = new PodBuilder(base("vols")).editSpec()
                .addNewVolume().withName("certs").withNewSecret().withSecretName("tls").withDefaultMode(0400).endSecret()
                .endVolume()
                .addNewVolume().withName("site").withNewConfigMap().withName("web")
                .addNewItem().withKey("index.html").withPath("html/index.html").withMode(0640).endItem()
                .endConfigMap().endVolume()
                .editFirstContainer()
                .addNewVolumeMount().withName("certs").withMountPath("/etc/tls").endVolumeMount()
                .addNewVolumeMount().withName("site").withMountPath("/srv").endVolumeMount()
                .endContainer().endSpec().build();
        sync.sync(pod, owned(pod));
        Path certs = volumes.resolve("uid-vols").resolve("certs");
        Path site = volumes.resolve("uid-vols").resolve("site");
        assertEquals("CERT", Files.readString(certs.resolve("tls.crt")));
        assertEquals("KEY", Files.readString(certs.resolve("tls.key")));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("tls.key"))));
        assertEquals("<h1>hi</h1>", Files.readString(site.resolve("html/index.html")));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(site.resolve("html/index.html"))));
        assertFalse(Files.exists(site.resolve("unused")), "only the listed items");
        List<ContainerSpec.Mount> mounts = runtime.created.getFirst().mounts();
        assertTrue(mounts.stream().allMatch(ContainerSpec.Mount::readOnly), "secret and configMap volumes are read-only");
        assertEquals(certs.toAbsolutePath().toString(), mounts.getFirst().hostPath());

        clock.advance(Duration.ofSeconds(2));
        sync.sync(pod, owned(pod));
        Pod deleting = new PodBuilder(pod).editMetadata().withDeletionTimestamp(clock.instant().plusSeconds(5).toString())
                .endMetadata().build();
        assertTrue(sync.sync(deleting, owned(pod)).stopped());
        assertFalse(Files.exists(volumes.resolve("uid-vols")), "the files go with the pod");
    }

    @Test
    void refreshesShareOneReadOfAVolumesSourcePerPeriodWhileEachFirstMountReadsAfresh() throws Exception {
        configMaps.put("default/shared", configMap("shared", "one"));
        Pod a = withConfigMapVolume(base("a"), "shared");
        Pod b = withConfigMapVolume(base("b"), "shared");
        sync.sync(a, owned(a));
        configMaps.put("default/shared", configMap("shared", "two"));
        sync.sync(b, owned(b));
        assertEquals(List.of("default/shared", "default/shared"), configMapReads, "each first mount reads the source");
        assertEquals("one", Files.readString(volumes.resolve("uid-a/conf/value")));
        assertEquals("two", Files.readString(volumes.resolve("uid-b/conf/value")), "not the copy pod a's mount read");

        clock.advance(Duration.ofSeconds(30));
        sync.sync(a, owned(a));
        sync.sync(b, owned(b));
        assertEquals(2, configMapReads.size(), "no refresh within the period");

        configMaps.put("default/shared", configMap("shared", "three"));
        clock.advance(Duration.ofSeconds(31));
        sync.sync(a, owned(a));
        sync.sync(b, owned(b));
        assertEquals(3, configMapReads.size(), "both pods' refreshes came from one read: " + configMapReads);
        assertEquals("three", Files.readString(volumes.resolve("uid-a/conf/value")));
        assertEquals("three", Files.readString(volumes.resolve("uid-b/conf/value")));
    }

    private static Pod withConfigMapVolume(Pod pod, String configMap) {
        return new PodBuilder(pod).editSpec()
                .addNewVolume().withName("conf").withNewConfigMap().withName(configMap).endConfigMap().endVolume()
                .editFirstContainer().addNewVolumeMount().withName("conf").withMountPath("/etc/conf").endVolumeMount()
                .endContainer().endSpec().build();
    }

    private static ConfigMap configMap(String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().withData(Map.of("value", value)).build();
    }

    @Test
    void theServiceAccountVolumeHoldsABoundTokenRenewedAtFourFifthsOfItsLifeTheCaAndTheNamespace() throws Exception {
        configMaps.put("default/kube-root-ca.crt", new ConfigMapBuilder().withNewMetadata().withName("kube-root-ca.crt")
                .endMetadata().withData(Map.of("ca.crt", "CA PEM")).build());
        Pod pod = new PodBuilder(base("sa")).editSpec().withServiceAccountName("reader")
                .addNewVolume().withName("kube-api-access-x2b4c").withNewProjected().withDefaultMode(420)
                .addNewSource().withNewServiceAccountToken().withExpirationSeconds(3607L).withPath("token")
                .endServiceAccountToken().endSource()
                .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt")
                .withPath("ca.crt").endItem().endConfigMap().endSource()
                .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef()
                .withApiVersion("v1").withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
                .endProjected().endVolume()
                .editFirstContainer().addNewVolumeMount().withName("kube-api-access-x2b4c").withReadOnly(true)
                .withMountPath("/var/run/secrets/kubernetes.io/serviceaccount").endVolumeMount().endContainer()
                .endSpec().build();
        sync.sync(pod, owned(pod));
        Path dir = volumes.resolve("uid-sa").resolve("kube-api-access-x2b4c");
        assertEquals("token-1", Files.readString(dir.resolve("token")));
        assertEquals("CA PEM", Files.readString(dir.resolve("ca.crt")));
        assertEquals("default", Files.readString(dir.resolve("namespace")));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("token"))));
        assertEquals(List.of("default/reader for sa [] 3607"), tokenRequests, "one token, bound to the pod");
        assertTrue(runtime.created.getFirst().mounts().getFirst().readOnly());

        // 80% of 3607 s is 2885.6 s: the volume is rewritten every minute, and the token only once it is due
        clock.advance(Duration.ofSeconds(2880));
        sync.sync(pod, owned(pod));
        assertEquals("token-1", Files.readString(dir.resolve("token")));
        clock.advance(Duration.ofSeconds(61));
        sync.sync(pod, owned(pod));
        assertEquals("token-2", Files.readString(dir.resolve("token")), "renewed before it expires");
        assertEquals(2, tokenRequests.size());
    }

    @Test
    void aMissingVolumeSourceKeepsThePodCreatingWithFailedMount() {
        Pod pod = new PodBuilder(base("nomount")).editSpec()
                .addNewVolume().withName("cfg").withNewConfigMap().withName("absent").endConfigMap().endVolume()
                .addNewVolume().withName("opt").withNewSecret().withSecretName("absent").withOptional(true).endSecret()
                .endVolume()
                .editFirstContainer().addNewVolumeMount().withName("cfg").withMountPath("/cfg").endVolumeMount()
                .endContainer().endSpec().build();
        PodStatus s = sync.sync(pod, owned(pod)).status();
        assertEquals("ContainerCreating", s.getContainerStatuses().getFirst().getState().getWaiting().getReason());
        assertTrue(owned(pod).isEmpty(), "no sandbox before the volumes are set up");
        assertTrue(events.contains("FailedMount:MountVolume.SetUp failed for volume \"cfg\" : configmap \"absent\" not found"),
                events.toString());
        configMaps.put("default/absent", new ConfigMapBuilder().withNewMetadata().withName("absent").endMetadata()
                .withData(Map.of("k", "v")).build());
        clock.advance(Duration.ofSeconds(1));
        sync.sync(pod, owned(pod));
        clock.advance(Duration.ofSeconds(2));
        assertEquals("Running", sync.sync(pod, owned(pod)).status().getPhase());
    }

    @Test
    void aPreStopHookRunsBeforeTheContainerIsStopped() {
        Pod pod = new PodBuilder(base("hook")).editSpec().withTerminationGracePeriodSeconds(10L).editFirstContainer()
                .withNewLifecycle().withNewPreStop().withNewExec().withCommand("sh", "-c", "echo bye > /tmp/bye")
                .endExec().endPreStop().endLifecycle().endContainer().endSpec().build();
        sync.sync(pod, owned(pod));
        clock.advance(Duration.ofSeconds(2));
        sync.sync(pod, owned(pod));
        String id = owned(pod).stream().filter(c -> !c.sandbox()).findFirst().orElseThrow().id();
        Pod deleting = new PodBuilder(pod).editMetadata().withDeletionTimestamp(clock.instant().plusSeconds(10).toString())
                .endMetadata().build();
        assertTrue(sync.sync(deleting, owned(pod)).stopped());
        assertEquals(List.of("exec " + id + " [sh, -c, echo bye > /tmp/bye]", "stop " + id), runtime.calls.stream()
                .filter(c -> c.startsWith("exec") || c.startsWith("stop " + id)).toList());
        assertTrue(owned(pod).isEmpty());
    }

    @Test
    void aClaimVolumeWaitsForItsBindingThenMountsItsVolumesFolderWithSubPaths() {
        Pod pod = new PodBuilder(base("db")).editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim()
                .withClaimName("data-db-0").endPersistentVolumeClaim().endVolume().editFirstContainer()
                .addNewVolumeMount().withName("data").withMountPath("/var/lib/db").endVolumeMount()
                .addNewVolumeMount().withName("data").withMountPath("/logs").withSubPath("logs").endVolumeMount()
                .endContainer().endSpec().build();
        sync.sync(pod, owned(pod));
        assertTrue(runtime.created.isEmpty(), "no container without its claim");
        assertTrue(events.contains("FailedMount:persistentvolumeclaim \"data-db-0\" not found"), events.toString());

        claims.put("default/data-db-0", new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-db-0")
                .withNamespace("default").endMetadata().withNewSpec().endSpec().withNewStatus().withPhase("Pending")
                .endStatus().build());
        sync.sync(pod, owned(pod));
        assertTrue(runtime.created.isEmpty(), "nor with an unbound one");
        assertTrue(events.contains("FailedMount:persistentvolumeclaim \"data-db-0\" is not bound yet"), events.toString());

        Path folder = volumes.resolve("storage").resolve("pvc-1_default_data-db-0");
        pvs.put("pvc-1", new PersistentVolumeBuilder().withNewMetadata().withName("pvc-1").endMetadata().withNewSpec()
                .withNewHostPath().withPath(folder.toString()).withType("DirectoryOrCreate").endHostPath().endSpec().build());
        claims.put("default/data-db-0", new PersistentVolumeClaimBuilder(claims.get("default/data-db-0")).editSpec()
                .withVolumeName("pvc-1").endSpec().editStatus().withPhase("Bound").endStatus().build());
        sync.sync(pod, owned(pod));
        List<ContainerSpec.Mount> mounts = runtime.created.getFirst().mounts();
        assertTrue(mounts.contains(new ContainerSpec.Mount(folder.toAbsolutePath().toString(), "/var/lib/db", false)),
                mounts.toString());
        assertTrue(mounts.contains(new ContainerSpec.Mount(folder.resolve("logs").toAbsolutePath().toString(), "/logs",
                false)), mounts.toString());
        assertTrue(java.nio.file.Files.isDirectory(folder.resolve("logs")), "the volume's folder and the subPath made");
    }

    private List<ContainerInfo> owned(Pod pod) {
        return runtime.list().stream().filter(c -> pod.getMetadata().getUid().equals(c.podUid())).toList();
    }

    private static Secret secret(String name, Map<String, String> data) {
        Map<String, String> encoded = new java.util.LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withData(encoded).build();
    }

    private static Pod base(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .endMetadata().withNewSpec().withNodeName("node-1")
                .addToContainers(new ContainerBuilder().withName("app").withImage("kubus/busybox:1").build())
                .endSpec().build();
    }

    /** The simulated runtime, recording container specs, execs and stops. */
    static final class Recording implements ContainerRuntime {
        final ContainerRuntime delegate;
        final List<ContainerSpec> created = new CopyOnWriteArrayList<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        Recording(ContainerRuntime delegate) {
            this.delegate = delegate;
        }

        @Override
        public String versionString() {
            return delegate.versionString();
        }

        @Override
        public SandboxInfo runSandbox(SandboxSpec spec) {
            return delegate.runSandbox(spec);
        }

        @Override
        public void removeSandbox(String sandboxId) {
            delegate.removeSandbox(sandboxId);
        }

        @Override
        public boolean hasImage(String image) {
            return delegate.hasImage(image);
        }

        @Override
        public void pullImage(String image) throws ImagePullException {
            delegate.pullImage(image);
        }

        @Override
        public String createContainer(String sandboxId, ContainerSpec spec) {
            created.add(spec);
            return delegate.createContainer(sandboxId, spec);
        }

        @Override
        public void startContainer(String containerId) {
            delegate.startContainer(containerId);
        }

        @Override
        public void stopContainer(String containerId, Duration grace) {
            calls.add("stop " + containerId);
            delegate.stopContainer(containerId, grace);
        }

        @Override
        public void removeContainer(String containerId) {
            delegate.removeContainer(containerId);
        }

        @Override
        public List<ContainerInfo> list() {
            return delegate.list();
        }

        @Override
        public List<ContainerInfo> listPod(String podUid) {
            return delegate.listPod(podUid);
        }

        @Override
        public Optional<ContainerInfo> inspect(String containerId) {
            return delegate.inspect(containerId);
        }

        @Override
        public InputStream logs(String containerId, LogOptions options) throws java.io.IOException {
            return delegate.logs(containerId, options);
        }

        @Override
        public int exec(String containerId, List<String> command, InputStream stdin, OutputStream stdout,
                        OutputStream stderr) throws java.io.IOException {
            calls.add("exec " + containerId + " " + command);
            return delegate.exec(containerId, command, stdin, stdout, stderr);
        }

        @Override
        public java.net.Socket connect(String sandboxId, int port) throws java.io.IOException {
            return delegate.connect(sandboxId, port);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
