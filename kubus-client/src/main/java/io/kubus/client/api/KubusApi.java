package io.kubus.client.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.tls.Subjects;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * A typed REST client for the api-gateway, on the Kubernetes API paths ({@code /api/v1/namespaces/ns/pods/name},
 * {@code /apis/apps/v1/...}), over one {@link HttpClient} (HTTP/1.1, keep-alive connections, connect and request
 * timeouts), over TLS as the {@link ClientConfig} says, as the identity it names. Objects are the fabric8 model types, read and written as JSON by {@link KubusJson}.
 * When the configuration's client certificate is replaced (rotated), the client drops its connections and TLS
 * sessions and connects anew with the new one, as client-go closes its connections when the kubelet's certificate
 * rotates: no request goes out on a connection authenticated with the certificate before.
 *
 * <p>A refused request throws {@link KubusApiException} carrying the HTTP code and the parsed {@code Status};
 * a transport failure throws {@link UncheckedIOException}. Thread-safe; share one per process and gateway.
 */
public final class KubusApi implements AutoCloseable {
    private static final String JSON = "application/json";
    private static final int RETRIES_ON_CONFLICT = 5;

    private final String baseUrl;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final ClientConfig config;
    private final Runnable reconnect = this::reconnect;
    private volatile HttpClient http;
    private final Supplier<Optional<String>> bearerToken;
    private final ObjectMapper json = KubusJson.json();
    private final String userAgent;

    /** The Kubernetes version whose API Kubus serves, as components put it in their User-Agent. */
    private static final String KUBERNETES_VERSION = "v1.32.0";
    /** What a client that names no component sends. */
    public static final String DEFAULT_USER_AGENT = "kubus-client/" + KUBERNETES_VERSION;

    /** The User-Agent of one of Kubus's components, as kube's are written: {@code <component>/v1.32.0 (kubus)}. */
    public static String userAgent(String component) {
        return component + "/" + KUBERNETES_VERSION + " (kubus)";
    }

    /** A client with a 5 s connect timeout and a 30 s request timeout. */
    public KubusApi(ClientConfig config) {
        this(config, DEFAULT_USER_AGENT);
    }

    /**
     * A client whose requests say who sends them: {@code userAgent} as kube's components send theirs
     * ({@code kube-controller-manager/v1.32.0 (kubus)}), whose first word the gateway records as the field manager of
     * their writes.
     */
    public KubusApi(ClientConfig config, String userAgent) {
        this(config, Duration.ofSeconds(5), Duration.ofSeconds(30), userAgent);
    }

    public KubusApi(ClientConfig config, Duration connectTimeout, Duration requestTimeout) {
        this(config, connectTimeout, requestTimeout, DEFAULT_USER_AGENT);
    }

    public KubusApi(ClientConfig config, Duration connectTimeout, Duration requestTimeout, String userAgent) {
        this.userAgent = userAgent;
        String server = config.server();
        this.baseUrl = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
        this.requestTimeout = requestTimeout;
        this.connectTimeout = connectTimeout;
        this.config = config;
        this.bearerToken = config.bearerToken();
        this.http = http(config.ssl());
        config.certificate().ifPresent(c -> c.onReplaced(reconnect));
    }

    private HttpClient http(SSLContext ssl) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(ssl)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** New requests go out on new connections with the current certificate; those under way finish on the old ones. */
    private void reconnect() {
        HttpClient old = http;
        http = http(config.newSsl());
        old.shutdown();
    }

    public String baseUrl() {
        return baseUrl;
    }

    // ---- verbs ----

    /** POST: creates the object in its {@code metadata.namespace} ({@code default} when unset for a namespaced kind). */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T create(ResourceType type, T object) {
        String ns = namespaceOf(type, object);
        return send("POST", collectionPath(type, ns), JSON, write(object), (Class<T>) object.getClass());
    }

