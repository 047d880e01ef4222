package io.kubus.scheduler.framework;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The claims, volumes and storage classes, as the scheduler's informers last saw them (kube's volume binder listers). */
public interface VolumeView {
    /** For a cluster view without storage (tests of other rules): nothing exists. */
    VolumeView NONE = new VolumeView() {
        @Override
        public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public Optional<PersistentVolume> volume(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<StorageClass> storageClass(String name) {
            return Optional.empty();
        }

        @Override
        public Collection<PersistentVolume> volumes() {
            return List.of();
        }
    };

    Optional<PersistentVolumeClaim> claim(String namespace, String name);

    Optional<PersistentVolume> volume(String name);

    Optional<StorageClass> storageClass(String name);

    /** Every volume: an unbound claim may bind to any that fits it. */
    Collection<PersistentVolume> volumes();
}
