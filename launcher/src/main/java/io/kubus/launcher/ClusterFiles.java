package io.kubus.launcher;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
