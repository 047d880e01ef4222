package io.kubus.schema.storage;

/**
 * The names Kubus' local-path storage is known by, shared by the gateway (which makes the default class), the
 * scheduler (which picks a claim's node), the volume controller (which provisions and binds) and the node agents
 * (which publish where their volumes live). After k3s' local-path provisioner: a volume is a folder
 * on one node, made when the first pod that uses its claim is scheduled there.
 */
public final class LocalPath {
    /** The StorageClass every cluster starts with, marked default. */
    public static final String STORAGE_CLASS = "local-path";
    public static final String PROVISIONER = "kubus.io/local-path";
    /** On a Node: the folder under which its local-path volumes live, published by its agent. */
    public static final String ROOT_ANNOTATION = "kubus.io/local-path-root";
    /** On a provisioned PV: its folder is still on the node (the volume controller's helper pod removes it, then this). */
    public static final String CLEANUP_FINALIZER = "kubus.io/local-path-cleanup";
    /** On a claim that waits for its first consumer: the node the scheduler chose (Kubernetes' AnnSelectedNode). */
    public static final String SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";

    private LocalPath() {
    }
}
