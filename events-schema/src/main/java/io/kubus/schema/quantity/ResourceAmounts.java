package io.kubus.schema.quantity;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BinaryOperator;

/**
 * An immutable map from resource name ({@code cpu}, {@code memory}, {@code nvidia.com/gpu}, ...) to
 * {@link ResourceQuantity}, with the arithmetic a scheduler needs. A name that is absent counts as zero.
 * Iteration order is by name.
 */
public final class ResourceAmounts {

    private static final ResourceAmounts EMPTY = new ResourceAmounts(Collections.emptySortedMap());

    private final SortedMap<String, ResourceQuantity> amounts;

    private ResourceAmounts(SortedMap<String, ResourceQuantity> amounts) {
        this.amounts = amounts;
    }

    public static ResourceAmounts empty() {
        return EMPTY;
    }

    /**
     * From an API resource list (e.g. {@code resources.requests}); null map = empty, a null quantity = zero.
     *
     * @throws QuantityFormatException naming the resource whose quantity is invalid
     */
    public static ResourceAmounts of(Map<String, Quantity> quantities) {
        if (quantities == null || quantities.isEmpty()) {
            return EMPTY;
        }
        TreeMap<String, ResourceQuantity> m = new TreeMap<>();
        quantities.forEach((name, q) -> {
            Objects.requireNonNull(name, "resource name");
            try {
                m.put(name, q == null ? ResourceQuantity.ZERO : ResourceQuantity.of(q));
            } catch (QuantityFormatException e) {
                throw new QuantityFormatException(name + ": " + e.getMessage());
            }
        });
        return new ResourceAmounts(Collections.unmodifiableSortedMap(m));
    }

    /**
     * From the JSON of a resource list (requests, limits, a quota's hard or used), as stored objects hold it. Their
     * quantities were validated on the way in; one that does not parse counts as zero rather than failing whoever
     * reads it. A missing or non-object node is empty.
     */
    public static ResourceAmounts fromJson(JsonNode list) {
        TreeMap<String, ResourceQuantity> m = new TreeMap<>();
        list.properties().forEach(e -> {
            try {
                m.put(e.getKey(), ResourceQuantity.parse(e.getValue().asText("")));
            } catch (QuantityFormatException ex) {
                m.put(e.getKey(), ResourceQuantity.ZERO);
            }
        });
        return m.isEmpty() ? EMPTY : new ResourceAmounts(Collections.unmodifiableSortedMap(m));
    }

    /** From already parsed quantities. */
    public static ResourceAmounts copyOf(Map<String, ResourceQuantity> quantities) {
        if (quantities == null || quantities.isEmpty()) {
            return EMPTY;
        }
        TreeMap<String, ResourceQuantity> m = new TreeMap<>();
        quantities.forEach((name, q) -> m.put(Objects.requireNonNull(name, "resource name"),
                Objects.requireNonNull(q, () -> "quantity of " + name)));
        return new ResourceAmounts(Collections.unmodifiableSortedMap(m));
    }

    /** A copy with {@code name} set to {@code quantity}. */
    public ResourceAmounts with(String name, ResourceQuantity quantity) {
        TreeMap<String, ResourceQuantity> m = new TreeMap<>(amounts);
        m.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(quantity, "quantity"));
        return new ResourceAmounts(Collections.unmodifiableSortedMap(m));
    }

    /** The amount of {@code name}, zero if absent. */
    public ResourceQuantity get(String name) {
        return amounts.getOrDefault(name, ResourceQuantity.ZERO);
    }

    public boolean contains(String name) {
        return amounts.containsKey(name);
    }

    public boolean isEmpty() {
        return amounts.isEmpty();
    }

    /** Unmodifiable, sorted by name. */
    public SortedMap<String, ResourceQuantity> asMap() {
        return amounts;
    }

    /** Per-name sum over the union of names. */
    public ResourceAmounts plus(ResourceAmounts other) {
        return merge(other, ResourceQuantity::add);
    }

    /** Per-name difference over the union of names; results may be negative (e.g. overcommitted capacity). */
    public ResourceAmounts minus(ResourceAmounts other) {
        return merge(other, ResourceQuantity::subtract);
    }

    private ResourceAmounts merge(ResourceAmounts other, BinaryOperator<ResourceQuantity> op) {
        if (other.isEmpty()) {
            return this;
        }
        TreeMap<String, ResourceQuantity> m = new TreeMap<>(amounts);
        other.amounts.forEach((name, q) -> m.put(name, op.apply(get(name), q)));
        return new ResourceAmounts(Collections.unmodifiableSortedMap(m));
    }

    /**
     * The names whose amount here exceeds the amount in {@code capacity} (absent capacity counts as zero, so
     * a positive request for a resource the node lacks does not fit, while a zero request does). An empty
     * result means everything fits.
     */
    public SortedSet<String> fitsWithin(ResourceAmounts capacity) {
        TreeSet<String> over = new TreeSet<>();
        amounts.forEach((name, q) -> {
            if (q.compareTo(capacity.get(name)) > 0) {
                over.add(name);
            }
        });
        return Collections.unmodifiableSortedSet(over);
    }

    /** As an API resource list, with canonical quantity strings. */
    public Map<String, Quantity> toQuantities() {
        Map<String, Quantity> m = new LinkedHashMap<>();
        amounts.forEach((name, q) -> m.put(name, q.toQuantity()));
        return m;
    }

    /** Equal when every name maps to an equal value; a name set to zero equals an absent name. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ResourceAmounts r)) {
            return false;
        }
        TreeSet<String> names = new TreeSet<>(amounts.keySet());
        names.addAll(r.amounts.keySet());
        return names.stream().allMatch(n -> get(n).equals(r.get(n)));
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<String, ResourceQuantity> e : amounts.entrySet()) {
            if (!e.getValue().isZero()) {
                h += e.getKey().hashCode() ^ e.getValue().hashCode();
            }
        }
        return h;
    }

    /** E.g. {@code {cpu=250m, memory=64Mi}}. */
    @Override
    public String toString() {
        return amounts.toString();
    }
}
