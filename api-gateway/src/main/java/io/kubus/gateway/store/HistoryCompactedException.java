package io.kubus.gateway.store;

/** A list asked for a version whose history is compacted: it can no longer be shown as it was. */
public class HistoryCompactedException extends RuntimeException {
    private final long version;
    private final long compactedVersion;

    public HistoryCompactedException(long version, long compactedVersion) {
        super("resourceVersion " + version + " is compacted (history kept from " + compactedVersion + ")", null,
                false, false);
        this.version = version;
        this.compactedVersion = compactedVersion;
    }

    public long version() {
        return version;
    }

    public long compactedVersion() {
        return compactedVersion;
    }
}
