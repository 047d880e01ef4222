package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;
import io.kubus.schema.validation.ErrorList;
import io.micronaut.core.annotation.Nullable;

/**
 * How one served-only version of a kind converts from and to the version its objects are stored in, as
 * kube-apiserver converts every request version through its internal one (pkg/apis/&lt;group&gt;/&lt;version&gt;/conversion.go):
 * autoscaling/v1 HorizontalPodAutoscalers to and from autoscaling/v2, events.k8s.io/v1 Events to and from core/v1.
 * One bean per served-only {@link ResourceType}, found by {@link Conversions}. A body in the served version reaches
 * {@link #toStorage} only after it decoded cleanly into the served version's model; everything that answers goes
 * through {@link #fromStorage}. Neither sets kind and apiVersion, nor changes its argument.
 */
public interface Conversion {
    /** The served-only type converted; its objects are stored as {@code type().storageType()}. */
    ResourceType type();

    /** The object of this version as the storage version keeps it. */
    ObjectNode toStorage(ObjectNode served);

    /** A stored object as this version shows it. */
    ObjectNode fromStorage(ObjectNode stored);

    /**
     * What this version validates beyond its storage version, on the object as stored (after defaults), for a create
     * ({@code old} null) or an update: kube-apiserver validates the internal object knowing the request's version,
     * and events.k8s.io/v1 requires fields core/v1 leaves optional. Field paths are the ones Kubernetes names.
     */
    default void validate(ObjectNode stored, @Nullable ObjectNode old, ErrorList errors) {
    }
}