    /** GET one object; empty when it does not exist (404). */
    public <T extends HasMetadata> Optional<T> get(ResourceType type, String namespace, String name, Class<T> cls) {
        try {
            return Optional.of(send("GET", objectPath(type, namespace, name), null, null, cls));
        } catch (KubusApiException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * GET a collection: all namespaces when {@code namespaceOrNull} is null, optionally narrowed by a label and a
     * field selector (null or empty for none). The answer carries the resourceVersion the list is consistent at.
     */
    public <T extends HasMetadata> ObjectList<T> list(ResourceType type, String namespaceOrNull, String labelSelector,
                                                      String fieldSelector, Class<T> cls) {
        return listPage(type, namespaceOrNull, labelSelector, fieldSelector, 0, null, cls);
    }

    /**
     * GET one page of a collection: at most {@code limit} objects (0: all), from where {@code continueToken} (null:
     * the start) says. Every page of one list shows the first page's resourceVersion; the last page has no continue
     * token. A token too old to continue consistently is a {@link KubusApiException} with {@code isExpired()}.
     */
    public <T extends HasMetadata> ObjectList<T> listPage(ResourceType type, String namespaceOrNull,
                                                          String labelSelector, String fieldSelector, long limit,
                                                          String continueToken, Class<T> cls) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        if (labelSelector != null && !labelSelector.isEmpty()) {
            query.add("labelSelector=" + encode(labelSelector));
        }
        if (fieldSelector != null && !fieldSelector.isEmpty()) {
            query.add("fieldSelector=" + encode(fieldSelector));
        }
        if (limit > 0) {
            query.add("limit=" + limit);
        }
        if (continueToken != null && !continueToken.isEmpty()) {
            query.add("continue=" + encode(continueToken));
        }
        JsonNode list = send("GET", collectionPath(type, namespaceOrNull) + query, null, null, JsonNode.class);
        List<T> items = new ArrayList<>();
        for (JsonNode item : list.path("items")) {
            items.add(convert(item, cls));
        }
        JsonNode meta = list.path("metadata");
        String next = meta.path("continue").asText("");
        return new ObjectList<>(items, meta.path("resourceVersion").asText(""), next.isEmpty() ? null : next,
                meta.hasNonNull("remainingItemCount") ? meta.path("remainingItemCount").asLong() : null);
    }

    /** PUT the whole object; its {@code metadata.resourceVersion}, when set, must be current or the answer is 409. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T update(ResourceType type, T object) {
        return send("PUT", objectPath(type, namespaceOf(type, object), object.getMetadata().getName()), JSON,
                write(object), (Class<T>) object.getClass());
    }

    /** PUT the status subresource: only the object's status changes. */
    public <T extends HasMetadata> T updateStatus(ResourceType type, T object) {
        return updateSubresource(type, object, "status");
    }

    /**
     * PUT a subresource that takes the whole object and keeps only its own part of it: {@code status}, or a
     * CertificateSigningRequest's {@code approval} (its conditions).
     */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T updateSubresource(ResourceType type, T object, String subresource) {
        return send("PUT", objectPath(type, namespaceOf(type, object), object.getMetadata().getName()) + "/"
                + subresource, JSON, write(object), (Class<T>) object.getClass());
    }

    /**
     * {@code POST subjectaccessreviews}: whether the user (name, uid, groups, extra, as a request's authentication
     * found them) may {@code verb} the {@code resource}'s {@code subresource} in {@code group}, cluster-wide.
     */
    public boolean subjectAccessReview(String user, String uid, List<String> groups, Map<String, List<String>> extra,
                                       String verb, String group, String resource, String subresource) {
        ObjectNode attributes = json.createObjectNode();
        attributes.put("verb", verb);
        attributes.put("group", group);
        attributes.put("version", "*");
        attributes.put("resource", resource);
        attributes.put("subresource", subresource);
        return subjectAccessReview(user, uid, groups, extra, "resourceAttributes", attributes);
    }

    /** As a resource's review, for a path that is no resource ({@code /metrics}): what components' ports ask. */
    public boolean subjectAccessReview(String user, String uid, List<String> groups, Map<String, List<String>> extra,
                                       String verb, String path) {
        ObjectNode attributes = json.createObjectNode();
        attributes.put("verb", verb);
        attributes.put("path", path);
        return subjectAccessReview(user, uid, groups, extra, "nonResourceAttributes", attributes);
    }

    private boolean subjectAccessReview(String user, String uid, List<String> groups, Map<String, List<String>> extra,
                                        String attributesField, ObjectNode attributes) {
        var review = json.createObjectNode();
        review.put("apiVersion", "authorization.k8s.io/v1");
        review.put("kind", "SubjectAccessReview");
        var spec = review.putObject("spec");
        spec.put("user", user);
        if (uid != null && !uid.isEmpty()) {
            spec.put("uid", uid);
        }
        var groupList = spec.putArray("groups");
        groups.forEach(groupList::add);
        var extras = spec.putObject("extra");
        extra.forEach((k, v) -> {
            var values = extras.putArray(k);
            v.forEach(values::add);
        });
        spec.set(attributesField, attributes);
        JsonNode answer = send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", JSON, write(review),
                JsonNode.class);
        return answer.path("status").path("allowed").asBoolean(false);
    }

