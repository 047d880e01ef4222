package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.micronaut.core.annotation.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves what a container takes from Secrets and ConfigMaps, read through a {@link PodConfigSource}: the
 * environment ({@code envFrom}, then {@code env} with {@code secretKeyRef} / {@code configMapKeyRef}, as the kubelet's
 * makeEnvironmentVariables does), and the files of secret and configMap volumes (a file per key, or per
 * {@code items} entry at its path, with {@code defaultMode} or the item's mode), and of projected volumes (the
 * ServiceAccount token volume every pod gets).
 */
final class PodConfig {
    /** How long a volume's source read for a refresh is kept when no pod reads it again. */
    private static final Duration SOURCES_UNUSED = Duration.ofMinutes(5);

    private final PodConfigSource source;
    /** Projected ServiceAccount tokens by pod uid, volume and path: kept until 80% of their life has passed. */
    private final Map<String, PodConfigSource.Token> tokens = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The Secrets and ConfigMaps of volumes as last read, by kind, namespace and name, shared by the node's pods when
     * their volumes are refreshed, as the kubelet's cache-based manager shares them: a node of thirty pods read
     * {@code kube-root-ca.crt} thirty times a refresh period, now once; a pod's first mount still reads afresh.
     */
    private final Map<String, Read> volumeSources = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Instant volumeSourcesSwept = Instant.MIN;

    PodConfig(PodConfigSource source) {
        this.source = source;
    }

    /** The data of a Secret or ConfigMap as bytes per key. */
    private record Data(Map<String, byte[]> entries) {
    }

    /** A volume's source as read at a time; empty when it did not exist. */
    private record Read(Optional<Data> data, Instant at) {
    }

    private Optional<Data> secret(String ns, String name) {
        return source.secret(ns, name).map(PodConfig::secretData);
    }

    private Optional<Data> configMap(String ns, String name) {
        return source.configMap(ns, name).map(PodConfig::configMapData);
    }

