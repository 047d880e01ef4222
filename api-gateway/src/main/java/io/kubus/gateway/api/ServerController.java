package io.kubus.gateway.api;

import io.micronaut.context.annotation.Requires;
import io.kubus.gateway.GatewayApplication;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.auth.rbac.RbacPolicy;
import io.kubus.gateway.watch.WatchCache;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.gateway.apiextensions.ServedTypes;
import io.kubus.gateway.registry.Strategies;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /version, the health endpoints, and the minimal OpenAPI v3 that lets kubectl's strict validation hand over to us. */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
public class ServerController {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectStore store;
    private final WatchCache watchCache;
    private final RbacPolicy rbacPolicy;
    private final ServedTypes types;
    private final Strategies strategies;
    private volatile OpenApi openApi = new OpenApi(-1, Map.of(), NODES.objectNode());

    /** The OpenAPI documents of one set of served types: one per group version, and the root listing them. */
    private record OpenApi(long generation, Map<String, ObjectNode> byPath, ObjectNode root) {
    }

    public ServerController(ObjectStore store, WatchCache watchCache, RbacPolicy rbacPolicy, ServedTypes types,
                            Strategies strategies) {
        this.strategies = strategies;
        this.store = store;
        this.watchCache = watchCache;
        this.rbacPolicy = rbacPolicy;
        this.types = types;
    }

    /** The documents, rebuilt when the served types changed (a CustomResourceDefinition came or went). */
    private OpenApi openApi() {
        OpenApi current = openApi;
        long generation = types.generation();
        if (current.generation == generation) {
            return current;
        }
        Map<String, ObjectNode> byPath = new LinkedHashMap<>();
        for (ResourceType t : types.all()) {
            String key = t.groupVersionPath().substring(1);
            ObjectNode doc = byPath.computeIfAbsent(key, k -> {
                ObjectNode d = NODES.objectNode();
                d.put("openapi", "3.0.0");
                d.putObject("info").put("title", "Kubus").put("version", "v1.32.0");
                d.putObject("paths");
                return d;
            });
            // kubectl looks for a PATCH operation of the object's GVK that accepts fieldValidation; when it finds
            // one it leaves unknown-field checking to the server (kubectl-1.32-protocol.md §3).
            ObjectNode patch = ((ObjectNode) doc.get("paths")).putObject("/" + key
                    + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}").putObject("patch");
            ObjectNode gvk = patch.putObject("x-kubernetes-group-version-kind");
            gvk.put("group", t.group());
            gvk.put("version", t.version());
            gvk.put("kind", t.kind());
            ArrayNode params = patch.putArray("parameters");
            params.addObject().put("name", "fieldValidation").put("in", "query");
            params.addObject().put("name", "fieldManager").put("in", "query");
            params.addObject().put("name", "dryRun").put("in", "query");
            JsonNode schema = strategies.of(t).openApiSchema();
            if (schema != null) {
                // kubectl explain finds a kind's schema by this extension; the name is kube's (reversed group)
                ObjectNode published = schema.deepCopy();
                published.putArray("x-kubernetes-group-version-kind").add(gvk.deepCopy());
                doc.with("components").with("schemas").set(schemaName(t), published);
            }
        }
        ObjectNode root = NODES.objectNode();
        ObjectNode paths = root.putObject("paths");
        byPath.forEach((key, doc) -> paths.putObject(key).put("serverRelativeURL",
                "/openapi/v3/" + key + "?hash=" + Integer.toHexString(KubusJson.write(doc).hashCode()).toUpperCase()));
        OpenApi built = new OpenApi(generation, byPath, root);
        openApi = built;
        return built;
    }

    /** kube's OpenAPI name of a kind: its group reversed, its version, its kind ({@code com.example.v1.Widget}). */
    private static String schemaName(ResourceType t) {
        List<String> parts = new ArrayList<>(List.of(t.group().split("\\.")));
        Collections.reverse(parts);
        return String.join(".", parts) + "." + t.version() + "." + t.kind();
    }

    @Get(uri = "/version", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> version() {
        ObjectNode v = NODES.objectNode();
        v.put("major", "1");
        v.put("minor", "32");
        v.put("gitVersion", "v1.32.0");
        v.put("gitCommit", "kubus");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2026-11-22T00:00:00Z");
        v.put("goVersion", "java" + Runtime.version().feature());
        v.put("compiler", "kubus");
        v.put("platform", System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch"));
        return Discovery.json(v, "application/json");
    }

    @Get(uri = "/healthz", produces = MediaType.TEXT_PLAIN)
    public HttpResponse<?> healthz() {
        return readyz();
    }

    @Get(uri = "/livez", produces = MediaType.TEXT_PLAIN)
    public HttpResponse<?> livez() {
        return text(HttpStatus.OK, "ok");
    }

    /** Ready when the database answers and the watch cache follows the change topics. */
    @Get(uri = "/readyz", produces = MediaType.TEXT_PLAIN)
    public HttpResponse<?> readyz() {
        try {
            store.currentVersion();
        } catch (RuntimeException e) {
            return text(HttpStatus.SERVICE_UNAVAILABLE, "[-]database failed: " + e.getMessage());
        }
        if (!watchCache.isReady()) {
            return text(HttpStatus.SERVICE_UNAVAILABLE, "[-]watch-cache not following the change topics yet");
        }
        // before its first lists, RBAC would refuse every request (kube-apiserver's readyz waits for its informers)
        if (!rbacPolicy.isLoaded()) {
            return text(HttpStatus.SERVICE_UNAVAILABLE, "[-]rbac policy not loaded yet");
        }
        return text(HttpStatus.OK, "ok");
    }

    @Get(uri = "/openapi/v3", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> openApiRoot() {
        return Discovery.json(openApi().root(), "application/json");
    }

    @Get(uri = "/openapi/v3/{+path}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> openApi(@PathVariable String path) {
        ObjectNode doc = openApi().byPath().get(path);
        if (doc == null) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        return Discovery.json(doc, "application/json");
    }

    private static HttpResponse<?> text(HttpStatus status, String body) {
        return HttpResponse.status(status).body(body.getBytes(StandardCharsets.UTF_8)).contentType(MediaType.TEXT_PLAIN)
                .header("Cache-Control", "no-cache, private");
    }
}
