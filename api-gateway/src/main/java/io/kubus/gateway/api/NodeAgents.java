package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceTypes;
import io.micronaut.core.annotation.Nullable;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import io.kubus.client.tls.AnyServer;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.Identities;
import io.kubus.gateway.auth.GatewayPki;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The way from a pod to the node agent that runs it, as kube-apiserver goes to the kubelet: the pod's
 * {@code spec.nodeName}, that Node's InternalIP and {@code status.daemonEndpoints.kubeletEndpoint.Port}. Serves
 * {@code pods/{name}/log} by streaming the agent's {@code /containerLogs/...}, and opens the agent's
 * {@code /exec/...} WebSocket for the exec bridge ({@link PodExecWebSocket}) and its {@code /portForward/...}
 * WebSocket for port-forward ({@link PodPortForwardWebSocket}).
 */
@Singleton
public class NodeAgents {
    private final ObjectStore store;
    private final Clock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final io.micronaut.context.BeanProvider<GatewayPki> pki;
    private volatile HttpClient http;

    /**
     * Agents serve only over HTTPS and only to the gateway's kubelet-client certificate, which the cluster's CA
     * issues here. An agent's own serving certificate is self-signed (as a kubelet's is by default) and is not
     * checked, as kube-apiserver without --kubelet-certificate-authority does not check a kubelet's.
     */
    public NodeAgents(ObjectStore store, Clock clock, io.micronaut.context.BeanProvider<GatewayPki> pki) {
        this.store = store;
        this.clock = clock;
        this.pki = pki;
    }

    /** Made at the first call to an agent: contexts that only check the API's kinds have no PKI. */
    private HttpClient http() {
        HttpClient h = http;
        if (h == null) {
            synchronized (this) {
                if (http == null) {
                    CertificateAuthority.Issued client = pki.get().pki().client("apiserver-kubelet-client",
                            Identities.KUBELET_CLIENT.user(), Identities.KUBELET_CLIENT.groups());
                    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .sslContext(AnyServer.context(client)).connectTimeout(Duration.ofSeconds(10))
                            .executor(executor).build();
                }
                h = http;
            }
        }
        return h;
    }


    /**
     * A container of a pod, and the agent that serves it.
     *
     * @param agent the agent's base URI, {@code https://IP:PORT}
     */
    public record Target(String namespace, String pod, String container, URI agent) {
        String path(String endpoint) {
            return "/" + endpoint + "/" + encode(namespace) + "/" + encode(pod) + "/" + encode(container);
        }
    }

    /** Where a container of a pod is served; 400 for a pod on no node or a container it does not have. */
    public Target target(String namespace, String name, @Nullable String container) {
        ObjectNode pod = pod(namespace, name);
        String chosen = container(pod, name, container);
        return new Target(namespace, name, chosen, agentOf(pod, name));
    }

    /** The base URI of the agent that runs a pod; 400 for a pod on no node. */
    public URI agent(String namespace, String name) {
        return agentOf(pod(namespace, name), name);
    }

    private ObjectNode pod(String namespace, String name) {
        return store.get(ResourceTypes.PODS, namespace, name)
                .orElseThrow(() -> ApiException.notFound(ResourceTypes.PODS, name));
    }

    private URI agentOf(ObjectNode pod, String name) {
        String node = pod.path("spec").path("nodeName").asText("");
        if (node.isEmpty()) {
            throw ApiException.badRequest("pod " + name + " does not have a host assigned");
        }
        ObjectNode nodeObject = store.get(ResourceTypes.NODES, "", node)
                .orElseThrow(() -> ApiException.notFound(ResourceTypes.NODES, node));
        String address = address(nodeObject.path("status").path("addresses"));
        JsonNode endpoint = nodeObject.path("status").path("daemonEndpoints").path("kubeletEndpoint");
        int port = endpoint.path("Port").asInt(endpoint.path("port").asInt(0));
        if (address == null || port <= 0) {
            throw ApiException.serviceUnavailable("node " + node + " does not report where its agent listens "
                    + "(status.addresses, status.daemonEndpoints.kubeletEndpoint.Port)");
        }
        String host = address.contains(":") ? "[" + address + "]" : address;
        return URI.create("https://" + host + ":" + port);
    }

    /** kube-apiserver's pod.go: the named container (any kind), or the only one when none is named. */
    private static String container(ObjectNode pod, String name, @Nullable String container) {
        JsonNode spec = pod.path("spec");
        List<String> regular = names(spec.path("containers"));
        if (container == null || container.isEmpty()) {
            if (regular.size() == 1) {
                return regular.getFirst();
            }
            List<String> init = names(spec.path("initContainers"));
            throw ApiException.badRequest("a container name must be specified for pod " + name + ", choose one of: "
                    + brackets(regular) + (init.isEmpty() ? "" : " or one of the init containers: " + brackets(init)));
        }
        List<String> all = new ArrayList<>(regular);
        all.addAll(names(spec.path("initContainers")));
        all.addAll(names(spec.path("ephemeralContainers")));
        if (!all.contains(container)) {
            throw ApiException.badRequest("container " + container + " is not valid for pod " + name);
        }
        return container;
    }

    private static List<String> names(JsonNode containers) {
        List<String> names = new ArrayList<>();
        for (JsonNode c : containers) {
            names.add(c.path("name").asText());
        }
        return names;
    }

    private static String brackets(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }

    private static @Nullable String address(JsonNode addresses) {
        for (String type : List.of("InternalIP", "ExternalIP", "Hostname")) {
            for (JsonNode a : addresses) {
                if (type.equals(a.path("type").asText()) && !a.path("address").asText("").isEmpty()) {
                    return a.path("address").asText();
                }
            }
        }
        return null;
    }

