package io.kubus.gateway.store;

/**
 * A place in a list's order, which is by namespace, then name ("" is the namespace of cluster-scoped objects).
 * The database compares keys: a list's pages follow its collation, whichever it is, and never Java's order.
 */
public record ListKey(String namespace, String name) {
}
