package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.schema.ResourceType;

import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Writing a controller's status onto its object: on a conflict (the cache lags behind the object's last write,
 * often this controller's own previous status) once more onto a fresh read of the same object, as Kubernetes'
 * controllers do, rather than back off while pods keep changing. Nothing is written if the object is gone or
 * replaced meanwhile.
 */
public final class StatusWrites {
    private StatusWrites() {
    }

    /** Writes {@code withStatus(object)}, a copy of the object carrying the new status. */
    @SuppressWarnings("unchecked")
    public static <T extends HasMetadata> void update(KubusApi api, ResourceType type, T object,
                                                      UnaryOperator<T> withStatus) {
        try {
            api.updateStatus(type, withStatus.apply(object));
        } catch (KubusApiException e) {
            if (!e.isConflict()) {
                throw e;
            }
            Optional<T> fresh = api.get(type, object.getMetadata().getNamespace(), object.getMetadata().getName(),
                    (Class<T>) object.getClass());
            if (fresh.isPresent() && Objects.equals(fresh.get().getMetadata().getUid(), object.getMetadata().getUid())) {
                api.updateStatus(type, withStatus.apply(fresh.get()));
            }
        }
    }
}
