package io.kubus.client.api;

/** The patch formats the gateway accepts, with their Kubernetes content types. */
public enum PatchKind {
    /** JSON Merge Patch, RFC 7386. */
    MERGE("application/merge-patch+json"),
    /** JSON Patch, RFC 6902: an array of operations. */
    JSON("application/json-patch+json"),
    /** Kubernetes strategic merge patch: lists merge by their patch merge key (e.g. containers by name). */
    STRATEGIC("application/strategic-merge-patch+json");

    private final String contentType;

    PatchKind(String contentType) {
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }
}
