package io.kubus.gateway.admission;

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
}