    /** What a token authenticates as ({@code POST tokenreviews}): the user and groups, or empty when it does not. */
    public Optional<Subjects.Subject> tokenReview(String token) {
        var review = json.createObjectNode();
        review.put("apiVersion", "authentication.k8s.io/v1");
        review.put("kind", "TokenReview");
        review.putObject("spec").put("token", token);
        JsonNode status = send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", JSON, write(review),
                JsonNode.class).path("status");
        if (!status.path("authenticated").asBoolean(false)) {
            return Optional.empty();
        }
        List<String> groups = new ArrayList<>();
        status.path("user").path("groups").forEach(g -> groups.add(g.asText()));
        return Optional.of(new Subjects.Subject(status.path("user").path("username").asText(), groups));
    }

    /** PATCH with a patch given as JSON (an object for MERGE and STRATEGIC, an array of operations for JSON). */
    public <T extends HasMetadata> T patch(ResourceType type, String namespace, String name, PatchKind kind,
                                           JsonNode patch, boolean statusSubresource, Class<T> cls) {
        return patch(type, namespace, name, kind, write(patch), statusSubresource, cls);
    }

    /** PATCH with a patch given as JSON text. */
    public <T extends HasMetadata> T patch(ResourceType type, String namespace, String name, PatchKind kind,
                                           String patch, boolean statusSubresource, Class<T> cls) {
        String path = objectPath(type, namespace, name) + (statusSubresource ? "/status" : "");
        return send("PATCH", path, kind.contentType(), patch, cls);
    }

    /**
     * DELETE one object; throws {@link KubusApiException} (404) when it does not exist. {@code gracePeriodSeconds}
     * and {@code propagationPolicy} ({@code Orphan}, {@code Background}, {@code Foreground}) may be null for the
     * kind's defaults. An object with finalizers or a pod on a node is only marked for deletion.
     */
    public void delete(ResourceType type, String namespace, String name, Long gracePeriodSeconds,
                       String propagationPolicy) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        if (gracePeriodSeconds != null) {
            query.add("gracePeriodSeconds=" + gracePeriodSeconds);
        }
        if (propagationPolicy != null && !propagationPolicy.isEmpty()) {
            query.add("propagationPolicy=" + encode(propagationPolicy));
        }
        send("DELETE", objectPath(type, namespace, name) + query, null, null, JsonNode.class);
    }

    /**
     * DELETE with {@code DeleteOptions} in the body, e.g. preconditions: with {@code preconditions.uid} (and
     * {@code resourceVersion}) the gateway deletes only that very object (version), else answers 409 Conflict, so a
     * controller that decided on what it read never deletes a newer object of the same name.
     */
    public void delete(ResourceType type, String namespace, String name, DeleteOptions options) {
        send("DELETE", objectPath(type, namespace, name), JSON, write(options), JsonNode.class);
    }

    /**
     * PUT {@code namespaces/<name>/finalize}: replaces the namespace's {@code spec.finalizers} and nothing else; a
     * terminating namespace left with no finalizer is deleted.
     */
    public Namespace finalize(Namespace namespace) {
        return send("PUT", objectPath(ResourceTypes.NAMESPACES, null, namespace.getMetadata().getName()) + "/finalize",
                JSON, write(namespace), Namespace.class);
    }

    /** As {@link #delete}, but an object that is already gone answers false instead of throwing. */
    public boolean deleteIfExists(ResourceType type, String namespace, String name, Long gracePeriodSeconds,
                                  String propagationPolicy) {
        try {
            delete(type, namespace, name, gracePeriodSeconds, propagationPolicy);
            return true;
        } catch (KubusApiException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    /** POST {@code pods/<name>/binding}: assigns a pending pod to a node, as the scheduler does (409 if it is bound). */
    public void bind(String namespace, String podName, String nodeName) {
        Binding binding = new BindingBuilder()
                .withNewMetadata().withName(podName).withNamespace(namespace).endMetadata()
                .withNewTarget().withApiVersion("v1").withKind("Node").withName(nodeName).endTarget()
                .build();
        send("POST", objectPath(ResourceTypes.PODS, namespace, podName) + "/binding", JSON, write(binding),
                JsonNode.class);
    }

    /**
     * Records a core/v1 Event about an object, as client-go's event recorder does (without its aggregation):
     * {@code type} is {@code Normal} or {@code Warning}, {@code reason} a CamelCase word.
     */
    public Event createEvent(ObjectReference involved, String type, String reason, String message, String component) {
        String ns = involved.getNamespace() == null || involved.getNamespace().isEmpty() ? "default" : involved.getNamespace();
        String now = Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
        Event event = new EventBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName(involved.getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
                .endMetadata()
                .withInvolvedObject(involved)
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).endSource()
                .withReportingComponent(component)
                .withFirstTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .withLastTimestamp(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .withEventTime(new io.fabric8.kubernetes.api.model.MicroTime(now))
                .withCount(1)
                .build();
        return create(ResourceTypes.EVENTS, event);
    }

    /**
     * Runs a get-modify-update attempt until it does not end in 409 Conflict (at most 5 times, with a short,
     * growing pause), as client-go's {@code retry.RetryOnConflict}: the attempt must read the object afresh.
     */
    /** A token of the TokenRequest API and when it expires. */
    public record IssuedToken(String token, Instant expires) {
    }

    /**
     * {@code POST serviceaccounts/NAME/token}: a token of the ServiceAccount for {@code audiences} (the API's when
     * empty), living {@code expirationSeconds}, bound to the pod when {@code podName} is set, as the kubelet asks
     * for a pod's projected token.
     */
    public IssuedToken requestToken(String namespace, String serviceAccount, List<String> audiences,
                                    long expirationSeconds, String podName, String podUid) {
        var request = json.createObjectNode();
        request.put("apiVersion", "authentication.k8s.io/v1");
        request.put("kind", "TokenRequest");
        var spec = request.putObject("spec");
        var aud = spec.putArray("audiences");
        audiences.forEach(aud::add);
        spec.put("expirationSeconds", expirationSeconds);
        if (podName != null) {
            var ref = spec.putObject("boundObjectRef");
            ref.put("kind", "Pod");
            ref.put("apiVersion", "v1");
            ref.put("name", podName);
            ref.put("uid", podUid);
        }
        JsonNode answer = send("POST", objectPath(ResourceTypes.SERVICEACCOUNTS, namespace, serviceAccount) + "/token",
                JSON, write(request), JsonNode.class);
        return new IssuedToken(answer.path("status").path("token").asText(),
                Instant.parse(answer.path("status").path("expirationTimestamp").asText()));
    }

    public static <R> R retryOnConflict(Supplier<R> attempt) {
        for (int i = 1; ; i++) {
            try {
                return attempt.get();
            } catch (KubusApiException e) {
                if (!e.isConflict() || i >= RETRIES_ON_CONFLICT) {
                    throw e;
                }
                try {
                    Thread.sleep(10L * i);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        config.certificate().ifPresent(c -> c.removeListener(reconnect));
        http.close();
    }

    // ---- paths ----

    /** The collection path of a kind, in one namespace or (null) across all. */
    public String collectionPath(ResourceType type, String namespaceOrNull) {
        StringBuilder p = new StringBuilder(type.groupVersionPath());
        if (type.namespaced() && namespaceOrNull != null && !namespaceOrNull.isEmpty()) {
            p.append("/namespaces/").append(encodePath(namespaceOrNull));
        }
        return p.append('/').append(type.plural()).toString();
    }

    public String objectPath(ResourceType type, String namespace, String name) {
        if (type.namespaced() && (namespace == null || namespace.isEmpty())) {
            throw new IllegalArgumentException(type.plural() + " are namespaced: a namespace is required");
        }
        return collectionPath(type, namespace) + "/" + encodePath(name);
    }

    private static String namespaceOf(ResourceType type, HasMetadata object) {
        if (!type.namespaced()) {
            return null;
        }
        String ns = object.getMetadata() == null ? null : object.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    // ---- transport ----

    private <R> R send(String method, String path, String contentType, String body, Class<R> cls) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(requestTimeout)
                .header("Accept", JSON)
                .header("User-Agent", userAgent)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        bearerToken.get().ifPresent(token -> b.header("Authorization", "Bearer " + token));
        HttpResponse<byte[]> response;
        HttpClient client = http;
        try {
            try {
                response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (client == http) {
                    throw e;
                }
                // the certificate was replaced as this request started on the client being shut down
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new java.io.InterruptedIOException(method + " " + path + " interrupted"));
        }
        int code = response.statusCode();
        if (code < 200 || code >= 300) {
            throw new KubusApiException(method, path, code, status(code, response.body()));
        }
        try {
            return json.readValue(response.body(), cls);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + ": unreadable answer", e);
        }
    }

    private Status status(int code, byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            if (node != null && "Status".equals(node.path("kind").asText())) {
                Status s = json.treeToValue(node, Status.class);
                if (s.getCode() == null) {
                    s.setCode(code);
                }
                return s;
            }
        } catch (IOException e) {
            // not JSON: fall through to a Status holding the text
        }
        return new StatusBuilder().withStatus("Failure").withCode(code)
                .withMessage(new String(body, StandardCharsets.UTF_8)).build();
    }

    private <T> T convert(JsonNode node, Class<T> cls) {
        try {
            return json.treeToValue(node, cls);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot read a " + cls.getSimpleName(), e);
        }
    }

    private String write(Object value) {
        return KubusJson.write(value);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String encodePath(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
