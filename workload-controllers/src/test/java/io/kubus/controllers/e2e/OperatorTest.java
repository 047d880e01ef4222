package io.kubus.controllers.e2e;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import io.kubus.controllers.testing.SimulatedCluster;
import io.kubus.gateway.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator as operators are written — against the fabric8 client, with its own CustomResourceDefinition, an
 * informer and a reconcile that makes a Deployment per custom object and writes the object's status — run unchanged
 * against a Kubus cluster (gateway, scheduler, controllers, simulated nodes), as a named identity with only the
 * rights its ClusterRole grants. Deleting a custom object lets the garbage collector take its Deployment.
 */
class OperatorTest {
    @RegisterExtension
    static final SimulatedCluster cluster = new SimulatedCluster("op-node", 2);

    private static final String NS = "shop";

    @Group("ops.example.com")
    @Version("v1")
    public static class WebApp extends CustomResource<WebAppSpec, WebAppStatus> implements Namespaced {
    }

    public static class WebAppSpec {
        public String image;
        public int replicas;
    }

    public static class WebAppStatus {
        public int readyReplicas;
        public String deployment;
    }

    @Test
    void aFabric8OperatorRunsUnchanged() throws Exception {
        String server = cluster.fixture().gateway().baseUrl();
        try (KubernetesClient admin = new KubernetesClientBuilder().withConfig(TestPki.fabric8Admin(server).build()).build()) {
            // the install manifest: the definition, the operator's rights, its namespace
            CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions()
                    .load(OperatorTest.class.getResourceAsStream("/crd/webapps-crd.yaml")).item();
            admin.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            admin.apiextensions().v1().customResourceDefinitions().withName("webapps.ops.example.com")
                    .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                            && c.getStatus().getConditions().stream().anyMatch(x -> x.getType().equals("Established")
                            && x.getStatus().equals("True")), 30, TimeUnit.SECONDS);
            admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("webapp-operator")
                    .endMetadata()
                    .addToRules(new PolicyRuleBuilder().withApiGroups("ops.example.com").withResources("webapps")
                            .withVerbs("get", "list", "watch").build())
                    .addToRules(new PolicyRuleBuilder().withApiGroups("ops.example.com").withResources("webapps/status")
                            .withVerbs("update", "patch").build())
                    .addToRules(new PolicyRuleBuilder().withApiGroups("apps").withResources("deployments")
                            .withVerbs("get", "list", "watch", "create", "update").build())
                    .build()).create();
            admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                    .withName("webapp-operator").endMetadata().withNewRoleRef("rbac.authorization.k8s.io",
                            "ClusterRole", "webapp-operator").addNewSubject().withKind("User").withName("webapp-operator")
                    .endSubject().build()).create();
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();

            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(
                    TestPki.fabric8(server, TestPki.identity("webapp-operator")).build()).build();
                 Operator operator = new Operator(client)) {
                WebApp app = new WebApp();
                app.getMetadata().setName("storefront");
                app.getMetadata().setNamespace(NS);
                app.setSpec(new WebAppSpec());
                app.getSpec().image = "kubus/busybox:1";
                app.getSpec().replicas = 2;
                admin.resources(WebApp.class).inNamespace(NS).resource(app).create();

                WebApp ready = admin.resources(WebApp.class).inNamespace(NS).withName("storefront")
                        .waitUntilCondition(w -> w.getStatus() != null && w.getStatus().readyReplicas == 2, 90, TimeUnit.SECONDS);
                assertEquals("storefront-web", ready.getStatus().deployment);
                Deployment d = admin.apps().deployments().inNamespace(NS).withName("storefront-web").get();
                assertNotNull(d);
                assertEquals("WebApp", d.getMetadata().getOwnerReferences().getFirst().getKind());
                assertEquals(2, d.getStatus().getReadyReplicas());
                // each writer's fields under its own name, as on Kubernetes: the operator's create (fabric8's
                // User-Agent), the Deployment controller's revision annotation and its status (through /status)
                assertEquals(java.util.Set.of("fabric8-kubernetes-client/Update/", "kube-controller-manager/Update/",
                                "kube-controller-manager/Update/status"),
                        d.getMetadata().getManagedFields().stream().map(m -> m.getManager() + "/" + m.getOperation() + "/"
                                + (m.getSubresource() == null ? "" : m.getSubresource())).collect(java.util.stream.Collectors.toSet()));

                // the operator follows a change of the spec
                admin.resources(WebApp.class).inNamespace(NS).withName("storefront")
                        .edit(w -> {
                            w.getSpec().replicas = 3;
                            return w;
                        });
                admin.resources(WebApp.class).inNamespace(NS).withName("storefront")
                        .waitUntilCondition(w -> w.getStatus() != null && w.getStatus().readyReplicas == 3, 90, TimeUnit.SECONDS);
                assertTrue(operator.reconciles.size() >= 2, "reconciled on each change: " + operator.reconciles);
            }

            // the custom object goes, and the garbage collector takes its Deployment
            admin.resources(WebApp.class).inNamespace(NS).withName("storefront").delete();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (admin.apps().deployments().inNamespace(NS).withName("storefront-web").get() != null) {
                assertTrue(System.nanoTime() < deadline, "the Deployment of a deleted WebApp was not collected");
                Thread.sleep(200);
            }
        }
    }

    /**
     * The operator: an informer of WebApps and one of Deployments, and a reconcile of one WebApp that makes its
     * Deployment (owned by it) as the spec says and reports the Deployment's ready replicas in its status.
     */
    static final class Operator implements AutoCloseable {
        private final KubernetesClient client;
        private final SharedIndexInformer<WebApp> apps;
        private final SharedIndexInformer<Deployment> deployments;
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final BlockingQueue<String> reconciles = new LinkedBlockingQueue<>();
        private final Thread worker;

        Operator(KubernetesClient client) {
            this.client = client;
            this.apps = client.resources(WebApp.class).inAnyNamespace().inform(handler(a -> key(a.getMetadata())));
            this.deployments = client.apps().deployments().inAnyNamespace().inform(handler(d ->
                    d.getMetadata().getOwnerReferences().stream().filter(r -> r.getKind().equals("WebApp")).findFirst()
                            .map(r -> d.getMetadata().getNamespace() + "/" + r.getName()).orElse(null)));
            this.worker = Thread.ofPlatform().daemon().name("webapp-operator").start(this::work);
        }

        private static String key(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
            return meta.getNamespace() + "/" + meta.getName();
        }

        private <T> ResourceEventHandler<T> handler(java.util.function.Function<T, String> keyOf) {
            return new ResourceEventHandler<>() {
                @Override
                public void onAdd(T obj) {
                    enqueue(keyOf.apply(obj));
                }

                @Override
                public void onUpdate(T oldObj, T newObj) {
                    enqueue(keyOf.apply(newObj));
                }

                @Override
                public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                    enqueue(keyOf.apply(obj));
                }
            };
        }

        private void enqueue(String key) {
            if (key != null) {
                queue.add(key);
            }
        }

        private void work() {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    reconcile(queue.take());
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a conflict or a lost race: the next event brings the key back
                }
            }
        }

        private void reconcile(String key) {
            WebApp app = apps.getStore().getByKey(key);
            if (app == null || app.getMetadata().getDeletionTimestamp() != null) {
                return;
            }
            reconciles.add(key);
            String ns = app.getMetadata().getNamespace();
            String name = app.getMetadata().getName() + "-web";
            Map<String, String> labels = Map.of("app", app.getMetadata().getName());
            Deployment existing = deployments.getStore().getByKey(ns + "/" + name);
            if (existing == null) {
                client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                        .withNewMetadata().withName(name).withNamespace(ns).withOwnerReferences(new OwnerReferenceBuilder()
                                .withApiVersion("ops.example.com/v1").withKind("WebApp").withName(app.getMetadata().getName())
                                .withUid(app.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
                        .endMetadata()
                        .withNewSpec().withReplicas(app.getSpec().replicas).withNewSelector().withMatchLabels(labels).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withNewSpec()
                        .addNewContainer().withName("web").withImage(app.getSpec().image).endContainer()
                        .endSpec().endTemplate().endSpec().build()).create();
                return;
            }
            if (existing.getSpec().getReplicas() != app.getSpec().replicas) {
                existing.getSpec().setReplicas(app.getSpec().replicas);
                client.apps().deployments().inNamespace(ns).resource(existing).update();
                return;
            }
            int ready = existing.getStatus() == null || existing.getStatus().getReadyReplicas() == null ? 0
                    : existing.getStatus().getReadyReplicas();
            if (app.getStatus() == null || app.getStatus().readyReplicas != ready || !name.equals(app.getStatus().deployment)) {
                WebAppStatus status = new WebAppStatus();
                status.readyReplicas = ready;
                status.deployment = name;
                app.setStatus(status);
                client.resources(WebApp.class).inNamespace(ns).resource(app).updateStatus();
            }
        }

        @Override
        public void close() {
            worker.interrupt();
            apps.close();
            deployments.close();
        }
    }
}
