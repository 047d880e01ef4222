package io.kubus.gateway.admission;

import io.kubus.gateway.store.ObjectStore;

/**
 * An admission plugin of kube-apiserver's chain (DefaultTolerationSeconds, LimitRanger, ResourceQuota, ...): it sees
 * every object of every kind on its way into the store and acts on the kinds it is about. Mutating admission runs
 * after the scheme's defaults, validating admission after the kind's own validation.
 */
public interface AdmissionPlugin {
    /** May change the object. */
    default void mutate(AdmissionRequest request) {
    }

    /** May refuse the object with an {@link AdmissionException}. */
    default void validate(AdmissionRequest request) {
    }

    /**
     * Validating admission that must be atomic with a create (a ResourceQuota's usage, checked and charged): runs
     * inside the create's store transaction, under the store's writer lock, and may write other objects through
     * {@code store}, which commit or roll back with the create. May refuse with an {@link AdmissionException}.
     */
    default void admitInTransaction(AdmissionRequest request, ObjectStore store) {
    }
}
