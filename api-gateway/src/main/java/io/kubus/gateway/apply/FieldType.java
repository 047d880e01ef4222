package io.kubus.gateway.apply;

import java.util.List;

/**
 * What server-side apply needs to know about the value at one position of an object: how a list there is identified
 * item by item ({@code x-kubernetes-list-type}), whether a map there is owned as a whole
 * ({@code x-kubernetes-map-type}), and whether a map key is a struct field or a key of a map. It is the part of
 * structured-merge-diff's schema that ownership depends on; scalars need no description. Nodes are navigated from the
 * object's root, so one description serves every position where a type appears.
 */
public interface FieldType {

    /** How the items of a list are identified (structured-merge-diff's ElementRelationship for lists). */
    enum ListType {
        /** The list is one value: owned, compared and replaced whole. */
        ATOMIC,
        /** A list of scalars identified by their value ({@code v:"x"}). */
        SET,
        /** A list of objects identified by their key fields ({@code k:{"name":"x"}}). */
        MAP
    }

    /** Whether a map's keys are owned separately. */
    enum MapType {
        GRANULAR,
        /** The map is one value, as a leaf ({@code x-kubernetes-map-type: atomic}, atomic structs). */
        ATOMIC
    }

    /** The type of the value under {@code field} when this value is a map. */
    FieldType field(String field);

    /** The type of each item when this value is a list. */
    FieldType element();

    ListType listType();

    /** The key fields of a {@link ListType#MAP} list, empty otherwise. */
    List<String> listMapKeys();

    MapType mapType();

    /**
     * Whether {@code field} is a named field of a struct rather than a key of a map. Kube records a map key as owned
     * in itself ({@code .: {}}) even when it holds an object, but a struct field only through its leaves; pruning
     * after an apply treats named fields as owned when anything under them is.
     */
    boolean isNamedField(String field);

    /**
     * The value a list-map key field takes when an item omits it (kube's schema defaults, e.g. a port's protocol),
     * or null.
     */
    default com.fasterxml.jackson.databind.JsonNode keyDefault(String keyField) {
        return null;
    }

    /**
     * The type structured-merge-diff deduces for values without a schema (x-kubernetes-preserve-unknown-fields, or
     * anything a description does not cover): maps are granular and every key a map key, lists are atomic.
     */
    FieldType DEDUCED = new FieldType() {
        @Override
        public FieldType field(String field) {
            return this;
        }

        @Override
        public FieldType element() {
            return this;
        }

        @Override
        public ListType listType() {
            return ListType.ATOMIC;
        }

        @Override
        public List<String> listMapKeys() {
            return List.of();
        }

        @Override
        public MapType mapType() {
            return MapType.GRANULAR;
        }

        @Override
        public boolean isNamedField(String field) {
            return false;
        }

        @Override
        public String toString() {
            return "deduced";
        }
    };
}
