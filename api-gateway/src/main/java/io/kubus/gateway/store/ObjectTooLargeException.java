package io.kubus.gateway.store;

import io.kubus.schema.ResourceType;

/**
 * An object whose stored JSON is over {@link ObjectStore#MAX_OBJECT_BYTES}: refused, as etcd refuses a request over
 * its size limit under kube-apiserver, so that no change event is larger than its topic takes.
 */
public final class ObjectTooLargeException extends RuntimeException {
    public ObjectTooLargeException(ResourceType type, String name, long bytes) {
        super(type.qualifiedPlural() + " \"" + name + "\" is too large to store: " + bytes + " bytes of JSON, the limit is "
                + ObjectStore.MAX_OBJECT_BYTES, null, false, false);
    }
}
