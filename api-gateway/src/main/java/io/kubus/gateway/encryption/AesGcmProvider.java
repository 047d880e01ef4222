package io.kubus.gateway.encryption;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * kube-apiserver's {@code aesgcm} provider: values are {@code k8s:enc:aesgcm:v1:<key name>:} followed by a random
 * 12-byte nonce and the AES-GCM ciphertext with its tag, the storage context as authenticated data. The first key
 * writes; a value is read with the key its name names. Kubus stores text, so the nonce and ciphertext are base64
 * where kube-apiserver puts their bytes into etcd.
 */
final class AesGcmProvider implements Provider {
    static final String PREFIX = "k8s:enc:aesgcm:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** One named key of the provider. */
    record Key(String name, SecretKey secret) {
    }

    private final List<Key> keys;
    private final SecureRandom random;

    AesGcmProvider(List<Key> keys, SecureRandom random) {
        this.keys = List.copyOf(keys);
        this.random = random;
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public String write(String plain, byte[] context) {
        Key key = keys.getFirst();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] data = plain.getBytes(StandardCharsets.UTF_8);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, key.secret(), nonce, context);
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + cipher.getOutputSize(data.length));
            out.put(nonce);
            cipher.doFinal(ByteBuffer.wrap(data), out);
            return key.name() + ":" + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            // Only a JDK without AES/GCM gets here; the start-up check (EncryptionConfiguration) would have failed.
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public boolean writes(String stored) {
        return stored.startsWith(PREFIX + keys.getFirst().name() + ":");
    }

    @Override
    public String read(String stored, byte[] context) {
        for (Key key : keys) {
            if (stored.startsWith(key.name() + ":")) {
                return open(key, stored.substring(key.name().length() + 1), context);
            }
        }
        throw new ValueTransformException("no matching key was found for the provided AES transformer");
    }

    private static String open(Key key, String encoded, byte[] context) {
        byte[] data;
        try {
            data = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new ValueTransformException("the stored data is not base64");
        }
        if (data.length < NONCE_BYTES) {
            throw new ValueTransformException("the stored data was shorter than the required size");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key.secret(), java.util.Arrays.copyOf(data, NONCE_BYTES), context);
            return new String(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            // Go's crypto/cipher message: a wrong key under the right name, or altered data or context.
            throw new ValueTransformException("cipher: message authentication failed");
        } catch (GeneralSecurityException e) {
            throw new ValueTransformException("AES-GCM decryption failed: " + e.getClass().getSimpleName());
        }
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, byte[] context) throws GeneralSecurityException {
        // A Cipher is not thread-safe and cheap to make next to the AES work itself.
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(context);
        return cipher;
    }
}
