package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.store.WriteResult;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The verbs of the Kubernetes resource API: create, get, list, watch, update, patch, delete and deletecollection, on
 * every kind alike, as kube-apiserver's generic handlers do (k8s.io/apiserver/pkg/endpoints/handlers). One object's
 * writes go through the {@link GenericRegistry} and its kind's strategy; a subresource with a {@link Subresource}
 * handler (for every kind serving it, or for one kind alone) is that handler's, and the status subresource of the
 * other kinds is an update of status alone.
 */
@Singleton
public class ResourceApi {
    private final GenericRegistry registry;
    private final ObjectStore store;
    private final Representation representation;
    private final WatchStreams watches;
    private final RequestBodies bodies;
    private final Map<String, Subresource> subresources = new HashMap<>();

    public ResourceApi(GenericRegistry registry, ObjectStore store, Representation representation, WatchStreams watches,
                       RequestBodies bodies, List<Subresource> subresources) {
        this.registry = registry;
        this.store = store;
        this.representation = representation;
        this.watches = watches;
        this.bodies = bodies;
        for (Subresource s : subresources) {
            if (this.subresources.put(key(s.kind(), s.name()), s) != null) {
                throw new IllegalStateException("two handlers of the subresource " + s.name());
            }
        }
    }

    public ApiResponse handle(String method, ApiPath path, Query query, @Nullable String contentType,
                              @Nullable String accept, @Nullable byte[] body, UserInfo user, @Nullable String userAgent) {
        ApiRequest request = new ApiRequest(method, path, query, contentType, Format.negotiate(accept), body, user,
                userAgent);
        if (path.type().namespaced() && path.namespace() == null && !method.equals("GET")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource: "
                    + "a namespace is required");
        }
        if (path.name() == null) {
            return switch (method) {
                case "GET" -> query.isTrue("watch") || path.legacyWatch()
                        ? watches.watch(path, query, request.format()) : list(request);
                case "POST" -> create(request);
                case "DELETE" -> deleteCollection(request);
                default -> throw notAllowed();
            };
        }
        if (path.legacyWatch() || (method.equals("GET") && query.isTrue("watch"))) {
            throw ApiException.badRequest("watch requests name a collection; use fieldSelector=metadata.name=" + path.name());
        }
        String sub = path.subresource();
        if (sub != null) {
            Subresource handler = subresources.getOrDefault(key(path.type().storageType(), sub),
                    subresources.get(key(null, sub)));
            if (handler != null) {
                return handler.handle(request);
            }
            if (!sub.equals("status")) {
                throw ApiException.methodNotAllowed("the server does not allow this method on " + sub);
            }
        }
        return switch (method) {
            case "GET" -> registry.respond(200, request, registry.require(path), List.of());
            case "PUT" -> registry.replace(request, preparation(path));
            case "PATCH" -> patch(request);
            case "DELETE" -> {
                if (sub != null) {
                    throw ApiException.methodNotAllowed("the server does not allow this method on " + sub);
                }
                yield registry.delete(request, DeleteRequest.of(bodies, contentType, body, query));
            }
            default -> throw notAllowed();
        };
    }

    /** A handler's key: its name, after its kind's plural when it serves one kind alone. */
    private static String key(@Nullable ResourceType kind, String name) {
        return kind == null ? name : kind.qualifiedPlural() + "/" + name;
    }

    private static ApiException notAllowed() {
        return ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }

    private ApiResponse list(ApiRequest request) {
        ApiPath path = request.path();
        return new Lists(store, representation).list(path, registry.strategy(path.type()).selectableFields(),
                request.query(), request.format());
    }

    private ApiResponse create(ApiRequest request) {
        return registry.create(request, bodies.object(request.path().type(), request.contentType(), request.body()));
    }

    /** How an update of the object, or of its status alone, keeps what the caller may not change. */
    private GenericRegistry.Preparation preparation(ApiPath path) {
        return "status".equals(path.subresource()) ? GenericRegistry::withStatusOf : registry.objectUpdate(path.type());
    }

    private ApiResponse patch(ApiRequest request) {
        ApiPath path = request.path();
        if (PatchType.of(request.contentType()) == PatchType.APPLY
                && store.get(path.type(), path.storeNamespace(), path.name()).isEmpty()) {
            // Server-side apply of a missing object creates it, applied to nothing (its manager owns what it set).
            JsonNode patch = bodies.patch(PatchType.APPLY, request.body());
            ObjectNode applied = registry.apply(request, null, patch);
            return registry.create(request, bodies.object(path.type(), "application/json",
                    representation.encode(applied, Format.JSON)), false);
        }
        return registry.patch(request, preparation(path));
    }

    private ApiResponse deleteCollection(ApiRequest request) {
        ApiPath path = request.path();
        ObjectFilter filter = ObjectFilter.of(path.type(), registry.strategy(path.type()).selectableFields(),
                path.namespace(), request.query());
        DeleteRequest options = DeleteRequest.of(bodies, request.contentType(), request.body(), request.query());
        List<ObjectNode> deleted = new ArrayList<>();
        // Listed page by page as kube-apiserver's DeleteCollection does; with a limit, only the first page goes.
        Lists.Listed listed = new Lists(store, representation).forEach(path, request.query(), filter, item -> {
            String ns = item.path("metadata").path("namespace").asText("");
            String name = item.path("metadata").path("name").asText();
            WriteResult r = store.write(path.type(), ns, name, current -> current == null || options.dryRun()
                    ? WriteOutcome.keep() : registry.deletion(path.type(), current, options));
            if (r.object() != null) {
                deleted.add(r.object());
            }
        });
        long version = listed.continueToken() != null ? listed.version() : store.currentVersion();
        return registry.ok(representation.list(path.type(), deleted, version, request.format(),
                request.query().get("includeObject"), listed.continueToken()), request.format());
    }
}
