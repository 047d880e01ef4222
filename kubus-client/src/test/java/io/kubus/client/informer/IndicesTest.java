package io.kubus.client.informer;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndicesTest {
    /** ConfigMaps by the comma-separated values of their "tags" label. */
    private static final Index<ConfigMap> TAGS = new Index<>("tags", cm -> {
        String tags = cm.getMetadata().getLabels() == null ? null : cm.getMetadata().getLabels().get("tags");
        return tags == null ? List.of() : Arrays.asList(tags.split(","));
    });

    private static ConfigMap cm(String ns, String name, String tags) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withLabels(tags == null ? Map.of() : Map.of("tags", tags)).endMetadata().build();
    }

    private static Set<String> names(List<ConfigMap> objects) {
        return Set.copyOf(objects.stream().map(o -> o.getMetadata().getName()).toList());
    }

    @Test
    void anObjectMovesBetweenValuesAndLeavesOnDelete() {
        Indices<ConfigMap> indices = new Indices<>();
        indices.add(TAGS, Map.of());
        ConfigMap a1 = cm("ns", "a", "x,y");
        ConfigMap b = cm("ns", "b", "y");
        indices.update("ns/a", null, a1);
        indices.update("ns/b", null, b);
        assertEquals(Set.of("a"), names(indices.objects(TAGS, "x")));
        assertEquals(Set.of("a", "b"), names(indices.objects(TAGS, "y")));

        ConfigMap a2 = cm("ns", "a", "y,z");
        indices.update("ns/a", a1, a2);
        assertEquals(List.of(), indices.objects(TAGS, "x"), "a left the value it no longer has");
        assertEquals(Set.of("ns/a", "ns/b"), indices.keys(TAGS, "y"));
        assertSame(a2, indices.objects(TAGS, "z").getFirst(), "the current object, also under a value it kept");
        assertTrue(indices.objects(TAGS, "y").contains(a2) && !indices.objects(TAGS, "y").contains(a1));

        ConfigMap a3 = cm("ns", "a", null);
        indices.update("ns/a", a2, a3);
        assertEquals(Set.of("ns/b"), indices.keys(TAGS, "y"));
        assertEquals(Set.of(), indices.keys(TAGS, "z"));

        indices.update("ns/b", b, null);
        assertEquals(List.of(), indices.objects(TAGS, "y"));
    }

    @Test
    void anIndexAddedLaterIsFilledFromTheObjectsAndKeptFromThen() {
        Map<String, ConfigMap> cache = new LinkedHashMap<>();
        cache.put("one/a", cm("one", "a", null));
        cache.put("two/b", cm("two", "b", null));
        Indices<ConfigMap> indices = new Indices<>();
        assertTrue(indices.add(Index.NAMESPACE, cache));
        assertEquals(Set.of("one/a"), indices.keys(Index.NAMESPACE, "one"));
        indices.update("two/c", null, cm("two", "c", null));
        assertEquals(Set.of("two/b", "two/c"), indices.keys(Index.NAMESPACE, "two"));

        Namespace clusterScoped = new NamespaceBuilder().withNewMetadata().withName("one").endMetadata().build();
        assertEquals(List.of(""), Index.NAMESPACE.function().apply(clusterScoped));
    }

    @Test
    void theSameIndexIsSharedAndAnotherFunctionUnderItsNameRefused() {
        Indices<ConfigMap> indices = new Indices<>();
        assertTrue(indices.add(TAGS, Map.of()));
        indices.update("ns/a", null, cm("ns", "a", "x"));
        assertFalse(indices.add(TAGS, Map.of()), "a second user's add of the same index");
        assertEquals(Set.of("ns/a"), indices.keys(TAGS, "x"), "and it kept its content");

        Function<ConfigMap, Collection<String>> other = cm -> List.of();
        assertThrows(IllegalArgumentException.class, () -> indices.add(new Index<>("tags", other), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> indices.keys(new Index<>("tags", other), "x"),
                "a query names the index it means");
        assertThrows(IllegalArgumentException.class, () -> indices.objects(Index.NAMESPACE, "ns"), "never added");
    }

    @Test
    void podsAreByNodeOnceBound() {
        Pod pending = new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata()
                .withNewSpec().endSpec().build();
        Pod bound = new PodBuilder(pending).editSpec().withNodeName("n1").endSpec().build();
        Indices<Pod> indices = new Indices<>();
        indices.add(Index.NODE_NAME, Map.of());
        indices.update("ns/p", null, pending);
        assertEquals(List.of(), indices.objects(Index.NODE_NAME, ""));
        indices.update("ns/p", pending, bound);
        assertEquals(List.of(bound), indices.objects(Index.NODE_NAME, "n1"));
    }
}
