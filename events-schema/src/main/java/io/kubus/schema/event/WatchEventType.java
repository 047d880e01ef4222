package io.kubus.schema.event;

import java.util.Locale;

/** The change types of a Kubernetes watch event, as carried in the value's {@code type} field. */
public enum WatchEventType {
    ADDED, MODIFIED, DELETED;

    /** The lower-case suffix used in the CloudEvent type, e.g. {@code modified}. */
    public String ceSuffix() {
        return name().toLowerCase(Locale.ROOT);
    }
}
