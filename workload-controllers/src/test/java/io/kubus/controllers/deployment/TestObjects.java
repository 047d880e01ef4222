package io.kubus.controllers.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Deployments and ReplicaSets for the pure-logic tests. */
final class TestObjects {
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private TestObjects() {
    }

    static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec().build();
    }

    /** A RollingUpdate deployment; surge and unavailable as Integer or "N%" String. */
    static Deployment rolling(int replicas, Object maxSurge, Object maxUnavailable) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("default").withUid("d-uid")
                .withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withTemplate(template("img:1")).withProgressDeadlineSeconds(600).withRevisionHistoryLimit(10)
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(maxSurge == null ? null : new IntOrString(maxSurge))
                .withMaxUnavailable(maxUnavailable == null ? null : new IntOrString(maxUnavailable))
                .endRollingUpdate().endStrategy().endSpec().build();
    }

    static Deployment recreate(int replicas) {
        Deployment d = rolling(replicas, null, null);
        d.getSpec().getStrategy().setType("Recreate");
        d.getSpec().getStrategy().setRollingUpdate(null);
        return d;
    }

    /** A ReplicaSet created {@code age} seconds after T0, with its spec size, reported pods and available pods. */
    static ReplicaSet rs(String name, int createdSecond, int replicas, int statusReplicas, int available) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(name + "-uid")
                .withCreationTimestamp(T0.plusSeconds(createdSecond).toString()).withAnnotations(new HashMap<>())
                .withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas).withTemplate(template("img:" + name)).endSpec()
                .withNewStatus().withReplicas(statusReplicas).withReadyReplicas(available)
                .withAvailableReplicas(available).withObservedGeneration(1L).endStatus().build();
    }

    /** As {@link #rs} with the desired/max-replicas annotations a deployment of {@code desired} + {@code max} left. */
    static ReplicaSet rs(String name, int createdSecond, int replicas, int available, int desired, int max) {
        ReplicaSet rs = rs(name, createdSecond, replicas, replicas, available);
        rs.getMetadata().setAnnotations(new HashMap<>(Map.of(Revisions.DESIRED_REPLICAS, Integer.toString(desired),
                Revisions.MAX_REPLICAS, Integer.toString(max))));
        return rs;
    }

    static ReplicaSet withRevision(ReplicaSet rs, long revision) {
        rs.getMetadata().getAnnotations().put(Revisions.REVISION, Long.toString(revision));
        return rs;
    }
}
