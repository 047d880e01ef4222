package io.kubus.controllers.job;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionIndexesTest {
    @Test
    void writesRunsOfThreeOrMoreAsRangesAndPairsAsTwoNumbers() {
        assertEquals("0-2", CompletionIndexes.none().with(List.of(2, 0, 1)).toString());
        assertEquals("1,2", CompletionIndexes.none().with(List.of(1, 2)).toString());
        assertEquals("1,3-5,7", CompletionIndexes.none().with(List.of(7, 3, 4, 5, 1)).toString());
        assertEquals("", CompletionIndexes.none().toString());
    }

    @Test
    void readsWhatItWritesAndDropsIndexesAtOrAboveCompletions() {
        CompletionIndexes read = CompletionIndexes.parse("1,3-5,7", 5);
        assertEquals("1,3,4", read.toString());
        assertEquals(3, read.total());
        assertTrue(read.has(3));
        assertFalse(read.has(7));
        assertFalse(read.has(-1));
        assertEquals("0,1", CompletionIndexes.parse(" 0, x, 1 ,5-2", 10).toString(), "malformed parts are skipped");
    }
}
