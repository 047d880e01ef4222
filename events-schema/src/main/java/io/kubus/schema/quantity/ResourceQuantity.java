package io.kubus.schema.quantity;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * An immutable Kubernetes resource quantity (k8s.io/apimachinery/pkg/api/resource) held as an exact
 * {@link BigDecimal}. Equality and ordering are by value only, so {@code 1Gi} equals {@code 1024Mi} and
 * {@code 1} equals {@code 1000m}.
 *
 * <p>As in Kubernetes, parsing rounds a non-zero value away from zero to a whole number of nano units
 * ({@code 1e-10} becomes {@code 1n}), and remembers the format family of the input for printing.
 * Unlike Kubernetes, binary values are not capped at 2^63-1 (arithmetic here is exact), the number needs at
 * least one digit (Kubernetes reads {@code Gi} as 0), and exponent suffixes are limited to ±1000.
 *
 * <p>{@link #toString()} is Kubernetes' canonical form:
 * <ul>
 *   <li>decimal SI ({@code 250m}, {@code 2}, {@code 100k}): the largest SI suffix that keeps an integer
 *       mantissa ({@code 0.5} → {@code 500m}, {@code 1000} → {@code 1k}, {@code 1500} → {@code 1500});
 *       above {@code E} it falls back to exponent form ({@code 1e21}) rather than printing long digit runs;</li>
 *   <li>binary SI ({@code Ki}…{@code Ei}): the largest binary suffix that keeps an integer mantissa
 *       ({@code 1.5Gi} → {@code 1536Mi}); values below 1024 in magnitude, or not whole, print as decimal SI
 *       ({@code 0.5Ki} → {@code 512}, {@code 1.0001Ki} → {@code 1024102400u});</li>
 *   <li>decimal exponent ({@code 1e3}): mantissa with an exponent that is a multiple of 3 ({@code 1.5e3} →
 *       {@code 1500}, {@code 12e2} → {@code 1200}, {@code 1e-3} → {@code 1e-3}).</li>
 * </ul>
 * Zero always prints as {@code 0}. The canonical form parses back to an equal quantity of the same format.
 */
public final class ResourceQuantity implements Comparable<ResourceQuantity> {

    /** How a quantity is printed; arithmetic results keep the format of the left operand. */
    public enum Format {
        DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT
    }

    public static final ResourceQuantity ZERO = new ResourceQuantity(BigDecimal.ZERO, Format.DECIMAL_SI);

    private static final int NANO_SCALE = 9;
    private static final BigInteger BINARY_STEP = BigInteger.valueOf(1024);
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    // Exponents above this would make decimal exponents pointlessly huge; Kubernetes keeps scales in int32.
    private static final int MAX_EXPONENT = 1_000;

    private final BigDecimal value;
    private final Format format;

    private ResourceQuantity(BigDecimal value, Format format) {
        this.value = value;
        this.format = format;
    }

    /**
     * An exact value in the given format, rounded away from zero to whole nano units like a parsed
     * quantity. A binary format for a non-zero value below 1 in magnitude becomes decimal SI, as in Kubernetes.
     */
    public static ResourceQuantity of(BigDecimal value, Format format) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(format, "format");
        BigDecimal v = value.scale() > NANO_SCALE ? value.setScale(NANO_SCALE, RoundingMode.UP) : value;
        if (v.signum() == 0) {
            return new ResourceQuantity(BigDecimal.ZERO, format);
        }
        Format f = format == Format.BINARY_SI && v.abs().compareTo(BigDecimal.ONE) < 0 ? Format.DECIMAL_SI : format;
        return new ResourceQuantity(v, f);
    }

    /** {@code n} whole units, decimal SI. */
    public static ResourceQuantity ofLong(long n) {
        return of(BigDecimal.valueOf(n), Format.DECIMAL_SI);
    }

    /** {@code n} thousandths, decimal SI (e.g. millicores). */
    public static ResourceQuantity ofMillis(long n) {
        return of(BigDecimal.valueOf(n, 3), Format.DECIMAL_SI);
    }

    /** The quantity held by a fabric8 {@link Quantity} (its amount and format, concatenated). */
    public static ResourceQuantity of(Quantity quantity) {
        Objects.requireNonNull(quantity, "quantity");
        String amount = quantity.getAmount() == null ? "" : quantity.getAmount();
        String fmt = quantity.getFormat() == null ? "" : quantity.getFormat();
        return parse(amount + fmt);
    }

    /**
     * Parses {@code 250m}, {@code 64Mi}, {@code 1.5Gi}, {@code 2}, {@code 1e3}, {@code 1E-3}, {@code +1},
     * {@code -1}, {@code .5}. The number needs at least one digit; no whitespace is allowed anywhere.
     *
     * @throws QuantityFormatException with Kubernetes' message
     */
    public static ResourceQuantity parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new QuantityFormatException(QuantityFormatException.FORMAT_WRONG);
        }
        int pos = 0;
        int end = s.length();
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            pos++;
        }
        int numberStart = pos;
        pos = skipDigits(s, pos);
        int digits = pos - numberStart;
        if (pos < end && s.charAt(pos) == '.') {
            int fractionStart = ++pos;
            pos = skipDigits(s, pos);
            digits += pos - fractionStart;
        }
        if (digits == 0) {
            // Kubernetes itself reads "Gi" or "." as 0; the documented grammar needs a digit, so we do too.
            throw new QuantityFormatException(QuantityFormatException.FORMAT_WRONG);
        }
        String number = s.substring(0, pos);
        String suffix = s.substring(pos);
        if (!suffix.matches("[eEinumkKMGTP]*[-+]?[0-9]*")) {
            throw new QuantityFormatException(QuantityFormatException.FORMAT_WRONG);
        }

        BigDecimal mantissa = new BigDecimal(number.endsWith(".") ? number + "0" : number);
        BigDecimal v;
        Format format;
        int binaryIndex = binarySuffixIndex(suffix);
        if (binaryIndex > 0) {
            v = mantissa.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(10 * binaryIndex)));
            format = Format.BINARY_SI;
        } else {
            Integer decimal = decimalSuffixExponent(suffix);
            if (decimal != null) {
                format = Format.DECIMAL_SI;
            } else {
                decimal = exponentSuffix(suffix);
                if (decimal == null) {
                    throw new QuantityFormatException(QuantityFormatException.BAD_SUFFIX);
                }
                format = Format.DECIMAL_EXPONENT;
            }
            v = mantissa.scaleByPowerOfTen(decimal);
        }
        return of(v, format);
    }

    public BigDecimal value() {
        return value;
    }

    public Format format() {
        return format;
    }

    public boolean isZero() {
        return value.signum() == 0;
    }

    public boolean isNegative() {
        return value.signum() < 0;
    }

    /** Exact sum, in this quantity's format (or {@code other}'s if this is zero, as Kubernetes does). */
    public ResourceQuantity add(ResourceQuantity other) {
        return combine(value.add(other.value), other);
    }

    /** Exact difference, in this quantity's format (or {@code other}'s if this is zero). */
    public ResourceQuantity subtract(ResourceQuantity other) {
        return combine(value.subtract(other.value), other);
    }

    public ResourceQuantity negate() {
        return of(value.negate(), format);
    }

    private ResourceQuantity combine(BigDecimal result, ResourceQuantity other) {
        return of(result, isZero() ? other.format : format);
    }

    /**
     * The value in thousandths, rounded away from zero like Kubernetes' {@code MilliValue} (so {@code 1n}
     * is 1 milli: a non-zero request never becomes zero).
     *
     * @throws ArithmeticException if it does not fit in a long
     */
    public long milliValue() {
        return value.movePointRight(3).setScale(0, RoundingMode.UP).longValueExact();
    }

    /**
     * The value in whole units, rounded away from zero like Kubernetes' {@code Value} (the ceiling for
     * non-negative quantities, e.g. {@code 100m} → 1).
     *
     * @throws ArithmeticException if it does not fit in a long
     */
    public long longValueCeil() {
        return value.setScale(0, RoundingMode.UP).longValueExact();
    }

    /** The canonical string wrapped in a fabric8 {@link Quantity}. */
    public Quantity toQuantity() {
        return new Quantity(toString());
    }

    @Override
    public int compareTo(ResourceQuantity o) {
        return value.compareTo(o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceQuantity q && value.compareTo(q.value) == 0;
    }

    @Override
    public int hashCode() {
        return value.stripTrailingZeros().hashCode();
    }

    /** Kubernetes' canonical form; see the class documentation. */
    @Override
    public String toString() {
        if (isZero()) {
            return "0";
        }
        if (format == Format.BINARY_SI && value.abs().compareTo(BigDecimal.valueOf(1024)) >= 0
                && value.stripTrailingZeros().scale() <= 0) {
            BigInteger n = value.toBigIntegerExact();
            int times = 0;
            while (times < BINARY_SUFFIXES.length - 1 && n.abs().compareTo(BINARY_STEP) >= 0
                    && n.mod(BINARY_STEP).signum() == 0) {
                n = n.divide(BINARY_STEP);
                times++;
            }
            return n + BINARY_SUFFIXES[times];
        }
        BigDecimal stripped = value.stripTrailingZeros();
        BigInteger mantissa = stripped.unscaledValue();
        int exponent = -stripped.scale();
        int adjust = Math.floorMod(exponent, 3);
        mantissa = mantissa.multiply(BigInteger.TEN.pow(adjust));
        exponent -= adjust;
        if (format == Format.DECIMAL_EXPONENT || exponent > 18) {
            return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
        }
        return mantissa + decimalSuffix(exponent);
    }

    /**
     * Go's {@code %#v} of the Quantity Kubernetes parses from {@code text} (which must parse): what a field.Invalid
     * error prints for a quantity, since a Quantity is a Stringer only through its pointer. The amount is shown as
     * ParseQuantity's int64 fast path keeps it, with the input string when that is already canonical; a value that
     * takes the slow path (inf.Dec) shows a nil-free placeholder pointer, where Go prints a memory address.
     */
    public static String goSyntax(String text) {
        parse(text);
        if (text.equals("0")) {
            return goQuantity(0, 0, false, text, "DecimalSI");
        }
        int pos = text.startsWith("-") || text.startsWith("+") ? 1 : 0;
        boolean positive = !text.startsWith("-");
        while (pos < text.length() && text.charAt(pos) == '0') {
            pos++;
        }
        int numEnd = skipDigits(text, pos);
        String num = numEnd == pos ? "0" : text.substring(pos, numEnd);
        String denom = "";
        int suffixStart = numEnd;
        if (numEnd < text.length() && text.charAt(numEnd) == '.') {
            suffixStart = skipDigits(text, numEnd + 1);
            denom = text.substring(numEnd + 1, suffixStart);
        }
        String suffix = text.substring(suffixStart);
        int binary = binarySuffixIndex(suffix);
        Integer decimal = decimalSuffixExponent(suffix);
        int exponent = binary > 0 ? 10 * binary : decimal != null ? decimal : exponentSuffix(suffix);
        String format = binary > 0 ? "BinarySI" : decimal != null ? "DecimalSI" : "DecimalExponent";
        long mantissa = 1;
        int scale;
        int precision;
        if (binary > 0) {
            scale = 0;
            if (denom.isEmpty()) {
                mantissa = 1L << exponent;
                precision = 15 - num.length() - (int) ((float) exponent * 3 / 10) - 1;
            } else {
                precision = -1;
            }
        } else {
            scale = exponent;
            precision = 18 - (num.length() + denom.length());
        }
        scale -= denom.length();
        if (precision >= 0 && scale >= -NANO_SCALE) {
            String shifted = num + denom;
            long value = Long.parseLong(shifted);
            long result;
            try {
                result = Math.multiplyExact(value, mantissa);
            } catch (ArithmeticException e) {
                return goQuantity(0, 0, true, "", format);
            }
            boolean canonical = binary > 0 ? exponent % 10 == 0 && (value & 0x07) != 0
                    : scale % 3 == 0 && !shifted.endsWith("000") && shifted.charAt(0) != '0';
            return goQuantity(positive ? result : -result, scale, false, canonical ? text : "", format);
        }
        return goQuantity(0, 0, true, "", format);
    }

    private static String goQuantity(long value, int scale, boolean infDec, String s, String format) {
        return "resource.Quantity{i:resource.int64Amount{value:" + value + ", scale:" + scale
                + "}, d:resource.infDecAmount{Dec:(*inf.Dec)(" + (infDec ? "0xc000000000" : "nil") + ")}, s:\"" + s
                + "\", Format:\"" + format + "\"}";
    }

    private static int skipDigits(String s, int pos) {
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        return pos;
    }

    private static int binarySuffixIndex(String suffix) {
        for (int i = 1; i < BINARY_SUFFIXES.length; i++) {
            if (BINARY_SUFFIXES[i].equals(suffix)) {
                return i;
            }
        }
        return -1;
    }

    private static Integer decimalSuffixExponent(String suffix) {
        return switch (suffix) {
            case "n" -> -9;
            case "u" -> -6;
            case "m" -> -3;
            case "" -> 0;
            case "k" -> 3;
            case "M" -> 6;
            case "G" -> 9;
            case "T" -> 12;
            case "P" -> 15;
            case "E" -> 18;
            default -> null;
        };
    }

    private static String decimalSuffix(int exponent) {
        return switch (exponent) {
            case -9 -> "n";
            case -6 -> "u";
            case -3 -> "m";
            case 0 -> "";
            case 3 -> "k";
            case 6 -> "M";
            case 9 -> "G";
            case 12 -> "T";
            case 15 -> "P";
            case 18 -> "E";
            default -> throw new IllegalStateException("no SI suffix for 10^" + exponent);
        };
    }

    // "e3", "E-3", "e+3": a decimal exponent; the suffix grammar already guaranteed the digits are there or not.
    private static Integer exponentSuffix(String suffix) {
        if (suffix.length() < 2 || (suffix.charAt(0) != 'e' && suffix.charAt(0) != 'E')) {
            return null;
        }
        String digits = suffix.substring(1);
        if (!digits.matches("[-+]?[0-9]+")) {
            return null;
        }
        try {
            int e = Integer.parseInt(digits);
            return Math.abs(e) <= MAX_EXPONENT ? e : null;
        } catch (NumberFormatException ex) {
            return null;
        }
    }
}
