package io.kubus.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import io.kubus.agent.runtime.ContainerRuntime;
import io.micronaut.core.annotation.Nullable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one handler of a probe or a lifecycle hook against a container, as the kubelet's prober does
 * (pkg/kubelet/prober/prober.go, pkg/probe/{exec,http,tcp}): exec in the container (exit 0 passes), an HTTP GET from
 * the node to the pod's IP (200-399 passes, redirects followed), a TCP connect to the pod's IP. Every handler is
 * bounded by its timeout; the message is what a user sees in {@code Liveness probe failed: <message>}.
 */
public final class Prober {
    /** At most this much of an exec's or an HTTP body's output is kept as the message (the kubelet keeps 10 KiB). */
    private static final int MAX_OUTPUT = 10 * 1024;

    private final ContainerRuntime runtime;
    private volatile HttpClient http;

    public Prober(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    /** Built on first use: a node without httpGet probes needs no HTTP client (and its selector thread). */
    private HttpClient http() {
        HttpClient h = http;
        if (h == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NORMAL).build();
                }
                h = http;
            }
        }
        return h;
    }

    /**
     * The handler of a probe or hook, one of exec, httpGet or tcpSocket.
     *
     * @param exec      the command to run in the container, or null
     * @param httpGet   the request to make, or null
     * @param tcpSocket the port to connect to, or null
     */
    public record Handler(@Nullable ExecAction exec, @Nullable HTTPGetAction httpGet, @Nullable TCPSocketAction tcpSocket) {
    }

    /** Runs a handler once against a container within {@code timeout}. */
    public ProbeResult run(Handler h, Container container, String containerId, @Nullable String podIp, Duration timeout) {
        try {
            if (h.exec() != null) {
                return exec(containerId, Objects.requireNonNullElse(h.exec().getCommand(), List.of()), timeout);
            }
            if (h.httpGet() != null) {
                return httpGet(h.httpGet(), container, podIp, timeout);
            }
            if (h.tcpSocket() != null) {
                return tcp(h.tcpSocket(), container, podIp, timeout);
            }
            return ProbeResult.failure("missing probe handler");
        } catch (RuntimeException e) {
            return ProbeResult.failure(String.valueOf(e.getMessage()));
        }
    }

    private ProbeResult exec(String containerId, List<String> command, Duration timeout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FutureTask<Integer> task = new FutureTask<>(() -> runtime.exec(containerId, command, null, out, out));
        Thread.ofVirtual().name("probe-exec-" + containerId).start(task);
        try {
            int code = task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String output = output(out);
            return code == 0 ? ProbeResult.success(output) : ProbeResult.failure(output);
        } catch (TimeoutException e) {
            task.cancel(true);
            return ProbeResult.failure("command \"" + String.join(" ", command) + "\" timed out");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return ProbeResult.failure(cause instanceof IOException ? String.valueOf(cause.getMessage()) : cause.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            return ProbeResult.failure("interrupted");
        }
    }

    private ProbeResult httpGet(HTTPGetAction a, Container c, @Nullable String podIp, Duration timeout) {
        String host = a.getHost() != null && !a.getHost().isEmpty() ? a.getHost() : podIp;
        if (host == null || host.isEmpty()) {
            return ProbeResult.failure("pod has no IP yet");
        }
        int port = port(a.getPort(), c);
        String scheme = Objects.requireNonNullElse(a.getScheme(), "HTTP").toLowerCase();
        String path = Objects.requireNonNullElse(a.getPath(), "/");
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        String url = scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path;
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET()
                    .header("User-Agent", "kube-probe/1.34").header("Accept", "*/*");
        } catch (IllegalArgumentException e) {
            return ProbeResult.failure("invalid probe URL " + url + ": " + e.getMessage());
        }
        for (HTTPHeader header : Objects.requireNonNullElse(a.getHttpHeaders(), List.<HTTPHeader>of())) {
            try {
                req.setHeader(header.getName(), header.getValue());
            } catch (IllegalArgumentException e) {
                // a header the JDK does not let a client set (Host, Connection): skipped
            }
        }
        try {
            HttpResponse<byte[]> res = http().send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            int code = res.statusCode();
            if (code >= 200 && code < 400) {
                return ProbeResult.success(truncate(new String(res.body(), StandardCharsets.UTF_8)));
            }
            return ProbeResult.failure("HTTP probe failed with statuscode: " + code);
        } catch (IOException e) {
            return ProbeResult.failure("Get \"" + url + "\": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failure("Get \"" + url + "\": interrupted");
        }
    }

    private static ProbeResult tcp(TCPSocketAction a, Container c, @Nullable String podIp, Duration timeout) {
        String host = a.getHost() != null && !a.getHost().isEmpty() ? a.getHost() : podIp;
        if (host == null || host.isEmpty()) {
            return ProbeResult.failure("pod has no IP yet");
        }
        int port = port(a.getPort(), c);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return ProbeResult.success("");
        } catch (IOException e) {
            return ProbeResult.failure("dial tcp " + host + ":" + port + ": " + describe(e));
        }
    }

    /** A port by number, or by the name of one of the container's ports. */
    static int port(@Nullable IntOrString port, Container c) {
        if (port == null) {
            throw new IllegalArgumentException("probe has no port");
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        String name = port.getStrVal();
        for (ContainerPort p : Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of())) {
            if (name.equals(p.getName())) {
                return p.getContainerPort();
            }
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("couldn't find port: " + name + " in " + c.getName());
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "connect: connection refused";
        }
        if (e instanceof java.net.http.HttpTimeoutException || e instanceof java.net.SocketTimeoutException) {
            return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static String output(ByteArrayOutputStream out) {
        return truncate(out.toString(StandardCharsets.UTF_8));
    }

    private static String truncate(String s) {
        return s.length() > MAX_OUTPUT ? s.substring(0, MAX_OUTPUT) : s;
    }
}
