package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.record.EventRecorder;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

/** The pod control of the running service: the API, and an event on the owner for each pod made or deleted. */
@Singleton
public class ApiPodControl implements PodControl {
    private final KubusApi api;
    private final EventRecorder events;

    public ApiPodControl(KubusApi api, EventRecorder events) {
        this.api = api;
        this.events = events;
    }

    @Override
    public Pod create(Pod pod, HasMetadata owner) {
        try {
            Pod created = api.create(ResourceTypes.PODS, pod);
            events.normal(owner, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
            return created;
        } catch (KubusApiException e) {
            if (!e.hasCause("NamespaceTerminating")) {
                events.warning(owner, "FailedCreate", "Error creating: " + e.statusMessage());
            }
            throw e;
        }
    }

    @Override
    public void delete(Pod pod, HasMetadata owner) {
        try {
            api.delete(ResourceTypes.PODS, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), null, null);
            events.normal(owner, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
        } catch (KubusApiException e) {
            if (!e.isNotFound()) {
                events.warning(owner, "FailedDelete", "Error deleting: " + e.statusMessage());
            }
            throw e;
        }
    }
}