    // ---- logs ----

    /** {@code GET pods/{name}/log}: the agent's answer, streamed through as text. */
    public ApiResponse logs(ApiPath path, Query query) {
        Target target = target(path.storeNamespace(), path.name(), query.get("container"));
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        if (query.isTrue("follow")) {
            q.add("follow=true");
        }
        if (query.isTrue("previous")) {
            q.add("previous=true");
        }
        if (query.isTrue("timestamps")) {
            q.add("timestamps=true");
        }
        Long tail = query.nonNegativeLong("tailLines");
        if (tail != null) {
            q.add("tailLines=" + tail);
        }
        Long since = sinceSeconds(query);
        if (since != null) {
            q.add("sinceSeconds=" + since);
        }
        Long limitBytes = query.nonNegativeLong("limitBytes");
        if (limitBytes != null && limitBytes == 0) {
            throw ApiException.badRequest("limitBytes: Invalid value: 0: must be greater than 0");
        }
        HttpRequest request = HttpRequest.newBuilder(target.agent().resolve(target.path("containerLogs") + q)).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.serviceUnavailable("interrupted");
        }
        if (response.statusCode() != 200) {
            throw agentError(response);
        }
        InputStream in = response.body();
        Flux<byte[]> body = Flux.<byte[], InputStream>using(() -> in, NodeAgents::chunks, NodeAgents::closeQuietly)
                .subscribeOn(reactor.core.scheduler.Schedulers.fromExecutorService(executor));
        if (limitBytes != null) {
            body = limit(body, limitBytes);
        }
        // The headers go out at once, so that a follower waiting for the first line knows it is connected.
        return ApiResponse.stream("text/plain", new StreamingBody(Flux.concat(Flux.just(new byte[0]), body)));
    }

    private @Nullable Long sinceSeconds(Query query) {
        Long seconds = query.nonNegativeLong("sinceSeconds");
        String time = query.get("sinceTime");
        if (seconds != null && time != null && !time.isEmpty()) {
            throw ApiException.badRequest("at most one of `sinceTime` or `sinceSeconds` may be specified");
        }
        if (seconds != null) {
            if (seconds == 0) {
                throw ApiException.badRequest("sinceSeconds: Invalid value: 0: must be greater than 0");
            }
            return seconds;
        }
        if (time == null || time.isEmpty()) {
            return null;
        }
        try {
            long ago = Duration.between(Instant.parse(time), clock.instant()).toMillis();
            return Math.max(1, (ago + 999) / 1000);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("sinceTime: Invalid value: \"" + time + "\": must be an RFC 3339 time");
        }
    }

    private static Flux<byte[]> chunks(InputStream in) {
        return Flux.generate(sink -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    sink.complete();
                } else {
                    sink.next(n == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, n));
                }
            } catch (IOException e) {
                sink.complete(); // the agent went away, or the client did and the stream was closed
            }
        });
    }

    private static Flux<byte[]> limit(Flux<byte[]> body, long limit) {
        long[] left = {limit};
        return body.takeWhile(b -> left[0] > 0).map(b -> {
            int n = (int) Math.min(b.length, left[0]);
            left[0] -= n;
            return n == b.length ? b : java.util.Arrays.copyOf(b, n);
        });
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // gone already
        }
    }

    private static ApiException agentError(HttpResponse<InputStream> response) {
        String text;
        try (InputStream in = response.body()) {
            text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = "";
        }
        try {
            JsonNode status = KubusJson.json().readTree(text);
            if (status != null && "Status".equals(status.path("kind").asText())) {
                return ApiException.of(response.statusCode(), status.path("reason").asText(null),
                        status.path("message").asText(), null);
            }
        } catch (IOException | RuntimeException e) {
            // not a Status: the text is the message
        }
        return ApiException.of(response.statusCode(), null, text.strip(), null);
    }

    private static ApiException unreachable(Target target, Exception e) {
        return ApiException.serviceUnavailable("the node agent of pod " + target.pod() + " at " + target.agent()
                + " cannot be reached: " + e.getMessage());
    }

    // ---- exec ----

    /** Opens the agent's exec WebSocket for a container, with kubectl's exec parameters passed on. */
    public CompletableFuture<WebSocket> exec(Target target, Map<String, List<String>> params, WebSocket.Listener listener) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        for (String v : params.getOrDefault("command", List.of())) {
            q.add("command=" + encode(v));
        }
        for (String name : List.of("stdin", "stdout", "stderr", "tty")) {
            // Read here as kube-apiserver reads them (Query#isTrue: stdout=True is true), and passed on plainly.
            List<String> v = params.getOrDefault(name, List.of());
            if (!v.isEmpty()) {
                q.add(name + "=" + Query.isTrueValue(v.getFirst()));
            }
        }
        URI uri = URI.create("wss://" + target.agent().getRawAuthority() + target.path("exec") + q);
        return http().newWebSocketBuilder().subprotocols(PodExecWebSocket.PROTOCOL).connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, listener);
    }

    // ---- port-forward ----

    /** Opens the agent's port-forward WebSocket for a pod, in the SPDY tunnel protocol kubectl speaks. */
    public CompletableFuture<WebSocket> portForward(URI agent, String namespace, String name,
                                                    WebSocket.Listener listener) {
        URI uri = URI.create("wss://" + agent.getRawAuthority() + "/portForward/" + encode(namespace) + "/"
                + encode(name));
        return http().newWebSocketBuilder().subprotocols(PodPortForwardWebSocket.AGENT_PROTOCOL)
                .connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, listener);
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @PreDestroy
    void close() {
        if (http != null) {
            http.close();
        }
        executor.shutdownNow();
    }
}
