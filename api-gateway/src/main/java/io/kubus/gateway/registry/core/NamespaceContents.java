package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.GatewayPki;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ServerMetadata;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.BeanProvider;
import jakarta.inject.Singleton;

import java.time.Clock;

/**
 * What every namespace holds from its start: the {@code default} ServiceAccount (kube's serviceaccounts-controller)
 * and the {@code kube-root-ca.crt} ConfigMap with the cluster's CA (kube's root-ca-cert-publisher). Kubernetes'
 * controllers make them moments after the namespace; Kubus writes them in the namespace's own create transaction,
 * so a pod created right after its namespace never meets kube's "serviceaccount default not found" refusal, and
 * again at each gateway start for namespaces that lost them.
 */
@Singleton
public class NamespaceContents {
    public static final String ROOT_CA_CONFIGMAP = "kube-root-ca.crt";
    private static final String DESCRIPTION = "Contains a CA bundle that can be used to verify the kube-apiserver when "
            + "using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
            + "guaranteed across distributions of Kubernetes clusters.";

    /** Looked up when first needed: contexts that check strategies without serving (tests) have no PKI. */
    private final BeanProvider<GatewayPki> pki;
    private final Clock clock;

    public NamespaceContents(BeanProvider<GatewayPki> pki, Clock clock) {
        this.pki = pki;
        this.clock = clock;
    }

    /** Writes what is missing (or, for the CA bundle, outdated) into {@code namespace}, in the caller's transaction. */
    public void ensure(String namespace, ObjectStore store) {
        String caPem = pki.get().pki().ca().certificatePem();
        ObjectNode sa = object(ResourceTypes.SERVICEACCOUNTS, namespace, "default");
        store.write(ResourceTypes.SERVICEACCOUNTS, namespace, "default",
                current -> current != null ? WriteOutcome.keep() : WriteOutcome.put(sa));
        ObjectNode cm = object(ResourceTypes.CONFIGMAPS, namespace, ROOT_CA_CONFIGMAP);
        ((ObjectNode) cm.get("metadata")).putObject("annotations").put("kubernetes.io/description", DESCRIPTION);
        cm.putObject("data").put("ca.crt", caPem);
        store.write(ResourceTypes.CONFIGMAPS, namespace, ROOT_CA_CONFIGMAP, current -> {
            if (current == null) {
                return WriteOutcome.put(cm);
            }
            if (caPem.equals(current.path("data").path("ca.crt").asText())) {
                return WriteOutcome.keep();
            }
            ObjectNode updated = current.deepCopy();
            updated.putObject("data").put("ca.crt", caPem);
            return WriteOutcome.put(updated);
        });
    }

    private ObjectNode object(ResourceType type, String namespace, String name) {
        ObjectNode o = JsonTree.F.objectNode();
        o.put("apiVersion", type.apiVersion());
        o.put("kind", type.kind());
        ObjectNode meta = o.putObject("metadata");
        meta.put("name", name);
        meta.put("namespace", namespace);
        ServerMetadata.created(meta, clock);
        return o;
    }
}
