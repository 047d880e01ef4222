package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.micronaut.core.annotation.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
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

/**
 * Resolves what a container takes from Secrets and ConfigMaps, read through a {@link PodConfigSource}: the
 * environment ({@code envFrom}, then {@code env} with {@code secretKeyRef} / {@code configMapKeyRef}, as the kubelet's
 * makeEnvironmentVariables does), and the files of secret and configMap volumes (a file per key, or per
 * {@code items} entry at its path, with {@code defaultMode} or the item's mode).
 */
final class PodConfig {
    private final PodConfigSource source;

    PodConfig(PodConfigSource source) {
        this.source = source;
    }

    /** The data of a Secret or ConfigMap as bytes per key. */
    private record Data(Map<String, byte[]> entries) {
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

    /** Whether the pod has any volume whose files come from a Secret or ConfigMap. */
    static boolean hasConfigVolumes(Pod pod) {
        return Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of()).stream()
                .anyMatch(PodConfig::isConfigVolume);
    }

    static boolean isConfigVolume(Volume v) {
        return v.getSecret() != null || v.getConfigMap() != null;
    }

    /**
     * Writes the files of every secret and configMap volume of a pod under {@code podDir/<volume>}, removing files
     * no longer in the source. Throws {@link ContainerConfigException} with the kubelet's FailedMount message when a
     * non-optional source or key is missing.
     */
    void writeVolumes(Pod pod, Path podDir) {
        String ns = pod.getMetadata().getNamespace();
        for (Volume v : Objects.requireNonNullElse(pod.getSpec().getVolumes(), List.<Volume>of())) {
            if (!isConfigVolume(v)) {
                continue;
            }
            Data data;
            List<KeyToPath> items;
            Integer defaultMode;
            boolean optional;
            String kind;
            if (v.getSecret() != null) {
                String name = v.getSecret().getSecretName();
                optional = Boolean.TRUE.equals(v.getSecret().getOptional());
                data = secret(ns, name).orElse(null);
                items = v.getSecret().getItems();
                defaultMode = v.getSecret().getDefaultMode();
                kind = "secret \"" + name + "\"";
            } else {
                String name = v.getConfigMap().getName();
                optional = Boolean.TRUE.equals(v.getConfigMap().getOptional());
                data = configMap(ns, name).orElse(null);
                items = v.getConfigMap().getItems();
                defaultMode = v.getConfigMap().getDefaultMode();
                kind = "configmap \"" + name + "\"";
            }
            String failure = "MountVolume.SetUp failed for volume \"" + v.getName() + "\" : ";
            if (data == null && !optional) {
                throw new ContainerConfigException(failure + kind + " not found");
            }
            Map<String, byte[]> files = new LinkedHashMap<>();
            Map<String, Integer> modes = new LinkedHashMap<>();
            Map<String, byte[]> entries = data == null ? Map.of() : data.entries();
            if (items == null || items.isEmpty()) {
                entries.forEach((k, b) -> files.put(k, b));
            } else {
                for (KeyToPath item : items) {
                    byte[] b = entries.get(item.getKey());
                    if (b == null) {
                        if (optional) {
                            continue;
                        }
                        throw new ContainerConfigException(failure + "references non-existent " + kind.split(" ")[0]
                                + " key: " + item.getKey());
                    }
                    files.put(item.getPath(), b);
                    if (item.getMode() != null) {
                        modes.put(item.getPath(), item.getMode());
                    }
                }
            }
            int mode = defaultMode == null ? 0644 : defaultMode;
            write(podDir.resolve(v.getName()), files, modes, mode);
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
