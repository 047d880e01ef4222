package io.kubus.controllers.manager;

import io.kubus.client.api.KubusApi;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.record.EventRecorder;
import io.kubus.controllers.ControllersApplication;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/** The API client, the event recorder and the one set of informers every controller of this process shares. */
@Factory
@Requires(env = ControllersApplication.ENVIRONMENT)
public class ClientBeans {
    @Singleton
    @Bean(preDestroy = "close")
    KubusApi kubusApi(ControllersSettings settings) {
        return new KubusApi(ClientConfig.fromKubeconfig(Path.of(settings.getKubeconfig())));
    }

    @Singleton
    @Bean(preDestroy = "close")
    SharedInformers sharedInformers(KubusApi api,
                                    @Value("${kubus.kafka.bootstrap-servers:127.0.0.1:9092}") String kafkaBootstrap) {
        return new SharedInformers(api, kafkaBootstrap, "controllers");
    }

    /** Events as kube-controller-manager records them (its controllers' names are the source component). */
    @Singleton
    @Bean(preDestroy = "close")
    EventRecorder eventRecorder(KubusApi api) {
        return new EventRecorder(api, "kubus-controller-manager");
    }
}
