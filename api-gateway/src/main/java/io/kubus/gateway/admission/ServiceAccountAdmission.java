package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.registry.core.NamespaceContents;
import io.kubus.gateway.watch.CachedObjects;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.BeanProvider;
import jakarta.inject.Singleton;


/**
 * kube-apiserver's ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount): a new pod runs as its
 * namespace's {@code default} ServiceAccount unless it names another, which must exist; and, unless the pod or its
 * ServiceAccount says {@code automountServiceAccountToken: false}, it gets the {@code kube-api-access-*} projected
 * volume (a bound token the node agent requests and renews, the cluster's CA from {@code kube-root-ca.crt}, the
 * namespace) mounted read-only at {@code /var/run/secrets/kubernetes.io/serviceaccount} in every container.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class ServiceAccountAdmission implements AdmissionPlugin {
    public static final String MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
    public static final String VOLUME_PREFIX = "kube-api-access-";
    /** kube's default lifetime of the projected token: an hour and seven seconds, renewed by the node at 80%. */
    static final long TOKEN_SECONDS = 3607;
    private static final String MIRROR = "kubernetes.io/config.mirror";

    private final CachedObjects cache;
    private final BeanProvider<GenericRegistry> registry;

    public ServiceAccountAdmission(CachedObjects cache, BeanProvider<GenericRegistry> registry) {
        this.cache = cache;
        this.registry = registry;
    }

    @Override
    public void mutate(AdmissionRequest request) {
        if (!request.type().equals(ResourceTypes.PODS) || !request.isCreate()) {
            return;
        }
        ObjectNode pod = request.object();
        if (pod.path("metadata").path("annotations").has(MIRROR)) {
            return;
        }
        ObjectNode spec = pod.with("spec");
        String name = spec.path("serviceAccountName").asText("");
        if (name.isEmpty()) {
            name = spec.path("serviceAccount").asText("");
        }
        if (name.isEmpty()) {
            name = "default";
        }
        spec.put("serviceAccountName", name);
        spec.put("serviceAccount", name);
        String namespace = pod.path("metadata").path("namespace").asText("");
        String account = name;
        ObjectNode sa = cache.get(ResourceTypes.SERVICEACCOUNTS, namespace, name).orElseThrow(() -> request.forbidden(
                "error looking up service account " + namespace + "/" + account + ": serviceaccount \"" + account
                        + "\" not found"));
        if (automount(spec, sa) && !hasMountAt(spec)) {
            String volume = VOLUME_PREFIX + registry.get().randomSuffix();
            spec.withArray("volumes").add(projectedVolume(volume));
            for (String containers : new String[] {"initContainers", "containers", "ephemeralContainers"}) {
                for (JsonNode c : spec.path(containers)) {
                    if (c instanceof ObjectNode container && !mountsAt(container)) {
                        ObjectNode mount = container.withArray("volumeMounts").addObject();
                        mount.put("name", volume);
                        mount.put("readOnly", true);
                        mount.put("mountPath", MOUNT_PATH);
                    }
                }
            }
        }
    }

    /** The pod's own setting wins, then the ServiceAccount's; mounting is the default. */
    private static boolean automount(ObjectNode spec, ObjectNode sa) {
        JsonNode pod = spec.get("automountServiceAccountToken");
        if (pod != null && pod.isBoolean()) {
            return pod.asBoolean();
        }
        JsonNode account = sa.get("automountServiceAccountToken");
        return account == null || !account.isBoolean() || account.asBoolean();
    }

    /** A container of the pod mounts something at the path already: the user's choice stands, as in kube. */
    private static boolean hasMountAt(ObjectNode spec) {
        for (String containers : new String[] {"initContainers", "containers"}) {
            for (JsonNode c : spec.path(containers)) {
                if (c instanceof ObjectNode container && mountsAt(container)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mountsAt(ObjectNode container) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (MOUNT_PATH.equals(m.path("mountPath").asText())) {
                return true;
            }
        }
        return false;
    }

    private static ObjectNode projectedVolume(String name) {
        ObjectNode v = io.kubus.gateway.registry.JsonTree.F.objectNode();
        v.put("name", name);
        ObjectNode projected = v.putObject("projected");
        ArrayNode sources = projected.putArray("sources");
        ObjectNode token = sources.addObject().putObject("serviceAccountToken");
        token.put("expirationSeconds", TOKEN_SECONDS);
        token.put("path", "token");
        ObjectNode ca = sources.addObject().putObject("configMap");
        ca.put("name", NamespaceContents.ROOT_CA_CONFIGMAP);
        ObjectNode item = ca.putArray("items").addObject();
        item.put("key", "ca.crt");
        item.put("path", "ca.crt");
        ObjectNode ns = sources.addObject().putObject("downwardAPI").putArray("items").addObject();
        ns.put("path", "namespace");
        ObjectNode ref = ns.putObject("fieldRef");
        ref.put("apiVersion", "v1");
        ref.put("fieldPath", "metadata.namespace");
        projected.put("defaultMode", 420);
        return v;
    }
}
