package io.kubus.agent.runtime;

/** The labels every runtime object carries, so it can be tied back to its pod after any restart. */
public final class RuntimeLabels {
    public static final String MANAGED_BY = "io.kubus.managed-by";
    public static final String NODE = "io.kubus.node";
    public static final String POD_UID = "io.kubernetes.pod.uid";
    public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    public static final String POD_NAME = "io.kubernetes.pod.name";
    public static final String CONTAINER_NAME = "io.kubernetes.container.name";
    /** "sandbox" or "container". */
    public static final String KIND = "io.kubus.kind";
    public static final String RESTART_COUNT = "io.kubernetes.container.restartCount";
    public static final String MANAGED_BY_VALUE = "kubus-node-agent";

    private RuntimeLabels() {
    }
}
