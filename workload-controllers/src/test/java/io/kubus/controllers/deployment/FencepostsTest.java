package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FencepostsTest {
    private static IntOrString v(String s) {
        return s.endsWith("%") ? new IntOrString(s) : new IntOrString(Integer.parseInt(s));
    }

    @ParameterizedTest(name = "{0} surge, {1} unavailable of {2} -> {3}/{4}")
    @CsvSource({
            // the defaults: surge rounds up, unavailable down
            "25%, 25%, 10, 3, 2",
            "25%, 25%, 4, 1, 1",
            "25%, 25%, 1, 1, 0",
            "25%, 25%, 100, 25, 25",
            // ints are taken as they are
            "3, 2, 10, 3, 2",
            "0, 1, 10, 0, 1",
            // both resolve to 0: one unavailable pod so the rollout can move (ResolveFenceposts' comments)
            "0%, 1%, 2, 0, 1",
            "0, 1%, 10, 0, 1",
            "0%, 0%, 10, 0, 1",
            // 1% of anything positive surges 1 pod
            "1%, 25%, 2, 1, 0",
            "1%, 0%, 1, 1, 0",
            "100%, 100%, 7, 7, 7",
            "33%, 33%, 10, 4, 3",
    })
    void resolvesAsKubernetesRounds(String surge, String unavailable, int replicas, int expectSurge, int expectUnavailable) {
        Fenceposts f = Fenceposts.resolve(v(surge), v(unavailable), replicas);
        assertEquals(new Fenceposts(expectSurge, expectUnavailable), f);
    }

    @Test
    void deploymentCapsUnavailabilityAtItsReplicas() {
        assertEquals(new Fenceposts(1, 3), Fenceposts.of(TestObjects.rolling(3, 1, 5)));
        assertEquals(new Fenceposts(3, 2), Fenceposts.of(TestObjects.rolling(10, "25%", "25%")));
    }

    @Test
    void noReplicasMeansNothingToKeepAvailable() {
        assertEquals(new Fenceposts(0, 0), Fenceposts.of(TestObjects.rolling(0, "25%", "25%")));
        assertEquals(new Fenceposts(2, 0), Fenceposts.of(TestObjects.rolling(0, 2, 1)));
    }

    @Test
    void recreateHasNoFenceposts() {
        assertEquals(new Fenceposts(0, 0), Fenceposts.of(TestObjects.recreate(10)));
    }

    @Test
    void unsetCountsAsZero() {
        assertEquals(new Fenceposts(0, 1), Fenceposts.resolve(null, null, 10));
        assertEquals(0, Fenceposts.scaled(null, 10, true));
    }

    @Test
    void refusesAStringThatIsNoPercentage() {
        assertThrows(IllegalArgumentException.class, () -> Fenceposts.scaled(new IntOrString("5"), 10, true));
        assertThrows(IllegalArgumentException.class, () -> Fenceposts.scaled(new IntOrString("x%"), 10, true));
    }
}
