package io.kubus.controllers.replicaset;

import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kubus.client.api.KubusApi;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.common.PodControl;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.manager.ControllersSettings;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/** The two instances of the replica controller: one for ReplicaSets, one for ReplicationControllers. */
@Factory
@Requires(env = ControllersApplication.ENVIRONMENT)
public class ReplicaControllers {
    @Singleton
    @Named("replicaset")
    ReplicaSetController<ReplicaSet> replicaSets(SharedInformers informers, KubusApi api, PodControl podControl,
                                                 ControllersSettings settings) {
        return new ReplicaSetController<>(ReplicaKind.REPLICA_SET, informers, api, podControl, settings);
    }

    @Singleton
    @Named("replicationcontroller")
    ReplicaSetController<ReplicationController> replicationControllers(SharedInformers informers, KubusApi api,
                                                                       PodControl podControl,
                                                                       ControllersSettings settings) {
        return new ReplicaSetController<>(ReplicaKind.REPLICATION_CONTROLLER, informers, api, podControl, settings);
    }
}
