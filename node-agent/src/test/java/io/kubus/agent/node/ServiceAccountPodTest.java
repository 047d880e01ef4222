package io.kubus.agent.node;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.kubus.agent.runtime.ContainerInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A program in a pod on the real Docker engine calls the API as client-go's in-cluster config does: with the token,
 * CA and namespace the node agent wrote at /var/run/secrets/kubernetes.io/serviceaccount, as its ServiceAccount,
 * whose Role lets it list pods and nothing else. Until Services exist, the pod is told the API's address in
 * KUBERNETES_SERVICE_HOST/PORT (the host, from the Docker network the pod is on); the certificate is checked for
 * kubernetes.default.svc.
 */
class ServiceAccountPodTest {
    @RegisterExtension
    static final DockerNode cluster = new DockerNode("sa-node", Map.of());

    @Test
    void aPodListsPodsWithItsServiceAccountTokenAndCa() throws Exception {
        String client = Base64.getEncoder().encodeToString(compiledClient());
        String host = DockerNode.bridgeGateway();
        int port = URI.create(cluster.gateway().baseUrl()).getPort();
        cluster.apply("sa-client", """
                apiVersion: v1
                kind: Namespace
                metadata: {name: sa-pods}
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: lister, namespace: sa-pods}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: pod-lister, namespace: sa-pods}
                rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: lister, namespace: sa-pods}
                subjects: [{kind: ServiceAccount, name: lister}]
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-lister}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: sa-client, namespace: sa-pods}
                binaryData: {Client.class: %s}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: sa-client, namespace: sa-pods}
                spec:
                  nodeName: %s
                  serviceAccountName: lister
                  containers:
                  - name: client
                    image: kubus/jre:25
                    command: [/opt/java/bin/java, -cp, /client, Client]
                    env:
                    - {name: KUBERNETES_SERVICE_HOST, value: "%s"}
                    - {name: KUBERNETES_SERVICE_PORT, value: "%d"}
                    volumeMounts: [{name: client, mountPath: /client}]
                  volumes: [{name: client, configMap: {name: sa-client}}]
                """.formatted(client, cluster.node(), host, port));
        Pod pod = PodWaits.await(cluster.api(), "sa-pods", "sa-client", p -> p.getStatus() != null
                && p.getStatus().getContainerStatuses() != null && !p.getStatus().getContainerStatuses().isEmpty()
                && p.getStatus().getContainerStatuses().stream().allMatch(ContainerStatus::getReady), 120);
        assertTrue(pod.getSpec().getVolumes().stream().anyMatch(v -> v.getName().startsWith("kube-api-access-")),
                "the ServiceAccount admission added the projected volume");
        ContainerInfo container = cluster.container(pod, "client");
        String result = "";
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!result.startsWith("pods:") && System.nanoTime() < deadline) {
            Thread.sleep(500);
            result = cluster.exec(container, "cat", "/tmp/result");
        }
        assertEquals("""
                pods: HTTP/1.1 200 OK (sa-client listed)
                secrets: HTTP/1.1 403 Forbidden
                """, result);
        String token = cluster.exec(container, "cat", "/var/run/secrets/kubernetes.io/serviceaccount/token");
        assertEquals(3, token.split("\\.").length, "a JWT");
        assertEquals("sa-pods", cluster.exec(container, "cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"));
        assertTrue(cluster.exec(container, "cat", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
                .startsWith("-----BEGIN CERTIFICATE-----"));
    }

    /** Client.java, compiled here: the pod's JRE has no compiler. */
    private static byte[] compiledClient() throws Exception {
        Path out = Files.createTempDirectory("sa-client");
        Path source = out.resolve("Client.java");
        try (var in = ServiceAccountPodTest.class.getResourceAsStream("/sa-client/Client.java")) {
            Files.write(source, in.readAllBytes());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-d", out.toString(), source.toString());
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        return Files.readAllBytes(out.resolve("Client.class"));
    }
}
