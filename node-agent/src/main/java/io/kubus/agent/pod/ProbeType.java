package io.kubus.agent.pod;

/** The three probes a container may declare, named as the kubelet names them in events. */
public enum ProbeType {
    LIVENESS("Liveness"), READINESS("Readiness"), STARTUP("Startup");

    private final String title;

    ProbeType(String title) {
        this.title = title;
    }

    /** "Liveness", "Readiness" or "Startup", as in {@code Liveness probe failed: ...}. */
    public String title() {
        return title;
    }
}
