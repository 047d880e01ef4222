package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.kubus.gateway.api.ApiException;
import io.kubus.schema.ResourceType;

import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions for the kinds' validation tests: the exact causes kube-apiserver gives, and nothing else. */
final class KindRules {
    private KindRules() {
    }

    /** A copy of {@code base} changed by {@code change}. */
    static ObjectNode with(ObjectNode base, Consumer<ObjectNode> change) {
        ObjectNode copy = base.deepCopy();
        change.accept(copy);
        return copy;
    }

    /** The create is refused with exactly these causes, each {@code field: message}. */
    static void refused(ResourceType type, ObjectNode object, String... causes) {
        refusedUpdate(type, object, null, causes);
    }

    /** The update of {@code old} to {@code object} (or the create, when old is null) is refused with exactly these causes. */
    static void refusedUpdate(ResourceType type, ObjectNode object, ObjectNode old, String... causes) {
        ApiException e = Fixtures.refuse(type, object, old);
        assertEquals(422, e.code(), e.getMessage());
        List<String> actual = e.status().getDetails().getCauses().stream().map(KindRules::show).toList();
        assertEquals(List.of(causes), actual, e.getMessage());
    }

    /** The object is admitted; returns what would be stored. */
    static ObjectNode admitted(ResourceType type, ObjectNode object) {
        return Fixtures.create(type, object);
    }

    static void admittedUpdate(ResourceType type, ObjectNode object, ObjectNode old) {
        ObjectNode result = Fixtures.admit(type, object, old, FieldValidation.STRICT, new java.util.ArrayList<>());
        assertTrue(result.has("metadata"));
    }

    private static String show(StatusCause cause) {
        return cause.getField() + ": " + cause.getMessage();
    }
}
