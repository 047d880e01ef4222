package io.kubus.gateway.apiextensions.schema;

import io.micronaut.core.annotation.Nullable;

/**
 * apimachinery's field.Path as a string, for the checks kube writes with it (list types, embedded resources, CRD
 * schema checks): {@code a.b}, {@code a[key]}, {@code a[0]}; a child of no path is the bare name. (The schema
 * validator names fields as go-openapi does instead.)
 */
final class FieldPaths {
    private FieldPaths() {
    }

    static String child(@Nullable String parent, String name) {
        return parent == null || parent.isEmpty() ? name : parent + "." + name;
    }

    static String key(@Nullable String parent, String key) {
        return (parent == null ? "" : parent) + "[" + key + "]";
    }

    static String index(@Nullable String parent, int i) {
        return (parent == null ? "" : parent) + "[" + i + "]";
    }
}
