package io.kubus.launcher;

import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.tls.PrivateFiles;
import io.kubus.gateway.encryption.NewEncryptionConfig;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Properties;

/** The files a running local cluster leaves in its data directory for users and for the {@code kubus} script. */
public final class ClusterFiles {

    private ClusterFiles() {
    }

    /** {@code pid}, {@code api.url}, {@code kafka.bootstrap}, read by {@code ./kubus status} and {@code down}. */
    public static void writeState(Path file, long pid, String apiUrl, String kafkaBootstrap, Path dataDir, String nodes)
            throws IOException {
        Properties p = new Properties();
        p.setProperty("nodes", nodes);
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("api.url", apiUrl);
        p.setProperty("kafka.bootstrap", kafkaBootstrap);
        p.setProperty("data.dir", dataDir.toString());
        p.setProperty("kubeconfig", dataDir.resolve("kubeconfig").toString());
        StringWriter out = new StringWriter();
        p.store(out, "kubus local cluster; removed on a clean shutdown");
        writeAtomically(file, out.toString());
    }

    /**
     * Makes {@code file} with a new random key on a cluster's first start ({@code clusterExists} false); never replaces
     * it. A cluster whose file is gone is refused: a new key would leave the Secrets it encrypted unreadable.
     * Returns whether it made the file.
     */
    public static boolean ensureEncryptionConfig(Path file, boolean clusterExists) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        if (clusterExists) {
            throw new IllegalStateException(file + " is missing, but " + file.getParent() + " holds a cluster whose "
                    + "Secrets are encrypted with the key it held: restore the file. (A cluster made by a Kubus that "
                    + "did not encrypt Secrets yet: write one as the README's \"Secrets at rest\" says.)");
        }
        return NewEncryptionConfig.createIfAbsent(file, new SecureRandom());
    }

    /**
     * A Kafka client's settings as a properties file (bootstrap servers, TLS, the key and certificate in-line as PEM),
     * readable by the owner only: it holds a key.
     */
    public static void writeKafkaClientProperties(Path file, KafkaClientConfig kafka) throws IOException {
        Properties p = new Properties();
        kafka.client(java.util.Map.of()).forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        StringWriter out = new StringWriter();
        p.store(out, "Kafka client settings of the cluster's administrator, e.g. kafka-console-consumer.sh --consumer.config");
        PrivateFiles.write(file, out.toString());
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
