package io.kubus.gateway.encryption;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The providers of one resource, as kube-apiserver's prefix transformers: the first provider writes, with its prefix;
 * a read goes to the first provider whose prefix the value starts with, and on to the next one that matches when it
 * fails (two aesgcm providers during a rotation share a prefix). Identity matches every value but steps aside for an
 * encrypted one.
 */
public final class ValueTransformer {
    private final List<Provider> providers;

    ValueTransformer(List<Provider> providers) {
        if (providers.isEmpty()) {
            throw new IllegalArgumentException("a transformer needs a provider");
        }
        this.providers = List.copyOf(providers);
    }

    /** Values stored as they are, for resources no configuration names. */
    public static ValueTransformer identity() {
        return new ValueTransformer(List.of(new IdentityProvider()));
    }

    /** Whether values are stored as they are (identity writes). */
    public boolean writesPlain() {
        return providers.getFirst() instanceof IdentityProvider;
    }

    /** {@code context} names where the value is stored; the same context must read it back. */
    public String toStorage(String plain, String context) {
        Provider first = providers.getFirst();
        return first.prefix() + first.write(plain, context.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Whether a stored value was written by another provider or key than the one that writes now: a write that
     * changes nothing still rewrites it (kube-apiserver's stale values), which is how a rotation re-encrypts.
     */
    public boolean isStale(String stored) {
        return !providers.getFirst().writes(stored);
    }

    public String fromStorage(String stored, String context) {
        byte[] ctx = null;
        List<String> errors = new ArrayList<>();
        for (Provider p : providers) {
            if (!stored.startsWith(p.prefix())) {
                continue;
            }
            if (ctx == null) {
                ctx = context.getBytes(StandardCharsets.UTF_8);
            }
            try {
                return p.read(stored.substring(p.prefix().length()), ctx);
            } catch (ValueTransformException e) {
                // Identity's refusal of encrypted data is no error of its own: a later provider may read it.
                if (!p.prefix().isEmpty()) {
                    errors.add(e.getMessage());
                }
            }
        }
        if (errors.isEmpty()) {
            throw new ValueTransformException("no matching prefix found");
        }
        // kube-apiserver reduces the errors of the providers it tried into one message.
        throw new ValueTransformException(errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]");
    }
}
