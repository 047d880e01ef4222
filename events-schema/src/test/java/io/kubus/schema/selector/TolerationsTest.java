package io.kubus.schema.selector;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TolerationsTest {
    private static String orNull(String s) {
        return s == null || s.equals("-") ? null : s;
    }

    @ParameterizedTest(name = "[{index}] {0}/{1}/{2}/{3} vs {4}={5}:{6} -> {7}")
    @CsvSource({
            // key, operator, value, effect of the toleration; key, value, effect of the taint; tolerated
            "k, Equal, v, NoExecute, k, v, NoExecute, true",
            "k, -, v, NoExecute, k, v, NoExecute, true",
            "k, Equal, w, NoExecute, k, v, NoExecute, false",
            "k, Equal, -, -, k, -, NoSchedule, true",
            "k, Exists, -, -, k, v, NoSchedule, true",
            "k, Exists, -, NoSchedule, k, v, NoExecute, false",
            "-, Exists, -, -, any, v, NoExecute, true",
            "-, Exists, -, NoExecute, any, v, NoSchedule, false",
            "other, Exists, -, -, k, v, NoExecute, false",
            "k, Lt, v, -, k, v, NoExecute, false",
    })
    void toleratesAsKubernetes(String key, String op, String value, String effect, String taintKey, String taintValue,
                               String taintEffect, boolean tolerated) {
        Toleration t = new Toleration(orNull(effect), orNull(key), orNull(op), null, orNull(value));
        Taint taint = new Taint(taintEffect, taintKey, null, orNull(taintValue));
        assertEquals(tolerated, Tolerations.tolerates(t, taint));
    }

    @Test
    void theFirstTolerationInThePodsOrderCounts() {
        Taint unreachable = new Taint("NoExecute", "node.kubernetes.io/unreachable", null, null);
        Toleration forever = new Toleration(null, null, "Exists", null, null);
        Toleration fiveSeconds = new Toleration("NoExecute", "node.kubernetes.io/unreachable", "Exists", 5L, null);
        assertEquals(5L, Tolerations.firstTolerating(List.of(fiveSeconds, forever), unreachable).orElseThrow()
                .getTolerationSeconds());
        assertEquals(forever, Tolerations.firstTolerating(List.of(forever, fiveSeconds), unreachable).orElseThrow());
        assertTrue(Tolerations.firstTolerating(null, unreachable).isEmpty());
    }
}
