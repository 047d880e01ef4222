package io.kubus.schema.quantity;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceAmountsTest {

    private static ResourceAmounts amounts(String... kv) {
        Map<String, Quantity> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], new Quantity(kv[i + 1]));
        }
        return ResourceAmounts.of(m);
    }

    private static ResourceQuantity q(String s) {
        return ResourceQuantity.parse(s);
    }

    @Test
    void ofParsesAndSorts() {
        ResourceAmounts a = amounts("memory", "64Mi", "cpu", "250m");
        assertEquals(List.of("cpu", "memory"), List.copyOf(a.asMap().keySet()));
        assertEquals(q("250m"), a.get("cpu"));
        assertEquals(ResourceQuantity.ZERO, a.get("nvidia.com/gpu"));
        assertTrue(a.contains("cpu"));
        assertEquals("{cpu=250m, memory=64Mi}", a.toString());
        assertThrows(UnsupportedOperationException.class, () -> a.asMap().put("x", q("1")));
        assertSame(ResourceAmounts.empty(), ResourceAmounts.of(null));
        assertSame(ResourceAmounts.empty(), ResourceAmounts.of(Map.of()));
        Map<String, Quantity> withNull = new HashMap<>();
        withNull.put("cpu", null);
        assertEquals(ResourceQuantity.ZERO, ResourceAmounts.of(withNull).get("cpu"));
    }

    @Test
    void badQuantityNamesTheResource() {
        QuantityFormatException e = assertThrows(QuantityFormatException.class,
                () -> ResourceAmounts.of(Map.of("memory", new Quantity("12", "Mb"))));
        assertEquals("memory: quantities must match the regular expression "
                + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", e.getMessage());
    }

    @Test
    void plusAndMinus() {
        ResourceAmounts pod1 = amounts("cpu", "250m", "memory", "64Mi");
        ResourceAmounts pod2 = amounts("cpu", "1", "memory", "1Gi", "nvidia.com/gpu", "1");
        ResourceAmounts sum = pod1.plus(pod2);
        assertEquals(amounts("cpu", "1250m", "memory", "1088Mi", "nvidia.com/gpu", "1"), sum);
        assertEquals("{cpu=1250m, memory=1088Mi, nvidia.com/gpu=1}", sum.toString());
        assertEquals(pod1, sum.minus(pod2));
        assertEquals(q("-1"), pod1.minus(pod2).get("nvidia.com/gpu"));
        assertSame(pod1, pod1.plus(ResourceAmounts.empty()));
        assertEquals(pod2, ResourceAmounts.empty().plus(pod2));
    }

    @Test
    void fitsWithin() {
        ResourceAmounts node = amounts("cpu", "4", "memory", "8Gi", "pods", "110");
        assertEquals(Set.of(), amounts("cpu", "4000m", "memory", "8192Mi").fitsWithin(node));
        assertEquals(Set.of("cpu"), amounts("cpu", "4001m", "memory", "1Gi").fitsWithin(node));
        assertEquals(List.of("cpu", "memory"),
                List.copyOf(amounts("memory", "8Gi", "cpu", "5").plus(amounts("memory", "1")).fitsWithin(node)));
        assertEquals(Set.of("nvidia.com/gpu"), amounts("nvidia.com/gpu", "1").fitsWithin(node));
        assertEquals(Set.of(), amounts("nvidia.com/gpu", "0").fitsWithin(node), "zero fits anywhere");
        assertEquals(Set.of(), ResourceAmounts.empty().fitsWithin(ResourceAmounts.empty()));
        // Free capacity after placing pods, as a scheduler would compute it.
        ResourceAmounts free = node.minus(amounts("cpu", "3500m", "memory", "6Gi"));
        assertEquals(Set.of(), amounts("cpu", "500m", "memory", "2Gi").fitsWithin(free));
        assertEquals(Set.of("cpu"), amounts("cpu", "501m").fitsWithin(free));
    }

    @Test
    void equalityTreatsZeroAsAbsent() {
        assertEquals(amounts("cpu", "1", "gpu", "0"), amounts("cpu", "1000m"));
        assertEquals(amounts("cpu", "1", "gpu", "0").hashCode(), amounts("cpu", "1000m").hashCode());
        assertNotEquals(amounts("cpu", "1"), amounts("cpu", "2"));
        assertNotEquals(amounts("cpu", "1"), "cpu=1");
    }

    @Test
    void withCopyOfAndToQuantities() {
        ResourceAmounts a = ResourceAmounts.empty().with("memory", q("1.5Gi")).with("cpu", q("0.5"));
        assertEquals(ResourceAmounts.copyOf(Map.of("cpu", q("500m"), "memory", q("1536Mi"))), a);
        Map<String, Quantity> api = a.toQuantities();
        assertEquals(List.of("cpu", "memory"), List.copyOf(api.keySet()));
        assertEquals("1536Mi", api.get("memory").getAmount() + api.get("memory").getFormat());
        assertEquals(a, ResourceAmounts.of(api));
        assertTrue(ResourceAmounts.copyOf(null).isEmpty());
        assertThrows(NullPointerException.class, () -> a.with("x", null));
    }
}
