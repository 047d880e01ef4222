package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.kubus.client.informer.Informer;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Reading and making ownerReferences: the controller reference (controller: true) in particular. */
public final class OwnerReferences {
    private OwnerReferences() {
    }

    /** The reference of the object's managing controller, if any. */
    public static Optional<OwnerReference> controllerOf(HasMetadata object) {
        for (OwnerReference r : of(object)) {
            if (Boolean.TRUE.equals(r.getController())) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The key of the cached owner of {@code kind} that controls {@code object}, if it is still that owner (same uid). */
    public static Optional<String> controllerKey(HasMetadata object, String kind, Informer<? extends HasMetadata> owners) {
        return controllerOf(object).filter(r -> kind.equals(r.getKind()))
                .flatMap(r -> owners.get(object.getMetadata().getNamespace(), r.getName())
                        .filter(o -> Objects.equals(o.getMetadata().getUid(), r.getUid())))
                .map(Informer::keyOf);
    }

    /** Whether {@code owner} is {@code object}'s controller (same uid). */
    public static boolean isControlledBy(HasMetadata object, HasMetadata owner) {
        return controllerOf(object).map(r -> Objects.equals(r.getUid(), owner.getMetadata().getUid())).orElse(false);
    }

    /** The reference a controller puts on what it creates or adopts: controller and blockOwnerDeletion true. */
    public static OwnerReference controllerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    public static List<OwnerReference> of(HasMetadata object) {
        List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
        return refs == null ? List.of() : refs;
    }
}
