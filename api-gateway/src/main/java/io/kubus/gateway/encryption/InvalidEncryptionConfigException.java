package io.kubus.gateway.encryption;

import java.nio.file.Path;

/** The encryption provider configuration cannot be used; the gateway refuses to start. */
public class InvalidEncryptionConfigException extends IllegalStateException {
    public InvalidEncryptionConfigException(Path file, String message) {
        super("encryption provider config " + file + " (kubus.encryption.provider-config): " + message);
    }
}
