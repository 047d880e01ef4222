package io.kubus.controllers.replicaset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerCondition;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.selector.LabelSelector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the replica controller needs of the kind it manages. ReplicaSet and ReplicationController differ only in
 * their selector (set-based vs. a plain map) and their model classes, so one controller serves both, as
 * Kubernetes' ReplicationManager wraps its ReplicaSetController.
 */
interface ReplicaKind<T extends HasMetadata> {
    ResourceType type();

    Class<T> modelClass();

    /** The controller's name in logs, metrics and events ({@code replicaset}, {@code replicationcontroller}). */
    String controllerName();

    LabelSelector selector(T owner);

    int replicas(T owner);

    int minReadySeconds(T owner);

    PodTemplateSpec template(T owner);

    ReplicaStatus status(T owner);

    /** A copy of {@code owner} carrying {@code status}, ready for a PUT of the status subresource. */
    T withStatus(T owner, ReplicaStatus status);

    /** The status fields both kinds share; a condition is {@code ReplicaFailure} or nothing. */
    record ReplicaStatus(int replicas, int fullyLabeledReplicas, int readyReplicas, int availableReplicas,
                         long observedGeneration, Failure failure) {
    }

    /** The ReplicaFailure condition: why pods could not be created or deleted. */
    record Failure(String reason, String message, String lastTransitionTime) {
    }

    ReplicaKind<ReplicaSet> REPLICA_SET = new ReplicaKind<>() {
        @Override
        public ResourceType type() {
            return ResourceTypes.REPLICASETS;
        }

        @Override
        public Class<ReplicaSet> modelClass() {
            return ReplicaSet.class;
        }

        @Override
        public String controllerName() {
            return "replicaset";
        }

        @Override
        public LabelSelector selector(ReplicaSet rs) {
            // An empty or absent selector selects nothing (validation requires one; do not adopt every pod).
            io.fabric8.kubernetes.api.model.LabelSelector s = rs.getSpec().getSelector();
            LabelSelector parsed = s == null ? LabelSelector.nothing() : LabelSelector.of(s);
            return parsed.isEverything() ? LabelSelector.nothing() : parsed;
        }

        @Override
        public int replicas(ReplicaSet rs) {
            return Objects.requireNonNullElse(rs.getSpec().getReplicas(), 1);
        }

        @Override
        public int minReadySeconds(ReplicaSet rs) {
            return Objects.requireNonNullElse(rs.getSpec().getMinReadySeconds(), 0);
        }

        @Override
        public PodTemplateSpec template(ReplicaSet rs) {
            return rs.getSpec().getTemplate();
        }

        @Override
        public ReplicaStatus status(ReplicaSet rs) {
            ReplicaSetStatus s = rs.getStatus();
            if (s == null) {
                return new ReplicaStatus(0, 0, 0, 0, 0, null);
            }
            Failure failure = null;
            for (ReplicaSetCondition c : Objects.requireNonNullElse(s.getConditions(), List.<ReplicaSetCondition>of())) {
                if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                    failure = new Failure(c.getReason(), c.getMessage(), c.getLastTransitionTime());
                }
            }
            return new ReplicaStatus(intOf(s.getReplicas()), intOf(s.getFullyLabeledReplicas()),
                    intOf(s.getReadyReplicas()), intOf(s.getAvailableReplicas()), longOf(s.getObservedGeneration()),
                    failure);
        }

        @Override
        public ReplicaSet withStatus(ReplicaSet rs, ReplicaStatus st) {
            List<ReplicaSetCondition> conditions = new ArrayList<>();
            if (st.failure() != null) {
                conditions.add(new ReplicaSetCondition(st.failure().lastTransitionTime(), st.failure().message(),
                        st.failure().reason(), "True", "ReplicaFailure"));
            }
            ReplicaSetStatus status = new ReplicaSetStatus(st.availableReplicas(), conditions,
                    st.fullyLabeledReplicas(), st.observedGeneration(), st.readyReplicas(), st.replicas(), null);
            ReplicaSet copy = new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder(rs).build();
            copy.setStatus(status);
            return copy;
        }
    };

    ReplicaKind<ReplicationController> REPLICATION_CONTROLLER = new ReplicaKind<>() {
        @Override
        public ResourceType type() {
            return ResourceTypes.REPLICATIONCONTROLLERS;
        }

        @Override
        public Class<ReplicationController> modelClass() {
            return ReplicationController.class;
        }

        @Override
        public String controllerName() {
            return "replicationcontroller";
        }

        @Override
        public LabelSelector selector(ReplicationController rc) {
            Map<String, String> s = rc.getSpec().getSelector();
            return s == null || s.isEmpty() ? LabelSelector.nothing() : LabelSelector.ofMatchLabels(s);
        }

        @Override
        public int replicas(ReplicationController rc) {
            return Objects.requireNonNullElse(rc.getSpec().getReplicas(), 1);
        }

        @Override
        public int minReadySeconds(ReplicationController rc) {
            return Objects.requireNonNullElse(rc.getSpec().getMinReadySeconds(), 0);
        }

        @Override
        public PodTemplateSpec template(ReplicationController rc) {
            return rc.getSpec().getTemplate();
        }

        @Override
        public ReplicaStatus status(ReplicationController rc) {
            ReplicationControllerStatus s = rc.getStatus();
            if (s == null) {
                return new ReplicaStatus(0, 0, 0, 0, 0, null);
            }
            Failure failure = null;
            for (ReplicationControllerCondition c : Objects.requireNonNullElse(s.getConditions(),
                    List.<ReplicationControllerCondition>of())) {
                if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                    failure = new Failure(c.getReason(), c.getMessage(), c.getLastTransitionTime());
                }
            }
            return new ReplicaStatus(intOf(s.getReplicas()), intOf(s.getFullyLabeledReplicas()),
                    intOf(s.getReadyReplicas()), intOf(s.getAvailableReplicas()), longOf(s.getObservedGeneration()),
                    failure);
        }

        @Override
        public ReplicationController withStatus(ReplicationController rc, ReplicaStatus st) {
            List<ReplicationControllerCondition> conditions = new ArrayList<>();
            if (st.failure() != null) {
                conditions.add(new ReplicationControllerCondition(st.failure().lastTransitionTime(),
                        st.failure().message(), st.failure().reason(), "True", "ReplicaFailure"));
            }
            ReplicationControllerStatus status = new ReplicationControllerStatus(st.availableReplicas(), conditions,
                    st.fullyLabeledReplicas(), st.observedGeneration(), st.readyReplicas(), st.replicas());
            ReplicationController copy = new io.fabric8.kubernetes.api.model.ReplicationControllerBuilder(rc).build();
            copy.setStatus(status);
            return copy;
        }
    };

    private static int intOf(Integer i) {
        return i == null ? 0 : i;
    }

    private static long longOf(Long l) {
        return l == null ? 0 : l;
    }
}
