package io.kubus.gateway.encryption;

/** Stores values as they are; refuses to read an encrypted one, as kube-apiserver's identity transformer does. */
record IdentityProvider() implements Provider {
    /** The prefix kube-apiserver reserves for encrypted values; JSON never starts with it. */
    static final String ENCRYPTED = "k8s:enc:";

    @Override
    public String prefix() {
        return "";
    }

    @Override
    public String write(String plain, byte[] context) {
        return plain;
    }

    @Override
    public boolean writes(String stored) {
        return !stored.startsWith(ENCRYPTED);
    }

    @Override
    public String read(String stored, byte[] context) {
        if (stored.startsWith(ENCRYPTED)) {
            throw new ValueTransformException("identity transformer tried to read encrypted data");
        }
        return stored;
    }
}
