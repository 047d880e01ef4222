package io.kubus.schema;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.storage.CSIDriver;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.VolumeAttachment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The built-in kinds Kubus serves and publishes, with their Kubernetes names. Kinds defined at run time by
 * CustomResourceDefinitions are not here: {@link CustomResourceTypes} derives theirs from each definition.
 */
public final class ResourceTypes {
    private static final List<String> ALL = List.of("all");

    public static final ResourceType NAMESPACES = core("Namespace", "namespaces", false, List.of("ns"), List.of(), Set.of("status", "finalize"), Namespace.class);
    public static final ResourceType NODES = core("Node", "nodes", false, List.of("no"), List.of(), Set.of("status"), Node.class);
    public static final ResourceType PODS = core("Pod", "pods", true, List.of("po"), ALL, Set.of("status", "binding", "log", "exec", "portforward", "eviction", "proxy"), Pod.class);
    public static final ResourceType EVENTS = core("Event", "events", true, List.of("ev"), List.of(), Set.of(), Event.class);
    public static final ResourceType SERVICES = core("Service", "services", true, List.of("svc"), ALL, Set.of("status", "proxy"), Service.class);
    public static final ResourceType ENDPOINTS = core("Endpoints", "endpoints", true, List.of("ep"), List.of(), Set.of(), Endpoints.class);
    /**
     * Secrets never travel on Kafka with their values: consumers that need them read the Secret from the API. kubectl
     * apply keeps the whole manifest, values included, in an annotation, which stays out too.
     */
    public static final ResourceType SECRETS = new ResourceType("", "v1", "Secret", "secrets", true, List.of(), List.of(),
            Set.of(), Secret.class, List.of("/data", "/stringData",
            "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"), null);
    public static final ResourceType CONFIGMAPS = core("ConfigMap", "configmaps", true, List.of("cm"), List.of(), Set.of(), ConfigMap.class);
    public static final ResourceType REPLICATIONCONTROLLERS = core("ReplicationController", "replicationcontrollers", true, List.of("rc"), ALL, Set.of("status", "scale"), ReplicationController.class);
    public static final ResourceType PERSISTENTVOLUMECLAIMS = core("PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc"), List.of(), Set.of("status"), PersistentVolumeClaim.class);
    public static final ResourceType PERSISTENTVOLUMES = core("PersistentVolume", "persistentvolumes", false, List.of("pv"), List.of(), Set.of("status"), PersistentVolume.class);
    public static final ResourceType DEPLOYMENTS = apps("Deployment", "deployments", List.of("deploy"), Set.of("status", "scale"), Deployment.class);
    public static final ResourceType REPLICASETS = apps("ReplicaSet", "replicasets", List.of("rs"), Set.of("status", "scale"), ReplicaSet.class);
    public static final ResourceType STATEFULSETS = apps("StatefulSet", "statefulsets", List.of("sts"), Set.of("status", "scale"), StatefulSet.class);
    public static final ResourceType DAEMONSETS = apps("DaemonSet", "daemonsets", List.of("ds"), Set.of("status"), DaemonSet.class);
    public static final ResourceType JOBS = batch("Job", "jobs", List.of(), Set.of("status"), Job.class);
    public static final ResourceType CRONJOBS = batch("CronJob", "cronjobs", List.of("cj"), Set.of("status"), CronJob.class);
    // ServiceAccounts and RBAC: stored, validated and served; the gateway's RBAC authorizer evaluates the rules.
    public static final ResourceType SERVICEACCOUNTS = core("ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of(), Set.of("token"), ServiceAccount.class);
    public static final ResourceType ROLES = rbac("Role", "roles", true, Role.class);
    public static final ResourceType CLUSTERROLES = rbac("ClusterRole", "clusterroles", false, ClusterRole.class);
    public static final ResourceType ROLEBINDINGS = rbac("RoleBinding", "rolebindings", true, RoleBinding.class);
    public static final ResourceType CLUSTERROLEBINDINGS = rbac("ClusterRoleBinding", "clusterrolebindings", false, ClusterRoleBinding.class);
    // Stored, validated and served as kube-apiserver does; no controller acts on them yet.
    public static final ResourceType PODTEMPLATES = core("PodTemplate", "podtemplates", true, List.of(), List.of(), Set.of(), PodTemplate.class);
    public static final ResourceType CONTROLLERREVISIONS = new ResourceType("apps", "v1", "ControllerRevision", "controllerrevisions", true, List.of(), List.of(), Set.of(), ControllerRevision.class);
    public static final ResourceType INGRESSES = networking("Ingress", "ingresses", true, List.of("ing"), Set.of("status"), Ingress.class);
    public static final ResourceType INGRESSCLASSES = networking("IngressClass", "ingressclasses", false, List.of(), Set.of(), IngressClass.class);
    public static final ResourceType NETWORKPOLICIES = networking("NetworkPolicy", "networkpolicies", true, List.of("netpol"), Set.of(), NetworkPolicy.class);
    public static final ResourceType STORAGECLASSES = storage("StorageClass", "storageclasses", List.of("sc"), Set.of(), StorageClass.class);
    public static final ResourceType CSIDRIVERS = storage("CSIDriver", "csidrivers", List.of(), Set.of(), CSIDriver.class);
    public static final ResourceType VOLUMEATTACHMENTS = storage("VolumeAttachment", "volumeattachments", List.of(), Set.of("status"), VolumeAttachment.class);
    public static final ResourceType ENDPOINTSLICES = new ResourceType("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, List.of(), List.of(), Set.of(), EndpointSlice.class);
    // Quotas, limits and priorities
    public static final ResourceType RESOURCEQUOTAS = core("ResourceQuota", "resourcequotas", true, List.of("quota"), List.of(), Set.of("status"), ResourceQuota.class);
    public static final ResourceType LIMITRANGES = core("LimitRange", "limitranges", true, List.of("limits"), List.of(), Set.of(), LimitRange.class);
    public static final ResourceType PRIORITYCLASSES = new ResourceType("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, List.of("pc"), List.of(), Set.of(), PriorityClass.class);
    // policy/v1
    public static final ResourceType PODDISRUPTIONBUDGETS = new ResourceType("policy", "v1", "PodDisruptionBudget",
            "poddisruptionbudgets", true, List.of("pdb"), List.of(), Set.of("status"), PodDisruptionBudget.class);
    // Node heartbeats: each node agent renews a Lease per node in kube-node-lease; the node lifecycle controller reads them.
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of(), Set.of(), Lease.class);
    /**
     * Nodes join with credentials of their own: a node agent asks for its client certificate with one; the approver
     * (workload-controllers) approves node client requests, the gateway signs approved ones.
     */
    public static final ResourceType CERTIFICATESIGNINGREQUESTS = new ResourceType("certificates.k8s.io", "v1",
            "CertificateSigningRequest", "certificatesigningrequests", false, List.of("csr"), List.of(),
            Set.of("status", "approval"), CertificateSigningRequest.class);
    // Kinds served in more than one version: the storage version, and the versions converted from and to it.
    public static final ResourceType HORIZONTALPODAUTOSCALERS = new ResourceType("autoscaling", "v2",
            "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, List.of("hpa"), ALL, Set.of("status"),
            HorizontalPodAutoscaler.class);
    public static final ResourceType HORIZONTALPODAUTOSCALERS_V1 = servedAs(HORIZONTALPODAUTOSCALERS, "v1",
            io.fabric8.kubernetes.api.model.autoscaling.v1.HorizontalPodAutoscaler.class);
    /**
     * CustomResourceDefinitions name kinds served at run time: each Established one adds the types
     * {@link CustomResourceTypes} derives from it, with a change topic of their own.
     */
    public static final ResourceType CUSTOMRESOURCEDEFINITIONS = new ResourceType("apiextensions.k8s.io", "v1",
            "CustomResourceDefinition", "customresourcedefinitions", false, List.of("crd", "crds"), List.of("api-extensions"),
            Set.of("status"), CustomResourceDefinition.class);
    /** events.k8s.io/v1 Events are a view of the core Events: the same objects, on the core events topic. */
    public static final ResourceType EVENTS_V1 = new ResourceType("events.k8s.io", "v1", "Event", "events", true,
            List.of("ev"), List.of(), Set.of(), io.fabric8.kubernetes.api.model.events.v1.Event.class, List.of(), EVENTS);

    private static final List<ResourceType> BUILT_IN = List.of(NAMESPACES, NODES, PODS, EVENTS, SERVICES, ENDPOINTS,
            SECRETS, CONFIGMAPS, REPLICATIONCONTROLLERS, PERSISTENTVOLUMECLAIMS, PERSISTENTVOLUMES,
            DEPLOYMENTS, REPLICASETS, STATEFULSETS, DAEMONSETS, JOBS, CRONJOBS,
            SERVICEACCOUNTS, ROLES, CLUSTERROLES, ROLEBINDINGS, CLUSTERROLEBINDINGS,
            PODTEMPLATES, CONTROLLERREVISIONS, INGRESSES, INGRESSCLASSES, NETWORKPOLICIES, STORAGECLASSES, CSIDRIVERS,
            VOLUMEATTACHMENTS, ENDPOINTSLICES,
            RESOURCEQUOTAS, LIMITRANGES, PRIORITYCLASSES,
            PODDISRUPTIONBUDGETS,
            LEASES, CERTIFICATESIGNINGREQUESTS,
            HORIZONTALPODAUTOSCALERS, HORIZONTALPODAUTOSCALERS_V1, EVENTS_V1, CUSTOMRESOURCEDEFINITIONS);
    private static final List<ResourceType> STORED = BUILT_IN.stream().filter(ResourceType::isStorageType).toList();

    private static final Map<String, ResourceType> BY_PATH = new LinkedHashMap<>();

    static {
        for (ResourceType t : BUILT_IN) {
            BY_PATH.put(t.group() + "/" + t.version() + "/" + t.plural(), t);
        }
    }

    private ResourceTypes() {
    }

    /** Every type served, each version of a kind on its own (discovery, routing, OpenAPI). */
    public static List<ResourceType> all() {
        return BUILT_IN;
    }

    /**
     * The storage types only: each kind of object once, whatever versions serve it. Loops over "every kind of
     * object" (change topics, informers, the garbage collector, a namespace's content, quota usage) use these.
     */
    public static List<ResourceType> stored() {
        return STORED;
    }

    /** The kind served at {@code group/version/plural}, if any. */
    public static Optional<ResourceType> byPath(String group, String version, String plural) {
        return Optional.ofNullable(BY_PATH.get(group + "/" + version + "/" + plural));
    }

    /** The kind with this apiVersion and kind, if any. */
    public static Optional<ResourceType> byKind(String apiVersion, String kind) {
        return BUILT_IN.stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
    }

    /** The same kind served in another version of its group, converted from and to {@code storage}. */
    private static ResourceType servedAs(ResourceType storage, String version, Class<? extends HasMetadata> type) {
        return new ResourceType(storage.group(), version, storage.kind(), storage.plural(), storage.namespaced(),
                storage.shortNames(), storage.categories(), storage.subresources(), type, storage.eventOmits(), storage);
    }

    private static ResourceType core(String kind, String plural, boolean namespaced, List<String> shortNames,
                                     List<String> categories, Set<String> sub, Class<? extends HasMetadata> type) {
        return new ResourceType("", "v1", kind, plural, namespaced, shortNames, categories, sub, type);
    }

    private static ResourceType apps(String kind, String plural, List<String> shortNames, Set<String> sub,
                                     Class<? extends HasMetadata> type) {
        return new ResourceType("apps", "v1", kind, plural, true, shortNames, ALL, sub, type);
    }

    private static ResourceType networking(String kind, String plural, boolean namespaced, List<String> shortNames,
                                           Set<String> sub, Class<? extends HasMetadata> type) {
        return new ResourceType("networking.k8s.io", "v1", kind, plural, namespaced, shortNames, List.of(), sub, type);
    }

    /** storage.k8s.io kinds are all cluster-scoped. */
    private static ResourceType storage(String kind, String plural, List<String> shortNames, Set<String> sub,
                                        Class<? extends HasMetadata> type) {
        return new ResourceType("storage.k8s.io", "v1", kind, plural, false, shortNames, List.of(), sub, type);
    }

    private static ResourceType batch(String kind, String plural, List<String> shortNames, Set<String> sub,
                                      Class<? extends HasMetadata> type) {
        return new ResourceType("batch", "v1", kind, plural, true, shortNames, ALL, sub, type);
    }

    /** rbac.authorization.k8s.io/v1: no short names, no categories, no subresources, as kube-apiserver serves them. */
    private static ResourceType rbac(String kind, String plural, boolean namespaced, Class<? extends HasMetadata> type) {
        return new ResourceType("rbac.authorization.k8s.io", "v1", kind, plural, namespaced, List.of(), List.of(), Set.of(), type);
    }
}
