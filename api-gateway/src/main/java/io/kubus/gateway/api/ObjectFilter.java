package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.LabelSelectors;
import io.kubus.schema.ResourceType;
import io.kubus.schema.selector.FieldSelector;
import io.kubus.schema.selector.LabelSelector;
import io.kubus.schema.selector.SelectorException;
import io.micronaut.core.annotation.Nullable;

import java.util.HashSet;
import java.util.Set;

/** The namespace, label selector and field selector of a list or watch, checked once and applied per object. */
record ObjectFilter(@Nullable String namespace, LabelSelector labels, FieldSelector fields) {

    /** Fields every kind lets a field selector name; a kind's strategy names its others. */
    private static final Set<String> COMMON = Set.of("metadata.name", "metadata.namespace");

    static ObjectFilter of(ResourceType type, Set<String> selectable, @Nullable String namespace, Query query) {
        try {
            LabelSelector labels = LabelSelector.parse(nullToEmpty(query.get("labelSelector")));
            FieldSelector fields = FieldSelector.parse(nullToEmpty(query.get("fieldSelector")));
            Set<String> supported = new HashSet<>(COMMON);
            supported.addAll(selectable);
            fields.requireSupported(supported, type.plural());
            return new ObjectFilter(namespace, labels, fields);
        } catch (SelectorException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** Whether a selector may stop matching an object that changes (a watch must then send DELETED or ADDED). */
    boolean selective() {
        return !labels.isEverything() || !fields.fields().stream().allMatch(f -> f.equals("metadata.name")
                || f.equals("metadata.namespace"));
    }

    /** Whether neither selector narrows the list (kube-apiserver's Predicate.Empty): then remaining counts are exact. */
    boolean everything() {
        return labels.isEverything() && fields.isEverything();
    }

    boolean matches(ObjectNode object) {
        if (namespace != null && !namespace.equals(object.path("metadata").path("namespace").asText(""))) {
            return false;
        }
        return labels.matches(LabelSelectors.labels(object.path("metadata").path("labels"))) && fields.matches(object);
    }

    private static String nullToEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }
}
