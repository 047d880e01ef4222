package io.kubus.schema.quantity;

import io.fabric8.kubernetes.api.model.Quantity;
import io.kubus.schema.quantity.ResourceQuantity.Format;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceQuantityTest {

    private static ResourceQuantity q(String s) {
        return ResourceQuantity.parse(s);
    }

    @ParameterizedTest(name = "[{index}] {0} = {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // input     | exact value            | canonical   | format
            "0           | 0                      | 0           | DECIMAL_SI",
            "0m          | 0                      | 0           | DECIMAL_SI",
            "0Ki         | 0                      | 0           | BINARY_SI",
            "-0          | 0                      | 0           | DECIMAL_SI",
            "250m        | 0.25                   | 250m        | DECIMAL_SI",
            "64Mi        | 67108864               | 64Mi        | BINARY_SI",
            "1.5Gi       | 1610612736             | 1536Mi      | BINARY_SI",
            "1.5Mi       | 1572864                | 1536Ki      | BINARY_SI",
            "1024Ki      | 1048576                | 1Mi         | BINARY_SI",
            "1.5Ki       | 1536                   | 1536        | BINARY_SI",
            "0.5Ki       | 512                    | 512         | BINARY_SI",
            "0.0001Ki    | 0.1024                 | 102400u     | DECIMAL_SI",
            "1.0001Ki    | 1024.1024              | 1024102400u | BINARY_SI",
            "1Ki         | 1024                   | 1Ki         | BINARY_SI",
            "1Ti         | 1099511627776          | 1Ti         | BINARY_SI",
            "1Pi         | 1125899906842624       | 1Pi         | BINARY_SI",
            "1Ei         | 1152921504606846976    | 1Ei         | BINARY_SI",
            "1024Ei      | 1180591620717411303424 | 1024Ei      | BINARY_SI",
            "-1Ki        | -1024                  | -1Ki        | BINARY_SI",
            "2           | 2                      | 2           | DECIMAL_SI",
            "1024        | 1024                   | 1024        | DECIMAL_SI",
            "1000        | 1000                   | 1k          | DECIMAL_SI",
            "1500        | 1500                   | 1500        | DECIMAL_SI",
            "100000      | 100000                 | 100k        | DECIMAL_SI",
            "1000000000  | 1000000000             | 1G          | DECIMAL_SI",
            "100k        | 100000                 | 100k        | DECIMAL_SI",
            "1M          | 1000000                | 1M          | DECIMAL_SI",
            "1T          | 1000000000000          | 1T          | DECIMAL_SI",
            "1P          | 1E+15                  | 1P          | DECIMAL_SI",
            "1E          | 1E+18                  | 1E          | DECIMAL_SI",
            "1000E       | 1E+21                  | 1e21        | DECIMAL_SI",
            "0.5         | 0.5                    | 500m        | DECIMAL_SI",
            ".5          | 0.5                    | 500m        | DECIMAL_SI",
            "5.          | 5                      | 5           | DECIMAL_SI",
            "1.1         | 1.1                    | 1100m       | DECIMAL_SI",
            "0.01        | 0.01                   | 10m         | DECIMAL_SI",
            "1500m       | 1.5                    | 1500m       | DECIMAL_SI",
            "1u          | 0.000001               | 1u          | DECIMAL_SI",
            "1n          | 0.000000001            | 1n          | DECIMAL_SI",
            "1.5n        | 0.000000002            | 2n          | DECIMAL_SI",
            "1e-10       | 0.000000001            | 1e-9        | DECIMAL_EXPONENT",
            "-1e-10      | -0.000000001           | -1e-9       | DECIMAL_EXPONENT",
            "0.0000000001| 0.000000001            | 1n          | DECIMAL_SI",
            "+1          | 1                      | 1           | DECIMAL_SI",
            "-1          | -1                     | -1          | DECIMAL_SI",
            "-0.5        | -0.5                   | -500m       | DECIMAL_SI",
            "007         | 7                      | 7           | DECIMAL_SI",
            "1e3         | 1000                   | 1e3         | DECIMAL_EXPONENT",
            "1E3         | 1000                   | 1e3         | DECIMAL_EXPONENT",
            "1e+3        | 1000                   | 1e3         | DECIMAL_EXPONENT",
            "12e2        | 1200                   | 1200        | DECIMAL_EXPONENT",
            "1.5e3       | 1500                   | 1500        | DECIMAL_EXPONENT",
            "1E-3        | 0.001                  | 1e-3        | DECIMAL_EXPONENT",
            "1e0         | 1                      | 1           | DECIMAL_EXPONENT",
            "1e21        | 1E+21                  | 1e21        | DECIMAL_EXPONENT",
    })
    void parsesExactlyAndCanonicalises(String input, String exact, String canonical, Format format) {
        ResourceQuantity v = q(input);
        assertEquals(0, new BigDecimal(exact).compareTo(v.value()), () -> input + " value " + v.value());
        assertEquals(canonical, v.toString());
        assertEquals(format, v.format());
        ResourceQuantity back = q(v.toString());
        assertEquals(v, back, "canonical form parses back to an equal value");
        assertEquals(canonical, back.toString(), "canonical form is a fixed point");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "Gi", "1.5.5", "12Mb", "1 Gi", " 1", "1 ", ".", "+", "-", "+.", "1.1.M",
            "1+1.0M", "--1", "+-1", "1Kb", "0x10", "1,5", "1_000", "\u221e", "1e3.5", "NaN", "0.1am", "1Gi ",
            "1GiB", "e3", "m", "1e3e3", "1b", "1\n", "\uff11"})
    void junkHasKubernetesFormatMessage(String input) {
        QuantityFormatException e = assertThrows(QuantityFormatException.class, () -> q(input), input);
        assertEquals("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1mi", "1i", ".5i", "-3.01i", "1K", "1kk", "1e", "1E+", "-3.01e-", "1m3", "1Mii",
            "1iK", "1-", "1e5000", "1e-1001"})
    void wellFormedButUnknownSuffix(String input) {
        QuantityFormatException e = assertThrows(QuantityFormatException.class, () -> q(input), input);
        assertEquals("unable to parse quantity's suffix", e.getMessage());
    }

    @Test
    void nullIsAFormatError() {
        assertThrows(QuantityFormatException.class, () -> q(null));
    }

    @Test
    void equalityIsByValue() {
        assertEquals(q("1Gi"), q("1024Mi"));
        assertEquals(q("1Gi").hashCode(), q("1024Mi").hashCode());
        assertEquals(q("1"), q("1000m"));
        assertEquals(q("1").hashCode(), q("1000m").hashCode());
        assertEquals(q("1k"), q("1e3"));
        assertEquals(q("1k").hashCode(), q("1000").hashCode());
        assertEquals(q("0"), q("0Mi"));
        assertEquals(ResourceQuantity.ZERO.hashCode(), q("0.000").hashCode());
        assertNotEquals(q("1M"), q("1Mi"));
        assertNotEquals(q("1"), "1");
    }

    @Test
    void ordering() {
        List<ResourceQuantity> list = new ArrayList<>(List.of(q("1Mi"), q("1M"), q("-1"), q("0"), q("999m"), q("1")));
        Collections.sort(list);
        assertEquals(List.of(q("-1"), q("0"), q("999m"), q("1"), q("1M"), q("1Mi")), list);
        assertTrue(q("1Mi").compareTo(q("1M")) > 0);
        assertEquals(0, q("1Gi").compareTo(q("1024Mi")));
    }

    @Test
    void arithmeticIsExact() {
        assertEquals("1536Mi", q("1Gi").add(q("512Mi")).toString());
        assertEquals("1500m", q("1").add(q("500m")).toString());
        assertEquals("-900m", q("100m").subtract(q("1")).toString());
        assertEquals("0", q("1Ki").subtract(q("1Ki")).toString());
        assertEquals("1n", q("0.1").add(q("1n")).subtract(q("100m")).toString());
        // 0.1 + 0.2 is exactly 0.3 here.
        assertEquals(q("300m"), q("0.1").add(q("0.2")));
        // Format of the left operand, unless it is zero.
        assertEquals("1Gi", ResourceQuantity.ZERO.add(q("1Gi")).toString());
        assertEquals(Format.BINARY_SI, ResourceQuantity.ZERO.add(q("1Gi")).format());
        assertEquals("1073742824", q("1Gi").add(q("1k")).toString());
        assertEquals("1001k", q("1M").add(q("1Ki")).subtract(q("24")).toString());
        assertEquals("-1Gi", q("1Gi").negate().toString());
        // Sums of many small values do not drift.
        ResourceQuantity sum = ResourceQuantity.ZERO;
        for (int i = 0; i < 1000; i++) {
            sum = sum.add(q("1m"));
        }
        assertEquals(q("1"), sum);
        // Beyond long range still exact.
        assertEquals("16Ei", q("8Ei").add(q("8Ei")).toString());
    }

    @Test
    void milliAndWholeValues() {
        assertEquals(1000, q("1").milliValue());
        assertEquals(250, q("250m").milliValue());
        assertEquals(1, q("1n").milliValue(), "rounded up, like Kubernetes MilliValue");
        assertEquals(-1, q("-1n").milliValue(), "rounded away from zero");
        assertEquals(1610612736000L, q("1.5Gi").milliValue());
        assertEquals(1, q("100m").longValueCeil());
        assertEquals(2, q("1.5").longValueCeil());
        assertEquals(-2, q("-1.5").longValueCeil());
        assertEquals(0, q("0").longValueCeil());
        assertEquals(1073741824L, q("1Gi").longValueCeil());
        assertThrows(ArithmeticException.class, () -> q("16Ei").longValueCeil());
        assertThrows(ArithmeticException.class, () -> q("8Ei").milliValue());
    }

    @Test
    void signs() {
        assertTrue(q("-1m").isNegative());
        assertFalse(q("0").isNegative());
        assertFalse(q("1").isNegative());
        assertTrue(ResourceQuantity.ZERO.isZero());
        assertTrue(q("-0Gi").isZero());
    }

    @Test
    void fabric8Interop() {
        assertEquals(q("1.5Gi"), ResourceQuantity.of(new Quantity("1.5", "Gi")));
        assertEquals(q("250m"), ResourceQuantity.of(new Quantity("250m")));
        assertEquals(q("1e3"), ResourceQuantity.of(new Quantity("1e3")));
        assertEquals(q("2"), ResourceQuantity.of(new Quantity("2", null)));
        assertThrows(QuantityFormatException.class, () -> ResourceQuantity.of(new Quantity((String) null, null)));
        assertThrows(QuantityFormatException.class, () -> ResourceQuantity.of(new Quantity("12", "Mb")));
        assertThrows(NullPointerException.class, () -> ResourceQuantity.of((Quantity) null));
        Quantity out = q("1.5Gi").toQuantity();
        assertEquals("1536Mi", out.getAmount() + out.getFormat());
        assertEquals(q("1.5Gi"), ResourceQuantity.of(out));
    }

    @Test
    void factories() {
        assertEquals("250m", ResourceQuantity.ofMillis(250).toString());
        assertEquals("4", ResourceQuantity.ofLong(4).toString());
        assertEquals("1Gi", ResourceQuantity.of(BigDecimal.valueOf(1L << 30), Format.BINARY_SI).toString());
        assertEquals("1n", ResourceQuantity.of(new BigDecimal("1e-12"), Format.DECIMAL_SI).toString());
        assertEquals(Format.DECIMAL_SI, ResourceQuantity.of(new BigDecimal("0.5"), Format.BINARY_SI).format());
    }

    /** What a field error shows for a quantity: Go's %#v of what ParseQuantity keeps. */
    @Test
    void goSyntax() {
        String nilDec = "d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}";
        assertEquals("resource.Quantity{i:resource.int64Amount{value:0, scale:0}, " + nilDec + ", s:\"0\", Format:\"DecimalSI\"}",
                ResourceQuantity.goSyntax("0"));
        assertEquals("resource.Quantity{i:resource.int64Amount{value:-1, scale:0}, " + nilDec + ", s:\"-1\", Format:\"DecimalSI\"}",
                ResourceQuantity.goSyntax("-1"));
        assertEquals("resource.Quantity{i:resource.int64Amount{value:-500, scale:-3}, " + nilDec + ", s:\"-500m\", Format:\"DecimalSI\"}",
                ResourceQuantity.goSyntax("-500m"));
        assertEquals("resource.Quantity{i:resource.int64Amount{value:-1000, scale:0}, " + nilDec + ", s:\"\", Format:\"DecimalSI\"}",
                ResourceQuantity.goSyntax("-1000"), "not canonical: no string kept");
        assertEquals("resource.Quantity{i:resource.int64Amount{value:-5, scale:-1}, " + nilDec + ", s:\"\", Format:\"DecimalSI\"}",
                ResourceQuantity.goSyntax("-0.5"));
        assertEquals("resource.Quantity{i:resource.int64Amount{value:-1024, scale:0}, " + nilDec + ", s:\"-1Ki\", Format:\"BinarySI\"}",
                ResourceQuantity.goSyntax("-1Ki"));
        assertEquals("resource.Quantity{i:resource.int64Amount{value:-2, scale:3}, " + nilDec + ", s:\"-2e3\", Format:\"DecimalExponent\"}",
                ResourceQuantity.goSyntax("-2e3"));
        assertEquals("resource.Quantity{i:resource.int64Amount{value:0, scale:0}, " + nilDec + ", s:\"\", Format:\"DecimalSI\"}",
                ResourceQuantity.goSyntax("-0"));
    }
}
