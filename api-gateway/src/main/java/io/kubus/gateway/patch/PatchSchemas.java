package io.kubus.gateway.patch;

/**
 * Strategic-merge schemas of the built-in kinds Kubus serves, transcribed from the
 * {@code patchStrategy}/{@code patchMergeKey} struct tags of k8s.io/api (core/v1, apps/v1,
 * batch/v1) and k8s.io/apimachinery meta/v1. Untagged lists (tolerations, taints, resizePolicy,
 * readinessGates, containerStatuses, Namespace spec.finalizers, ...) are deliberately absent so
 * they are replaced, exactly as Kubernetes does.
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
    private static final PatchSchema CONDITIONS_STATUS = PatchSchema.builder()
            .mergeList("conditions", "type")
            .build();

    /** spec.template is a PodTemplateSpec (ReplicationController, ReplicaSet, StatefulSet, DaemonSet, Job). */
    private static final PatchSchema TEMPLATED_SPEC = PatchSchema.builder()
            .object("template", POD_TEMPLATE_SPEC)
            .build();

    /** apps/v1 DeploymentSpec: strategy carries patchStrategy retainKeys. */
    private static final PatchSchema DEPLOYMENT_SPEC = PatchSchema.builder()
            .include(TEMPLATED_SPEC)
            .retainKeysObject("strategy", PatchSchema.EMPTY)
            .build();

    /** batch/v1 JobTemplateSpec, the CronJob's spec.jobTemplate. */
    private static final PatchSchema JOB_TEMPLATE_SPEC = PatchSchema.builder()
            .object("metadata", OBJECT_META)
            .object("spec", TEMPLATED_SPEC)
            .build();

    private static final PatchSchema METADATA_ONLY = object(PatchSchema.EMPTY, PatchSchema.EMPTY);

    private static final PatchSchema POD = object(POD_SPEC, POD_STATUS);
    private static final PatchSchema POD_TEMPLATE = PatchSchema.builder()
            .object("metadata", OBJECT_META)
            .object("template", POD_TEMPLATE_SPEC)
            .build();
    private static final PatchSchema NODE = object(
            PatchSchema.builder().mergePrimitiveList("podCIDRs").build(),
            PatchSchema.builder().mergeList("conditions", "type").mergeList("addresses", "type").build());
    private static final PatchSchema SERVICE = object(
            PatchSchema.builder().mergeList("ports", "port").build(), CONDITIONS_STATUS);
    private static final PatchSchema NAMESPACE = object(PatchSchema.EMPTY, CONDITIONS_STATUS);
    private static final PatchSchema PERSISTENT_VOLUME_CLAIM = object(PatchSchema.EMPTY, CONDITIONS_STATUS);
    private static final PatchSchema SERVICE_ACCOUNT = PatchSchema.builder()
            .object("metadata", OBJECT_META)
            .mergeList("secrets", "name")
            .build();
    private static final PatchSchema TEMPLATED = object(TEMPLATED_SPEC, CONDITIONS_STATUS);
    private static final PatchSchema DEPLOYMENT = object(DEPLOYMENT_SPEC, CONDITIONS_STATUS);
    private static final PatchSchema CRON_JOB = object(
            PatchSchema.builder().object("jobTemplate", JOB_TEMPLATE_SPEC).build(), PatchSchema.EMPTY);

    private PatchSchemas() {
    }

    /**
     * The schema for a kind. {@code group} is the API group ("" or "core" for the legacy core
     * group). Unknown kinds get {@link PatchSchema#EMPTY}: every list is replaced, as with a JSON
     * merge patch, because without type information there is no merge key to go by.
     */
    public static PatchSchema forKind(String group, String kind) {
        String g = group == null || group.equals("core") ? "" : group;
        if (kind == null) {
            return PatchSchema.EMPTY;
        }
        return switch (g) {
            case "" -> switch (kind) {
                case "Pod" -> POD;
                case "PodTemplate" -> POD_TEMPLATE;
                case "Node" -> NODE;
                case "Service" -> SERVICE;
                case "Namespace" -> NAMESPACE;
                case "PersistentVolumeClaim" -> PERSISTENT_VOLUME_CLAIM;
                case "ReplicationController" -> TEMPLATED;
                case "ServiceAccount" -> SERVICE_ACCOUNT;
                // No tagged lists beyond ObjectMeta (PersistentVolumeStatus has no conditions).
                case "Endpoints", "Secret", "ConfigMap", "Event", "PersistentVolume", "LimitRange",
                     "ResourceQuota" -> METADATA_ONLY;
                default -> PatchSchema.EMPTY;
            };
            case "apps" -> switch (kind) {
                case "Deployment" -> DEPLOYMENT;
                case "ReplicaSet", "StatefulSet", "DaemonSet" -> TEMPLATED;
                default -> PatchSchema.EMPTY;
            };
            case "batch" -> switch (kind) {
                case "Job" -> TEMPLATED;
                case "CronJob" -> CRON_JOB;
                default -> PatchSchema.EMPTY;
            };
            default -> PatchSchema.EMPTY;
        };
    }

    /** A top-level object: ObjectMeta plus the given spec and status schemas. */
    private static PatchSchema object(PatchSchema spec, PatchSchema status) {
        return PatchSchema.builder()
                .object("metadata", OBJECT_META)
                .object("spec", spec)
                .object("status", status)
                .build();
    }
}
