package io.kubus.controllers.garbagecollector;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DependentsIndexTest {
    @Test
    void followsEachObjectsCurrentOwners() {
        DependentsIndex index = new DependentsIndex();
        index.set("pods/ns/a", List.of("rs-1"));
        index.set("pods/ns/b", List.of("rs-1", "cm-1"));
        assertEquals(Set.of("pods/ns/a", "pods/ns/b"), Set.copyOf(index.dependents("rs-1")));
        assertEquals(List.of("pods/ns/b"), List.copyOf(index.dependents("cm-1")));

        index.set("pods/ns/b", List.of("cm-1")); // released by rs-1
        assertEquals(List.of("pods/ns/a"), List.copyOf(index.dependents("rs-1")));

        index.set("pods/ns/a", List.of()); // deleted
        assertFalse(index.hasDependents("rs-1"));
        assertEquals(List.of(), List.copyOf(index.dependents("rs-1")));
        assertTrue(index.hasDependents("cm-1"));
    }
}
