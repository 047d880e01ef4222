package io.kubus.controllers.job;

import java.util.BitSet;
import java.util.Collection;

/**
 * A set of completion indexes below a Job's completions, in the notation of {@code status.completedIndexes} and
 * {@code status.failedIndexes}: ascending, runs of three or more as {@code first-last}, the rest comma-separated
 * ("1,3-5,7"), as Kubernetes writes them. Indexes at or above completions are dropped when read.
 */
final class CompletionIndexes {
    private final BitSet set;

    private CompletionIndexes(BitSet set) {
        this.set = set;
    }

    static CompletionIndexes none() {
        return new CompletionIndexes(new BitSet());
    }

    /** The indexes a status field holds; malformed parts are skipped, as a Job's status is only ever ours. */
    static CompletionIndexes parse(String text, int completions) {
        BitSet set = new BitSet();
        if (text == null || text.isBlank()) {
            return new CompletionIndexes(set);
        }
        for (String part : text.split(",")) {
            String[] range = part.trim().split("-", 2);
            try {
                int first = Integer.parseInt(range[0]);
                int last = range.length == 2 ? Integer.parseInt(range[1]) : first;
                if (first >= 0 && first <= last && first < completions) {
                    set.set(first, Math.min(last, completions - 1) + 1);
                }
            } catch (NumberFormatException e) {
                // skipped
            }
        }
        return new CompletionIndexes(set);
    }

    CompletionIndexes with(Collection<Integer> indexes) {
        BitSet copy = (BitSet) set.clone();
        indexes.forEach(copy::set);
        return new CompletionIndexes(copy);
    }

    boolean has(int index) {
        return index >= 0 && set.get(index);
    }

    int total() {
        return set.cardinality();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        int first = set.nextSetBit(0);
        while (first >= 0) {
            int end = set.nextClearBit(first); // exclusive
            int last = end - 1;
            if (!out.isEmpty()) {
                out.append(',');
            }
            if (last == first) {
                out.append(first);
            } else if (last == first + 1) {
                out.append(first).append(',').append(last);
            } else {
                out.append(first).append('-').append(last);
            }
            first = set.nextSetBit(end);
        }
        return out.toString();
    }
}
