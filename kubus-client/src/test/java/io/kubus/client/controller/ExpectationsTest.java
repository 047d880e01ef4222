package io.kubus.client.controller;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpectationsTest {
    @Test
    void satisfiedOnlyOnceEveryCreationAndNamedDeletionWasObserved() {
        Expectations e = new Expectations(Duration.ofMinutes(5));
        assertTrue(e.satisfied("ns/rs"), "nothing expected");
        e.expectCreations("ns/rs", 2);
        e.expectDeletions("ns/rs", List.of("ns/p1"));
        e.creationObserved("ns/rs");
        assertFalse(e.satisfied("ns/rs"));
        e.creationObserved("ns/rs");
        e.deletionObserved("ns/rs", "ns/other");
        assertFalse(e.satisfied("ns/rs"), "another object's deletion does not count");
        assertEquals(Set.of("ns/p1"), e.expectedDeletions("ns/rs"));
        e.deletionObserved("ns/rs", "ns/p1");
        assertEquals(Set.of(), e.expectedDeletions("ns/rs"));
        assertTrue(e.satisfied("ns/rs"));
        e.creationObserved("ns/rs");
        e.expectCreations("ns/rs", 1);
        assertFalse(e.satisfied("ns/rs"), "an extra observation does not pre-pay a later creation");
    }

    @Test
    void expectationsExpireAfterTheirTtl() throws Exception {
        Expectations e = new Expectations(Duration.ofMillis(50));
        e.expectCreations("ns/rs", 1);
        assertFalse(e.satisfied("ns/rs"));
        Thread.sleep(80);
        assertTrue(e.satisfied("ns/rs"));
        e.expectCreations("ns/rs", 1);
        e.forget("ns/rs");
        assertTrue(e.satisfied("ns/rs"));
    }
}
