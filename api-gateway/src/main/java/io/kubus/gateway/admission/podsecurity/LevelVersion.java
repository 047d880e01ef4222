package io.kubus.gateway.admission.podsecurity;

/** A level at a version, printed as kube prints it in its messages: {@code baseline:latest}. */
public record LevelVersion(Level level, PolicyVersion version) {
    @Override
    public String toString() {
        return level + ":" + version;
    }
}
