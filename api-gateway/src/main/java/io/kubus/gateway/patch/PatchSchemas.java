package io.kubus.gateway.patch;

/**
 * The strategic-merge schema pieces several kinds share, transcribed from the {@code patchStrategy}/{@code patchMergeKey}
 * struct tags of k8s.io/api and k8s.io/apimachinery meta/v1; each kind's strategy composes its own schema from them.
 * Untagged lists (tolerations, taints, resizePolicy, readinessGates, containerStatuses, Namespace spec.finalizers, ...)
 * are deliberately absent so they are replaced, exactly as Kubernetes does.
 */
public final class PatchSchemas {

    /** meta/v1 ObjectMeta: ownerReferences merge by uid, finalizers are a merged set. */
    public static final PatchSchema OBJECT_META = PatchSchema.builder()
            .mergeList("ownerReferences", "uid")
            .mergePrimitiveList("finalizers")
            .build();

    /** core/v1 Container (EphemeralContainerCommon carries identical tags). */
    public static final PatchSchema CONTAINER = PatchSchema.builder()
            .mergeList("ports", "containerPort")
            .mergeList("env", "name")
            .mergeList("volumeMounts", "mountPath")
            .mergeList("volumeDevices", "devicePath")
            .build();

    /** core/v1 NodeAllocatableResourceClaimStatus. */
    private static final PatchSchema NODE_ALLOCATABLE_CLAIM_STATUS = PatchSchema.builder()
            .mergeList("mapping", "name")
            .mergeList("overhead", "name")
            .build();

    /** core/v1 PodSpec: one description shared by every pod template below. */
    public static final PatchSchema POD_SPEC = PatchSchema.builder()
            .mergeListRetainKeys("volumes", "name", PatchSchema.EMPTY)
            .mergeList("initContainers", "name", CONTAINER)
            .mergeList("containers", "name", CONTAINER)
            .mergeList("ephemeralContainers", "name", CONTAINER)
            .mergeList("imagePullSecrets", "name")
            .mergeList("hostAliases", "ip")
            .mergeList("topologySpreadConstraints", "topologyKey")
            .mergeList("schedulingGates", "name")
            .mergeListRetainKeys("resourceClaims", "name", PatchSchema.EMPTY)
            .mergeList("evictionResponders", "name")
            .build();

    /** core/v1 PodStatus. */
    public static final PatchSchema POD_STATUS = PatchSchema.builder()
            .mergeList("conditions", "type")
            .mergeList("hostIPs", "ip")
            .mergeList("podIPs", "ip")
            .mergeListRetainKeys("resourceClaimStatuses", "name", PatchSchema.EMPTY)
            .mergeList("nodeAllocatableResourceClaimStatuses", "resourceClaimName", NODE_ALLOCATABLE_CLAIM_STATUS)
            .build();

    /** core/v1 PodTemplateSpec. */
    public static final PatchSchema POD_TEMPLATE_SPEC = PatchSchema.builder()
            .object("metadata", OBJECT_META)
            .object("spec", POD_SPEC)
            .build();

    /** Status blocks whose only tagged list is conditions keyed by type. */
    public static final PatchSchema CONDITIONS_STATUS = PatchSchema.builder()
            .mergeList("conditions", "type")
            .build();

    /** spec.template is a PodTemplateSpec (ReplicationController, ReplicaSet, StatefulSet, DaemonSet, Job). */
    public static final PatchSchema TEMPLATED_SPEC = PatchSchema.builder()
            .object("template", POD_TEMPLATE_SPEC)
            .build();

    /** apps/v1 DeploymentSpec: strategy carries patchStrategy retainKeys. */
    public static final PatchSchema DEPLOYMENT_SPEC = PatchSchema.builder()
            .include(TEMPLATED_SPEC)
            .retainKeysObject("strategy", PatchSchema.EMPTY)
            .build();

    /** batch/v1 JobTemplateSpec, the CronJob's spec.jobTemplate. */
    public static final PatchSchema JOB_TEMPLATE_SPEC = PatchSchema.builder()
            .object("metadata", OBJECT_META)
            .object("spec", TEMPLATED_SPEC)
            .build();

    /** A kind with no tagged lists beyond its ObjectMeta's. */
    public static final PatchSchema METADATA_ONLY = object(PatchSchema.EMPTY, PatchSchema.EMPTY);

    /** A kind whose spec carries a pod template and whose status has conditions (the workload kinds). */
    public static final PatchSchema TEMPLATED = object(TEMPLATED_SPEC, CONDITIONS_STATUS);

    private PatchSchemas() {
    }

    /** A top-level object: ObjectMeta plus the given spec and status schemas. */
    public static PatchSchema object(PatchSchema spec, PatchSchema status) {
        return PatchSchema.builder()
                .object("metadata", OBJECT_META)
                .object("spec", spec)
                .object("status", status)
                .build();
    }
}
