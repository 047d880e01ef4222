package io.kubus.scheduler.plugins;

import java.util.HashMap;
import java.util.Map;

/** kube-scheduler's DefaultNormalizeScore: scale by the maximum to 0..100, optionally reversed. */
final class Normalize {
    private Normalize() {
    }

    static Map<String, Long> byMax(Map<String, Long> raw) {
        long max = raw.values().stream().mapToLong(Long::longValue).max().orElse(0);
        Map<String, Long> out = new HashMap<>();
        raw.forEach((n, s) -> out.put(n, max == 0 ? 0 : s * 100 / max));
        return out;
    }

    static Map<String, Long> reverse(Map<String, Long> raw) {
        long max = raw.values().stream().mapToLong(Long::longValue).max().orElse(0);
        Map<String, Long> out = new HashMap<>();
        raw.forEach((n, s) -> out.put(n, max == 0 ? 100 : 100 - s * 100 / max));
        return out;
    }
}