    static Data secretData(Secret s) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> m.put(k, Base64.getMimeDecoder().decode(v == null ? "" : v)));
        }
        if (s.getStringData() != null) {
            s.getStringData().forEach((k, v) -> m.put(k, Objects.requireNonNullElse(v, "").getBytes(StandardCharsets.UTF_8)));
        }
        return new Data(m);
    }

    static Data configMapData(ConfigMap c) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        if (c.getData() != null) {
            c.getData().forEach((k, v) -> m.put(k, Objects.requireNonNullElse(v, "").getBytes(StandardCharsets.UTF_8)));
        }
        if (c.getBinaryData() != null) {
            c.getBinaryData().forEach((k, v) -> m.put(k, Base64.getMimeDecoder().decode(v == null ? "" : v)));
        }
        return new Data(m);
    }

    /**
     * The container's environment: {@code envFrom} sources in order (keys with their prefix), then {@code env}, later
     * entries overriding earlier ones.
     *
     * @param plain how the value of an {@code env} entry that refers to neither a Secret nor a ConfigMap is made
     */
    Map<String, String> environment(Pod pod, Container c, Function<EnvVar, String> plain) {
        String ns = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Data> secrets = new LinkedHashMap<>();
        Map<String, Data> configMaps = new LinkedHashMap<>();
        for (EnvFromSource from : Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
            String prefix = Objects.requireNonNullElse(from.getPrefix(), "");
            Data data = null;
            if (from.getSecretRef() != null) {
                String name = from.getSecretRef().getName();
                data = cached(secrets, name, () -> secret(ns, name), Boolean.TRUE.equals(from.getSecretRef().getOptional()),
                        "secret \"" + name + "\" not found");
            } else if (from.getConfigMapRef() != null) {
                String name = from.getConfigMapRef().getName();
                data = cached(configMaps, name, () -> configMap(ns, name),
                        Boolean.TRUE.equals(from.getConfigMapRef().getOptional()), "configmap \"" + name + "\" not found");
            }
            if (data != null) {
                data.entries().forEach((k, v) -> env.put(prefix + k, new String(v, StandardCharsets.UTF_8)));
            }
        }
        for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
            SecretKeySelector sk = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
            ConfigMapKeySelector ck = e.getValueFrom() == null ? null : e.getValueFrom().getConfigMapKeyRef();
            if (sk != null) {
                boolean optional = Boolean.TRUE.equals(sk.getOptional());
                Data data = cached(secrets, sk.getName(), () -> secret(ns, sk.getName()), optional,
                        "secret \"" + sk.getName() + "\" not found");
                byte[] v = data == null ? null : data.entries().get(sk.getKey());
                if (v == null && data != null && !optional) {
                    throw new ContainerConfigException("couldn't find key " + sk.getKey() + " in Secret " + ns + "/"
                            + sk.getName());
                }
                if (v != null) {
                    env.put(e.getName(), new String(v, StandardCharsets.UTF_8));
                }
            } else if (ck != null) {
                boolean optional = Boolean.TRUE.equals(ck.getOptional());
                Data data = cached(configMaps, ck.getName(), () -> configMap(ns, ck.getName()), optional,
                        "configmap \"" + ck.getName() + "\" not found");
                byte[] v = data == null ? null : data.entries().get(ck.getKey());
                if (v == null && data != null && !optional) {
                    throw new ContainerConfigException("couldn't find key " + ck.getKey() + " in ConfigMap " + ns + "/"
                            + ck.getName());
                }
                if (v != null) {
                    env.put(e.getName(), new String(v, StandardCharsets.UTF_8));
                }
            } else {
                env.put(e.getName(), plain.apply(e));
            }
        }
        return env;
    }

    private static @Nullable Data cached(Map<String, Data> cache, String name,
                                         java.util.function.Supplier<Optional<Data>> read, boolean optional,
                                         String notFound) {
        if (!cache.containsKey(name)) {
            cache.put(name, read.get().orElse(null));
        }
        Data d = cache.get(name);
        if (d == null && !optional) {
            throw new ContainerConfigException(notFound);
        }
        return d;
    }

    /** Whether the pod has any volume whose files come from a Secret, a ConfigMap or a projection. */
    static boolean hasConfigVolumes(Pod pod) {
        return Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of()).stream()
                .anyMatch(PodConfig::isConfigVolume);
    }

    static boolean isConfigVolume(Volume v) {
        return v.getSecret() != null || v.getConfigMap() != null || v.getProjected() != null;
    }

    /** The files of a volume being made: path to bytes, and the paths with a mode of their own. */
    private record VolumeFiles(Map<String, byte[]> content, Map<String, Integer> modes) {
        VolumeFiles() {
            this(new LinkedHashMap<>(), new LinkedHashMap<>());
        }
    }

    /**
     * Writes the files of every secret, configMap and projected volume of a pod under {@code podDir/<volume>},
     * removing files no longer in the source. Throws {@link ContainerConfigException} with the kubelet's FailedMount
     * message when a non-optional source or key is missing. A projected ServiceAccount token is requested for the
     * pod (bound to it) and requested again once 80% of its life has passed, as the kubelet's token manager does.
     */
    void writeVolumes(Pod pod, Path podDir, Instant now, Duration maxAge) {
        String ns = pod.getMetadata().getNamespace();
        Sources sources = new Sources(now, maxAge);
        for (Volume v : Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of())) {
            if (!isConfigVolume(v)) {
                continue;
            }
            String failure = "MountVolume.SetUp failed for volume \"" + v.getName() + "\" : ";
            VolumeFiles files = new VolumeFiles();
            Integer defaultMode;
            if (v.getSecret() != null) {
                String name = v.getSecret().getSecretName();
                add(files, sources.secret(ns, name), "secret \"" + name + "\"", v.getSecret().getItems(),
                        Boolean.TRUE.equals(v.getSecret().getOptional()), failure);
                defaultMode = v.getSecret().getDefaultMode();
            } else if (v.getConfigMap() != null) {
                String name = v.getConfigMap().getName();
                add(files, sources.configMap(ns, name), "configmap \"" + name + "\"", v.getConfigMap().getItems(),
                        Boolean.TRUE.equals(v.getConfigMap().getOptional()), failure);
                defaultMode = v.getConfigMap().getDefaultMode();
            } else {
                for (VolumeProjection p : Objects.requireNonNullElse(v.getProjected().getSources(), List.<VolumeProjection>of())) {
                    project(pod, v.getName(), p, files, failure, sources);
                }
                defaultMode = v.getProjected().getDefaultMode();
            }
            write(podDir.resolve(v.getName()), files.content(), files.modes(), defaultMode == null ? 0644 : defaultMode);
        }
    }

    /**
     * The sources of one writing of a pod's volumes: each read at most {@code maxAge} ago (zero: read now), from
     * {@link #volumeSources} or afresh.
     */
    private final class Sources {
        final Instant now;
        final Duration maxAge;

        Sources(Instant now, Duration maxAge) {
            this.now = now;
            this.maxAge = maxAge;
        }

        Optional<Data> secret(String ns, String name) {
            return read("secret/" + ns + "/" + name, () -> PodConfig.this.secret(ns, name));
        }

        Optional<Data> configMap(String ns, String name) {
            return read("configmap/" + ns + "/" + name, () -> PodConfig.this.configMap(ns, name));
        }

        private Optional<Data> read(String key, java.util.function.Supplier<Optional<Data>> source) {
            Read kept = volumeSources.get(key);
            if (kept != null && now.isBefore(kept.at().plus(maxAge))) {
                return kept.data();
            }
            Read fresh = new Read(source.get(), now);
            volumeSources.put(key, fresh);
            if (now.isAfter(volumeSourcesSwept.plus(SOURCES_UNUSED))) {
                // what no pod read for that long is no longer referenced on this node (refreshes read every minute)
                volumeSourcesSwept = now;
                volumeSources.values().removeIf(r -> r.at().plus(SOURCES_UNUSED).isBefore(now));
            }
            return fresh.data();
        }
    }

    /** Forgets what was kept for a pod that is gone (its tokens). */
    void forget(String podUid) {
        tokens.keySet().removeIf(k -> k.startsWith(podUid + "/"));
    }

    private void project(Pod pod, String volume, VolumeProjection p, VolumeFiles files, String failure, Sources sources) {
        String ns = pod.getMetadata().getNamespace();
        Instant now = sources.now;
        if (p.getSecret() != null) {
            String name = p.getSecret().getName();
            add(files, sources.secret(ns, name), "secret \"" + name + "\"", p.getSecret().getItems(),
                    Boolean.TRUE.equals(p.getSecret().getOptional()), failure);
        } else if (p.getConfigMap() != null) {
            String name = p.getConfigMap().getName();
            add(files, sources.configMap(ns, name), "configmap \"" + name + "\"", p.getConfigMap().getItems(),
                    Boolean.TRUE.equals(p.getConfigMap().getOptional()), failure);
        } else if (p.getDownwardAPI() != null) {
            for (DownwardAPIVolumeFile f : Objects.requireNonNullElse(p.getDownwardAPI().getItems(), List.<DownwardAPIVolumeFile>of())) {
                if (f.getFieldRef() != null) {
                    files.content().put(f.getPath(), field(pod, f.getFieldRef().getFieldPath()).getBytes(StandardCharsets.UTF_8));
                    if (f.getMode() != null) {
                        files.modes().put(f.getPath(), f.getMode());
                    }
                }
            }
        } else if (p.getServiceAccountToken() != null) {
            ServiceAccountTokenProjection t = p.getServiceAccountToken();
            String key = pod.getMetadata().getUid() + "/" + volume + "/" + t.getPath();
            PodConfigSource.Token token = tokens.get(key);
            if (token == null || !now.isBefore(token.renewAt())) {
                long seconds = t.getExpirationSeconds() == null ? 3600 : t.getExpirationSeconds();
                List<String> audiences = t.getAudience() == null || t.getAudience().isEmpty() ? List.of() : List.of(t.getAudience());
                try {
                    token = source.serviceAccountToken(ns, pod.getSpec().getServiceAccountName(), audiences, seconds,
                            pod.getMetadata().getName(), pod.getMetadata().getUid(), now);
                } catch (RuntimeException e) {
                    if (token == null) {
                        throw new ContainerConfigException(failure + "failed to fetch token: " + e.getMessage());
                    }
                    // keep the token the pod has while it is good; the next sync asks again
                }
                tokens.put(key, token);
            }
            files.content().put(t.getPath(), token.value().getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The value of a downward API field of the pod's metadata, for volumes and environment variables alike; one
     * label or annotation is {@code metadata.labels['key']} (an Indexed Job's pods read their index so).
     */
    static String field(Pod pod, String path) {
        Matcher subscript = SUBSCRIPT.matcher(path);
        if (subscript.matches()) {
            Map<String, String> map = subscript.group(1).equals("labels") ? pod.getMetadata().getLabels()
                    : pod.getMetadata().getAnnotations();
            return map == null ? "" : Objects.requireNonNullElse(map.get(subscript.group(2)), "");
        }
        return switch (path) {
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "metadata.labels" -> keyValues(pod.getMetadata().getLabels());
            case "metadata.annotations" -> keyValues(pod.getMetadata().getAnnotations());
            case "spec.serviceAccountName" -> Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "");
            default -> "";
        };
    }

    private static final Pattern SUBSCRIPT =
            Pattern.compile("metadata\\.(labels|annotations)\\['(.*)'\\]");

    /** The kubelet's format of a map in a downward API file: key="value" lines, sorted, Go-quoted. */
    private static String keyValues(@Nullable Map<String, String> map) {
        if (map == null) {
            return "";
        }
        return new java.util.TreeMap<>(map).entrySet().stream()
                .map(e -> e.getKey() + "=" + io.kubus.schema.validation.GoQuote.quote(e.getValue()))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /** The files of one Secret or ConfigMap: every key, or the items asked for at their paths. */
    private static void add(VolumeFiles files, Optional<Data> source, String kind, @Nullable List<KeyToPath> items,
                            boolean optional, String failure) {
        Data data = source.orElse(null);
        if (data == null && !optional) {
            throw new ContainerConfigException(failure + kind + " not found");
        }
        Map<String, byte[]> entries = data == null ? Map.of() : data.entries();
        if (items == null || items.isEmpty()) {
            files.content().putAll(entries);
            return;
        }
        for (KeyToPath item : items) {
            byte[] b = entries.get(item.getKey());
            if (b == null) {
                if (optional) {
                    continue;
                }
                throw new ContainerConfigException(failure + "references non-existent " + kind.split(" ")[0]
                        + " key: " + item.getKey());
            }
            files.content().put(item.getPath(), b);
            if (item.getMode() != null) {
                files.modes().put(item.getPath(), item.getMode());
            }
        }
    }

    private static void write(Path dir, Map<String, byte[]> files, Map<String, Integer> modes, int defaultMode) {
        try {
            Files.createDirectories(dir);
            Set<Path> wanted = new HashSet<>();
            wanted.add(dir);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path file = dir.resolve(f.getKey()).normalize();
                if (!file.startsWith(dir) || file.equals(dir)) {
                    throw new ContainerConfigException("invalid path " + f.getKey() + " in volume " + dir.getFileName());
                }
                Files.createDirectories(file.getParent());
                Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
                Files.write(tmp, f.getValue());
                Files.setPosixFilePermissions(tmp, permissions(modes.getOrDefault(f.getKey(), defaultMode)));
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                for (Path p = file; p.startsWith(dir); p = p.getParent()) {
                    wanted.add(p);
                }
            }
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder())
                        .filter(p -> !wanted.contains(p))
                        .forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(bits[i]);
            }
        }
        return s;
    }
}
