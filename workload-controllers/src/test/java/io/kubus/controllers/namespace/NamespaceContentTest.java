package io.kubus.controllers.namespace;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamespaceContentTest {
    @Test
    void conditionsNameWhatRemainsAsKubernetesDoes() {
        NamespaceContent left = new NamespaceContent();
        left.remaining(ResourceTypes.PODS, List.of(
                new PodBuilder().withNewMetadata().endMetadata().withNewSpec().withTerminationGracePeriodSeconds(30L).endSpec().build(),
                new PodBuilder().withNewMetadata().endMetadata().withNewSpec().withTerminationGracePeriodSeconds(10L).endSpec().build()));
        left.remaining(ResourceTypes.CONFIGMAPS, List.of(new ConfigMapBuilder().withNewMetadata()
                .withFinalizers("example.com/hold").endMetadata().build()));
        NamespaceStatus status = new NamespaceStatus();
        assertTrue(left.applyTo(status, "t1"));

        assertEquals(List.of("NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGVParsingFailure",
                "NamespaceDeletionContentFailure", "NamespaceContentRemaining", "NamespaceFinalizersRemaining"),
                status.getConditions().stream().map(NamespaceCondition::getType).toList());
        NamespaceCondition content = status.getConditions().get(3);
        assertEquals("True", content.getStatus());
        assertEquals("SomeResourcesRemain", content.getReason());
        assertEquals("Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances",
                content.getMessage());
        assertEquals("Some finalizers are remaining: example.com/hold in 1 resource instances",
                status.getConditions().get(4).getMessage());
        assertEquals("False", status.getConditions().get(2).getStatus());
        assertEquals(16, left.recheckSeconds(), "half the longest grace period, plus one");

        // The same again changes nothing; once empty, the conditions turn False and only they move in time.
        assertFalse(left.applyTo(status, "t2"));
        assertTrue(new NamespaceContent().applyTo(status, "t3"));
        content = status.getConditions().get(3);
        assertEquals("False", content.getStatus());
        assertEquals("ContentRemoved", content.getReason());
        assertEquals("All content successfully removed", content.getMessage());
        assertEquals("t3", content.getLastTransitionTime());
        assertEquals("t1", status.getConditions().getFirst().getLastTransitionTime());
    }
}
