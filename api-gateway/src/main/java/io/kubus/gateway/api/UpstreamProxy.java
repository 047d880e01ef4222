package io.kubus.gateway.api;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * What the {@code proxy} subresources of pods and Services share: the request sent on to an address of the pod
 * network, as kube-apiserver's proxy handler dials the pod IP itself (not through the kubelet), and the answer
 * streamed back with its status and content type. An address that does not answer is kube-apiserver's 503
 * {@code error trying to reach service}.
 *
 * <p>Unlike kube-apiserver, links in proxied HTML are not rewritten and only the content type of the answer's
 * headers is passed on; the request carries its method, body and content type (other request headers stay here).
 */
@Singleton
public class UpstreamProxy implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();

    /**
     * Sends {@code request} to {@code scheme://host:port} plus the request's proxy path and query; {@code port} null
     * for the scheme's own. Only http: Kubus holds no client certificate a pod would trust.
     */
    public ApiResponse forward(ApiRequest request, String scheme, String host, Integer port) {
        if (!scheme.isEmpty() && !scheme.equals("http")) {
            throw ApiException.badRequest("the scheme \"" + scheme + "\" is not proxied: only http");
        }
        if (!METHODS.contains(request.method())) {
            throw ApiException.methodNotAllowed("the server does not allow this method on proxy");
        }
        // kube's IsProxyableIP: an address the gateway itself answers on is never a pod's (a node may write any
        // podIP into its pods' status, a user any address into Endpoints)
        java.net.InetAddress ip;
        try {
            ip = java.net.InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("address not allowed");
        }
        if (ip.isLoopbackAddress() || ip.isLinkLocalAddress() || ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
            throw ApiException.badRequest("address not allowed");
        }
        String address = host.contains(":") ? "[" + host + "]" : host;
        String path = request.path().proxyPath() == null || request.path().proxyPath().isEmpty()
                ? "/" : request.path().proxyPath();
        URI uri = URI.create("http://" + address + (port == null ? "" : ":" + port) + path + query(request.query()));
        byte[] body = request.body() == null ? new byte[0] : request.body();
        HttpRequest.Builder upstream = HttpRequest.newBuilder(uri)
                .method(request.method(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (request.contentType() != null && body.length > 0) {
            upstream.header("Content-Type", request.contentType());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(upstream.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            String why = e instanceof ConnectException ? "connect: connection refused"
                    : e instanceof HttpConnectTimeoutException ? "i/o timeout" : String.valueOf(e.getMessage());
            throw ApiException.serviceUnavailable("error trying to reach service: dial tcp " + address + ":"
                    + (port == null ? 80 : port) + ": " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.serviceUnavailable("interrupted");
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
        return new ApiResponse(response.statusCode(), contentType, null, null, response.body(), List.of());
    }

    /** The request's query as it came, for the pod; kube-apiserver passes it on whole. */
    private static String query(Query query) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        for (Map.Entry<String, List<String>> e : query.values().entrySet()) {
            for (String v : e.getValue()) {
                q.add(encode(e.getKey()) + "=" + encode(v));
            }
        }
        return q.toString();
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * {@code [scheme:]name[:port]}, as kube's net.SplitSchemeNamePort reads a proxy's object name; a name that is
     * not of that form is kube's 400.
     */
    public record Target(String scheme, String name, String port) {
        public static Target parse(String id) {
            String[] parts = id.split(":", -1);
            Target t = switch (parts.length) {
                case 1 -> new Target("", parts[0], "");
                case 2 -> new Target("", parts[0], parts[1]);
                case 3 -> new Target(parts[0], parts[1], parts[2]);
                default -> null;
            };
            if (t == null || t.name.isEmpty() || !t.scheme.isEmpty() && !t.scheme.equals("http") && !t.scheme.equals("https")) {
                throw ApiException.badRequest("invalid request " + id);
            }
            return t;
        }
    }

    @PreDestroy
    @Override
    public void close() {
        http.close();
    }
}
