package io.kubus.gateway.admission;

import io.fabric8.kubernetes.api.model.Quantity;
import io.micronaut.core.annotation.Nullable;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/** Resource quantities as the apiserver reads them; the object model keeps them as raw strings. */
final class Quantities {
    static final String REGEX = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private Quantities() {
    }

    /** The value, or null when the text is not a quantity. */
    @Nullable
    static BigDecimal parse(String text) {
        if (!PATTERN.matcher(text).matches()) {
            return null;
        }
        try {
            return Quantity.getAmountInBytes(new Quantity(text));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
