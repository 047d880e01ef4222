package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Expectations;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.schema.ResourceTypes;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the EndpointSlice and EndpointSlice mirroring controllers share: the labels that say whose slices are whose,
 * the slices one of them manages for a Service, and writing them under expectations, so that a cache lagging behind
 * a controller's own creates and deletes does not make it act twice.
 */
public final class EndpointSlices {
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";

    private EndpointSlices() {
    }

    /** The key of the Service a slice managed by {@code manager} belongs to. */
    public static Optional<String> serviceKey(EndpointSlice slice, String manager) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        if (labels == null || !manager.equals(labels.get(MANAGED_BY_LABEL)) || labels.get(SERVICE_NAME_LABEL) == null) {
            return Optional.empty();
        }
        return Optional.of(slice.getMetadata().getNamespace() + "/" + labels.get(SERVICE_NAME_LABEL));
    }

    /** The slices {@code manager} keeps for the Service {@code key}, but those already being deleted. */
    public static List<EndpointSlice> managed(Informer<EndpointSlice> slices, String key, String manager) {
        String namespace = key.substring(0, key.indexOf('/'));
        return slices.byIndex(Index.NAMESPACE, namespace).stream()
                .filter(s -> s.getMetadata().getDeletionTimestamp() == null)
                .filter(s -> serviceKey(s, manager).filter(key::equals).isPresent()).toList();
    }

    /** Counts the manager's slices the informer sees come and go against what {@code expectations} waits for. */
    public static void observe(Informer<EndpointSlice> slices, Expectations expectations, String manager) {
        slices.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice slice) {
                serviceKey(slice, manager).ifPresent(expectations::creationObserved);
            }

            @Override
            public void onDelete(EndpointSlice last) {
                serviceKey(last, manager).ifPresent(k -> expectations.deletionObserved(k, Informer.keyOf(last)));
            }
        });
    }

    /** Deletes first and creates last, as Kubernetes does; a failed create or delete is no longer expected. */
    public static void write(KubusApi api, Expectations expectations, String key, List<EndpointSlice> toCreate,
                             List<EndpointSlice> toUpdate, List<EndpointSlice> toDelete) {
        expectations.expectDeletions(key, toDelete.stream().map(Informer::keyOf).toList());
        for (EndpointSlice s : toDelete) {
            try {
                api.delete(ResourceTypes.ENDPOINTSLICES, s.getMetadata().getNamespace(), s.getMetadata().getName(),
                        null, null);
            } catch (KubusApiException e) {
                expectations.deletionObserved(key, Informer.keyOf(s));
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
        for (EndpointSlice s : toUpdate) {
            api.update(ResourceTypes.ENDPOINTSLICES, s); // a conflict: the cache lags, look again after a back-off
        }
        expectations.expectCreations(key, toCreate.size());
        for (int i = 0; i < toCreate.size(); i++) {
            try {
                api.create(ResourceTypes.ENDPOINTSLICES, toCreate.get(i));
            } catch (KubusApiException e) {
                for (int j = i; j < toCreate.size(); j++) {
                    expectations.creationObserved(key);
                }
                if (e.hasCause("NamespaceTerminating")) {
                    return;
                }
                throw e;
            }
        }
    }
}
