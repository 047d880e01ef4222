package io.kubus.gateway.encryption;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encryption at rest on H2, in a database file as the local cluster keeps it. */
class EncryptionAtRestH2Test extends EncryptionAtRestContract {
    @Override
    String freshDatabaseUrl(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("db").resolve("kubus")
                + io.kubus.gateway.store.H2Settings.URL_FLAGS;
    }

    /** The bytes of every file of the database, once the stopped gateway closed it (H2 writes its file on close). */
    @Override
    String rawContent(String jdbcUrl, Path dir) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir.resolve("db"))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            all.write(Files.readAllBytes(f));
        }
        assertTrue(all.size() > 0, "the database has files");
        // ISO-8859-1 maps each byte to one char, so ASCII text in the file is found as it is.
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
