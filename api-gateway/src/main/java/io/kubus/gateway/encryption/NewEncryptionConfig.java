package io.kubus.gateway.encryption;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * Writes an encryption provider configuration with a new random key, once: an existing file is never replaced, so a
 * cluster never gets a second key by accident. The launcher calls it on a cluster's first start; the docker-compose
 * stack runs it as a one-shot step into the gateway's volume ({@code main}).
 */
public final class NewEncryptionConfig {
    private NewEncryptionConfig() {
    }

    /** Creates {@code file} (mode 0600) unless it exists; returns whether it did. */
    public static boolean createIfAbsent(Path file, SecureRandom random) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".encryption-config", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, EncryptionConfiguration.newSecretsConfiguration(random));
            // Without REPLACE_EXISTING: of two writers racing, the second fails rather than replace the first's key.
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code NewEncryptionConfig FILE}: the docker-compose stack's one-shot step. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: io.kubus.gateway.encryption.NewEncryptionConfig FILE");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        System.out.println(createIfAbsent(file, new SecureRandom())
                ? "wrote " + file + " with a new aesgcm key for Secrets"
                : file + " exists; its keys are kept");
    }
}
