package io.kubus.gateway.encryption;

/**
 * One provider of an EncryptionConfiguration: the prefix that marks the values it wrote (empty for identity) and how
 * it writes and reads them. {@code context} is authenticated data that ties a value to where it is stored.
 */
sealed interface Provider permits AesGcmProvider, IdentityProvider {
    String prefix();

    /** The value to store, without the prefix. */
    String write(String plain, byte[] context);

    /** The plain value from what followed the prefix. */
    String read(String stored, byte[] context);

    /** Whether a stored value (prefix included) is what this provider writes now, or one to rewrite. */
    boolean writes(String stored);
}
