package io.kubus.controllers.namespace;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.client.api.PatchKind;
import io.kubus.controllers.testing.Await;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.gateway.testing.Kubectl;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code kubectl delete namespace} in a whole cluster: the namespace stays Terminating, saying in its conditions what
 * is left, while its content goes (running pods stopped by their nodes' agents), then goes itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamespaceDeletionTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("ns-node", 2);

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void deletingANamespaceDeletesEverythingInItThenTheNamespace() throws Exception {
        String ns = "shop";
        cluster.kubectl().run("create", "namespace", ns).ok();
        Path manifest = Files.writeString(cluster.dir().resolve("shop.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: web-0, labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 20
                  containers: [{name: app, image: kubus/busybox:1}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: web-1, labels: {app: web}}
                spec:
                  containers: [{name: app, image: kubus/busybox:1}]
                ---
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata: {name: worker}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: worker}}
                  template:
                    metadata: {labels: {app: worker}}
                    spec: {containers: [{name: app, image: kubus/busybox:1}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{port: 80}]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {mode: fast}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: token}
                stringData: {token: s3cret}
                ---
                apiVersion: autoscaling/v1
                kind: HorizontalPodAutoscaler
                metadata: {name: worker}
                spec:
                  scaleTargetRef: {apiVersion: apps/v1, kind: ReplicaSet, name: worker}
                  maxReplicas: 3
                """);
        cluster.kubectl().run("apply", "-n", ns, "-f", manifest.toString()).ok();
        // Held by a finalizer the test removes, so that the namespace is seen waiting for its content.
        cluster.api().create(ResourceTypes.CONFIGMAPS, new ConfigMapBuilder().withNewMetadata().withName("held").withNamespace(ns)
                .withFinalizers("example.com/hold").endMetadata().build());
        Await.until(WAIT, "4 pods running in " + ns, () -> cluster.api().list(ResourceTypes.PODS, ns, null, null, Pod.class).items(),
                pods -> pods.size() == 4 && pods.stream().allMatch(p -> "Running".equals(p.getStatus().getPhase())),
                pods -> pods.stream().map(p -> p.getMetadata().getName() + ":" + p.getStatus().getPhase()).toList().toString());

        assertTrue(cluster.kubectl().run("delete", "namespace", ns, "--wait=false").ok().out().contains("namespace \"" + ns + "\" deleted"));

        String shown = Await.until(WAIT, "the namespace Terminating, waiting for the held config map",
                () -> cluster.kubectl().run("describe", "namespace", ns).ok().out(),
                out -> out.contains("NamespaceContentRemaining") && out.contains("SomeResourcesRemain")
                        && out.contains("Some resources are remaining: configmaps. has 1 resource instances")
                        && !out.contains("pods.")); // the pods are gone by then: their agents confirmed their end
        assertTrue(shown.matches("(?s).*Status:\\s+Terminating.*"), shown);
        assertTrue(shown.contains("Some finalizers are remaining: example.com/hold in 1 resource instances"), shown);
        assertTrue(cluster.kubectl().run("get", "namespace", ns).ok().out().matches("(?s).*" + ns + "\\s+Terminating.*"));
        assertEquals(List.of("held"), remaining(ns), "everything else is gone");

        Kubectl.Result refused = cluster.kubectl().run("create", "configmap", "late", "-n", ns, "--from-literal=a=b");
        assertTrue(refused.exitCode() != 0 && refused.err().contains("error: failed to create configmap: configmaps \"late\" is "
                + "forbidden: unable to create new content in namespace " + ns + " because it is being terminated"),
                refused.err());

        cluster.api().patch(ResourceTypes.CONFIGMAPS, ns, "held", PatchKind.MERGE, "{\"metadata\":{\"finalizers\":null}}", false,
                ConfigMap.class);

        Await.until(WAIT, "namespace " + ns + " gone", () -> cluster.kubectl().run("get", "namespace", ns),
                r -> r.exitCode() != 0 && r.err().contains("namespaces \"" + ns + "\" not found"), r -> r.out() + r.err());
        assertEquals(List.of(), remaining(ns), "no object of any kind is left in the deleted namespace");
    }

    @Test
    void theSystemNamespacesCannotBeDeleted() {
        for (String system : List.of("default", "kube-system", "kube-public")) {
            Kubectl.Result r = cluster.kubectl().run("delete", "namespace", system);
            assertTrue(r.exitCode() != 0 && r.err().contains("Error from server (Forbidden): namespaces \"" + system
                    + "\" is forbidden: this namespace may not be deleted"), r.err());
            assertTrue(cluster.kubectl().run("get", "namespace", system).ok().out().contains("Active"));
        }
    }

    /** The names of every object, of every namespaced kind (each once, in its storage version), in {@code ns}. */
    private List<String> remaining(String ns) {
        List<String> names = new ArrayList<>();
        for (ResourceType type : ResourceTypes.stored()) {
            if (type.namespaced()) {
                for (HasMetadata o : cluster.api().list(type, ns, null, null, type.type()).items()) {
                    names.add(o.getMetadata().getName());
                }
            }
        }
        return names;
    }
}
