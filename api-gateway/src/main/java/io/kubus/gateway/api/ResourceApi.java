package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.admission.Admission;
import io.kubus.gateway.admission.FieldValidation;
import io.kubus.gateway.patch.JsonMergePatch;
import io.kubus.gateway.patch.JsonPatch;
import io.kubus.gateway.patch.PatchException;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.patch.StrategicMergePatch;
import io.kubus.gateway.store.DuplicateObjectException;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.store.WriteResult;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The verbs of the Kubernetes resource API over the store: create, get, list, watch, update, patch, delete and
 * deletecollection, for objects and their status and scale subresources. Semantics follow kube-apiserver's
 * generic registry (k8s.io/apiserver/pkg/registry/generic/registry/store.go).
 */
@Singleton
public class ResourceApi {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String UPGRADE_REQUIRED = "Upgrade request required: exec is served over WebSocket ("
            + PodExecWebSocket.PROTOCOL + ")";
    private static final String GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    /** The garbage collector's finalizers (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
    private static final String ORPHAN = "orphan";
    private static final String FOREGROUND = "foregroundDeletion";
    /** The namespaces kube-apiserver's NamespaceLifecycle admission never lets anyone delete. */
    private static final Set<String> IMMORTAL_NAMESPACES = Set.of("default", "kube-system", "kube-public");

    private final ObjectStore store;
    private final Admission admission;
    private final Representation representation;
    private final WatchStreams watches;
    private final RequestBodies bodies;
    private final ServiceAddresses serviceAddresses;
    private final NodeAgents agents;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ResourceApi(ObjectStore store, Admission admission, Representation representation, WatchStreams watches,
                       RequestBodies bodies, ServiceAddresses serviceAddresses, NodeAgents agents, Clock clock) {
        this.store = store;
        this.admission = admission;
        this.representation = representation;
        this.watches = watches;
        this.bodies = bodies;
        this.serviceAddresses = serviceAddresses;
        this.agents = agents;
        this.clock = clock;
    }

    public ApiResponse handle(String method, ApiPath path, Query query, @Nullable String contentType,
                              @Nullable String accept, @Nullable byte[] body) {
        Format format = Format.negotiate(accept);
        String sub = path.subresource();
        if (path.type().namespaced() && path.namespace() == null && !method.equals("GET")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource: "
                    + "a namespace is required");
        }
        if (path.name() == null) {
            return switch (method) {
                case "GET" -> query.isTrue("watch") || path.legacyWatch()
                        ? watches.watch(path, query, format) : list(path, query, format);
                case "POST" -> create(path, query, contentType, body, format);
                case "DELETE" -> deleteCollection(path, query, contentType, body, format);
                default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            };
        }
        if (path.legacyWatch() || (method.equals("GET") && query.isTrue("watch"))) {
            throw ApiException.badRequest("watch requests name a collection; use fieldSelector=metadata.name=" + path.name());
        }
        if ("log".equals(sub) && method.equals("GET")) {
            // Served by the agent of the pod's node, streamed through (kube-apiserver: the kubelet's containerLogs).
            return agents.logs(path, query);
        }
        if ("exec".equals(sub) && (method.equals("GET") || method.equals("POST"))) {
            // Exec is a WebSocket upgrade (PodExecWebSocket); a plain request, or kubectl's SPDY fallback, is refused
            // after the same checks, so that kubectl prints why when the pod or container is wrong.
            agents.target(path.storeNamespace(), path.name(), query.get("container"));
            throw ApiException.badRequest(UPGRADE_REQUIRED);
        }
        return switch (method) {
            case "GET" -> {
                ObjectNode current = require(path);
                yield switch (sub == null ? "" : sub) {
                    case "", "status" -> ok(representation.object(path.type(), current, format, query.get("includeObject")), format);
                    case "scale" -> ok(Scales.toScale(path.type(), current), format);
                    default -> throw ApiException.methodNotAllowed("the server does not allow this method on " + sub);
                };
            }
            case "POST" -> {
                if ("binding".equals(sub)) {
                    yield bind(path, contentType, body, format);
                }
                throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            }
            case "PUT" -> update(path, query, contentType, body, format);
            case "PATCH" -> patch(path, query, contentType, body, format);
            case "DELETE" -> {
                if (sub != null) {
                    throw ApiException.methodNotAllowed("the server does not allow this method on " + sub);
                }
                yield delete(path, query, contentType, body, format);
            }
            default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        };
    }

    // ---- read ----

    private ObjectNode require(ApiPath path) {
        return store.get(path.type(), path.storeNamespace(), path.name())
                .orElseThrow(() -> ApiException.notFound(path.type(), path.name()));
    }

    private ApiResponse list(ApiPath path, Query query, Format format) {
        return new Lists(store, representation).list(path, query, format);
    }

    // ---- create ----

    private ApiResponse create(ApiPath path, Query query, @Nullable String contentType, @Nullable byte[] body,
                               Format format) {
        ResourceType type = path.type();
        ObjectNode obj = bodies.object(type, contentType, body);
        ObjectNode meta = metadata(obj);
        String namespace = bindNamespace(path, meta);
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            String prefix = meta.path("generateName").asText("");
            if (prefix.isEmpty()) {
                throw ApiException.invalid(type, "", List.of(ApiException.cause("FieldValueRequired", "metadata.name",
                        "Required value: name or generateName is required")));
            }
            name = prefix + randomSuffix();
            meta.put("name", name);
        }
        if (meta.hasNonNull("resourceVersion") && !meta.path("resourceVersion").asText().isEmpty()) {
            throw ApiException.badRequest("resourceVersion should not be set on objects to be created");
        }
        meta.remove(List.of("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"));
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", now());
        meta.put("generation", 1);
        if (type.hasSubresource("status") && type != ResourceTypes.NODES && type != ResourceTypes.NAMESPACES) {
            // Status belongs to the controllers and agents that observe the object, never to its creator.
            obj.remove("status");
        }
        List<String> warnings = new ArrayList<>();
        ObjectNode admitted = admission.admit(type, obj, null, FieldValidation.parse(query.get("fieldValidation")), warnings);
        stampKind(type, admitted);
        if (isDryRun(query)) {
            return created(admitted, format, warnings, type, query);
        }
        final String finalName = name;
        try {
            WriteResult result = store.write(type, namespace, name, current -> {
                if (current != null) {
                    throw ApiException.alreadyExists(type, finalName);
                }
                if (type.namespaced()) {
                    requireAcceptingNamespace(namespace, type, finalName);
                }
                if (type == ResourceTypes.SERVICES) {
                    serviceAddresses.assign(admitted, finalName);
                }
                return WriteOutcome.put(admitted);
            });
            return created(result.object(), format, warnings, type, query);
        } catch (DuplicateObjectException e) {
            throw ApiException.alreadyExists(type, name);
        }
    }

    private ApiResponse created(ObjectNode obj, Format format, List<String> warnings, ResourceType type, Query query) {
        return ApiResponse.bytes(201, format.contentType(),
                representation.encode(representation.object(type, obj, format, query.get("includeObject")), format), warnings);
    }

    private void requireAcceptingNamespace(String namespace, ResourceType type, String name) {
        ObjectNode ns = store.get(ResourceTypes.NAMESPACES, "", namespace)
                .orElseThrow(() -> ApiException.notFound(ResourceTypes.NAMESPACES, namespace));
        if (ns.path("metadata").hasNonNull("deletionTimestamp")
                || "Terminating".equals(ns.path("status").path("phase").asText())) {
            // The NamespaceLifecycle admission plugin's NewForbidden names the refused object, not the namespace.
            // Its NamespaceTerminating cause lets controllers tell this from other refusals (and stop quietly).
            throw ApiException.forbidden(type, name, type.qualifiedPlural() + " \"" + name + "\" is forbidden: "
                    + "unable to create new content in namespace " + namespace + " because it is being terminated",
                    ApiException.cause("NamespaceTerminating", "metadata.namespace",
                            "namespace " + namespace + " is being terminated"));
        }
    }

    private String bindNamespace(ApiPath path, ObjectNode meta) {
        if (!path.type().namespaced()) {
            meta.remove("namespace");
            return "";
        }
        String inBody = meta.path("namespace").asText("");
        if (!inBody.isEmpty() && !inBody.equals(path.namespace())) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        meta.put("namespace", path.namespace());
        return path.namespace();
    }

    // ---- update and patch ----

    private ApiResponse update(ApiPath path, Query query, @Nullable String contentType, @Nullable byte[] body,
                               Format format) {
        ResourceType type = path.type();
        if ("scale".equals(path.subresource())) {
            ObjectNode scale = bodies.scale(contentType, body);
            return scaleTo(path, query, format, current -> scale);
        }
        ObjectNode obj = bodies.object(type, contentType, body);
        ObjectNode meta = metadata(obj);
        String bodyName = meta.path("name").asText("");
        if (!bodyName.equals(path.name())) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL ("
                    + path.name() + ")");
        }
        bindNamespace(path, meta);
        String uid = meta.path("uid").asText("");
        return replace(path, query, format, current -> {
            // kube-apiserver makes the uid of an updated object a precondition (rest.defaultUpdatedObjectInfo).
            String actual = current.path("metadata").path("uid").asText("");
            if (!uid.isEmpty() && !uid.equals(actual)) {
                throw ApiException.conflict(type, path.name(), "Precondition failed: UID in precondition: " + uid
                        + ", UID in object meta: " + actual);
            }
            return obj;
        });
    }

    private ApiResponse patch(ApiPath path, Query query, @Nullable String contentType, @Nullable byte[] body,
                              Format format) {
        PatchType patchType = PatchType.of(contentType);
        JsonNode patch = bodies.patch(patchType, body);
        ResourceType type = path.type();
        if ("scale".equals(path.subresource())) {
            return scaleTo(path, query, format, current -> asObject(applyPatch(type, patchType, current, patch,
                    true)));
        }
        if (patchType == PatchType.APPLY && store.get(type, path.storeNamespace(), path.name()).isEmpty()) {
            // Server-side apply of a missing object creates it (field ownership is not tracked; see README).
            return create(path, query, "application/json", representation.encode(patch, Format.JSON), format);
        }
        return replace(path, query, format, current -> {
            ObjectNode patched = asObject(applyPatch(type, patchType, current, patch, false));
            if (!Objects.equals(patched.path("kind").asText(null), current.path("kind").asText(null))
                    || !Objects.equals(patched.path("apiVersion").asText(null), current.path("apiVersion").asText(null))) {
                throw ApiException.badRequest("a patch may not change kind or apiVersion");
            }
            return patched;
        });
    }

    private JsonNode applyPatch(ResourceType type, PatchType patchType, JsonNode target, JsonNode patch, boolean scale) {
        try {
            return switch (patchType) {
                case JSON -> JsonPatch.apply(target, patch);
                case MERGE -> JsonMergePatch.apply(target, patch);
                case STRATEGIC, APPLY -> StrategicMergePatch.apply(target, patch,
                        scale ? PatchSchemas.forKind("autoscaling", "Scale") : PatchSchemas.forKind(type.group(), type.kind()));
            };
        } catch (PatchException e) {
            throw ApiException.of(422, "Invalid", e.getMessage(), null);
        }
    }

    private static ObjectNode asObject(JsonNode node) {
        if (node instanceof ObjectNode o) {
            return o;
        }
        throw ApiException.badRequest("the patch did not produce an object");
    }

    /**
     * The common path of PUT and PATCH: under the row lock, compute the new state from the current one, check the
     * caller's resourceVersion, keep what the caller may not change, admit, and store unless nothing changed.
     */
    private ApiResponse replace(ApiPath path, Query query, Format format,
                                java.util.function.Function<ObjectNode, ObjectNode> desired) {
        ResourceType type = path.type();
        FieldValidation validation = FieldValidation.parse(query.get("fieldValidation"));
        List<String> warnings = new ArrayList<>();
        boolean dryRun = isDryRun(query);
        ObjectNode[] dry = new ObjectNode[1];
        WriteResult result = store.write(type, path.storeNamespace(), path.name(), current -> {
            if (current == null) {
                throw ApiException.notFound(type, path.name());
            }
            ObjectNode wanted = desired.apply(current.deepCopy());
            checkResourceVersion(type, path.name(), metadata(wanted), current);
            ObjectNode next = switch (path.subresource() == null ? "" : path.subresource()) {
                case "status" -> withStatusOf(current, wanted);
                case "finalize" -> withFinalizersOf(current, wanted);
                default -> withServerFieldsOf(type, current, wanted);
            };
            next = admission.admit(type, next, current, validation, warnings);
            stampKind(type, next);
            bumpGeneration(current, next);
            WriteOutcome outcome = settle(current, next);
            if (dryRun) {
                dry[0] = next;
                return WriteOutcome.keep();
            }
            return outcome;
        });
        ObjectNode shown = dryRun ? dry[0] : result.object();
        if (shown == null) {
            throw ApiException.notFound(type, path.name());
        }
        return ApiResponse.bytes(200, format.contentType(), representation.encode(
                representation.object(type, shown, format, query.get("includeObject")), format), warnings);
    }

    private ApiResponse scaleTo(ApiPath path, Query query, Format format,
                                java.util.function.Function<ObjectNode, ObjectNode> desiredScale) {
        ResourceType type = path.type();
        WriteResult result = store.write(type, path.storeNamespace(), path.name(), current -> {
            if (current == null) {
                throw ApiException.notFound(type, path.name());
            }
            ObjectNode wanted = desiredScale.apply(Scales.toScale(type, current));
            checkResourceVersion(type, path.name(), metadata(wanted), current);
            int replicas = Scales.replicas(type, path.name(), wanted);
            ObjectNode next = current.deepCopy();
            ((ObjectNode) next.with("spec")).put("replicas", replicas);
            bumpGeneration(current, next);
            return isDryRun(query) ? WriteOutcome.keep() : settle(current, next);
        });
        return ok(Scales.toScale(type, result.object()), format);
    }

    private static void checkResourceVersion(ResourceType type, String name, ObjectNode wantedMeta, ObjectNode current) {
        String wanted = wantedMeta.path("resourceVersion").asText("");
        String actual = current.path("metadata").path("resourceVersion").asText("");
        if (!wanted.isEmpty() && !wanted.equals(actual)) {
            throw ApiException.conflict(type, name,
                    "the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    /** The status subresource changes only status: everything else stays as stored. */
    private static ObjectNode withStatusOf(ObjectNode current, ObjectNode wanted) {
        ObjectNode next = current.deepCopy();
        if (wanted.has("status")) {
            next.set("status", wanted.get("status"));
        } else {
            next.remove("status");
        }
        return next;
    }

    /** The finalize subresource of a namespace changes only spec.finalizers (kube-apiserver's FinalizeREST). */
    private static ObjectNode withFinalizersOf(ObjectNode current, ObjectNode wanted) {
        ObjectNode next = current.deepCopy();
        JsonNode finalizers = wanted.path("spec").path("finalizers");
        ObjectNode spec = (ObjectNode) next.with("spec");
        if (!finalizers.isMissingNode() && !finalizers.isNull() && !finalizers.isArray()) {
            // Only this field of the body is used, so it is the one whose type is checked (as kube-apiserver's decode).
            String kind = finalizers.isTextual() ? "string" : finalizers.isNumber() ? "number"
                    : finalizers.isBoolean() ? "bool" : "object";
            throw ApiException.badRequest("Namespace in version \"v1\" cannot be handled as a Namespace: json: cannot "
                    + "unmarshal " + kind + " into Go struct field NamespaceSpec.spec.finalizers of type []v1.FinalizerName");
        }
        if (finalizers.isArray()) {
            spec.set("finalizers", finalizers);
        } else {
            spec.remove("finalizers");
        }
        return next;
    }

    /** An update of the object keeps server-owned metadata, and status where status has its own subresource. */
    private static ObjectNode withServerFieldsOf(ResourceType type, ObjectNode current, ObjectNode wanted) {
        ObjectNode meta = metadata(wanted);
        JsonNode curMeta = current.path("metadata");
        for (String f : List.of("uid", "creationTimestamp", "generation", "deletionTimestamp",
                "deletionGracePeriodSeconds", "namespace", "name")) {
            if (curMeta.has(f)) {
                meta.set(f, curMeta.get(f));
            } else {
                meta.remove(f);
            }
        }
        meta.remove("resourceVersion");
        if (curMeta.hasNonNull("deletionTimestamp")) {
            // A terminating object may lose finalizers but gain none (Kubernetes forbids adding them).
            // ValidateNoNewFinalizers: a field error, so 422 Invalid as kube-apiserver answers.
            List<String> added = new ArrayList<>();
            for (JsonNode f : meta.path("finalizers")) {
                if (!contains(curMeta.path("finalizers"), f.asText())) {
                    added.add("\"" + f.asText() + "\"");
                }
            }
            if (!added.isEmpty()) {
                throw ApiException.invalid(type, meta.path("name").asText(), List.of(ApiException.cause(
                        "FieldValueForbidden", "metadata.finalizers", "Forbidden: no new finalizers can be added if the "
                                + "object is being deleted, found new finalizers []string{" + String.join(", ", added) + "}")));
            }
        }
        if (type == ResourceTypes.NAMESPACES) {
            // Only the finalize subresource changes spec.finalizers (the namespace strategy's PrepareForUpdate).
            JsonNode finalizers = current.path("spec").path("finalizers");
            ObjectNode spec = (ObjectNode) wanted.with("spec");
            if (finalizers.isArray()) {
                spec.set("finalizers", finalizers);
            } else {
                spec.remove("finalizers");
            }
        }
        if (type.hasSubresource("status")) {
            if (current.has("status")) {
                wanted.set("status", current.get("status"));
            } else {
                wanted.remove("status");
            }
        }
        return wanted;
    }

    /** metadata.generation counts changes of everything but metadata and status (kube-apiserver's rule). */
    private static void bumpGeneration(ObjectNode current, ObjectNode next) {
        ObjectNode a = current.deepCopy();
        ObjectNode b = next.deepCopy();
        a.remove(List.of("metadata", "status"));
        b.remove(List.of("metadata", "status"));
        long generation = current.path("metadata").path("generation").asLong(1);
        metadata(next).put("generation", same(a, b) ? generation : generation + 1);
    }

    /**
     * Equal as JSON documents. Jackson's node equality is type-strict (IntNode 1 differs from LongNode 1), and a
     * stored object read back has other number nodes than one that went through admission or {@code put(long)}.
     */
    private static boolean same(JsonNode a, JsonNode b) {
        return a.equals(SAME_VALUE, b);
    }

    private static final java.util.Comparator<JsonNode> SAME_VALUE = (x, y) -> {
        if (x.equals(y)) {
            return 0;
        }
        if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue());
        }
        return 1;
    };

    /**
     * Stores the new state, or nothing when it equals the current one; and removes an object whose deletion was
     * only waiting for its last finalizer. A namespace waits for its spec.finalizers too (no other kind has them;
     * kube-apiserver's ShouldDeleteNamespaceDuringUpdate).
     */
    private static WriteOutcome settle(ObjectNode current, ObjectNode next) {
        JsonNode meta = next.path("metadata");
        if (meta.hasNonNull("deletionTimestamp") && isEmpty(meta.path("finalizers"))
                && isEmpty(next.path("spec").path("finalizers"))
                && meta.path("deletionGracePeriodSeconds").asLong(0) == 0) {
            return WriteOutcome.remove();
        }
        ObjectNode a = current.deepCopy();
        ObjectNode b = next.deepCopy();
        metadata(a).remove("resourceVersion");
        metadata(b).remove("resourceVersion");
        return same(a, b) ? WriteOutcome.keep() : WriteOutcome.put(next);
    }

    // ---- binding ----

    private ApiResponse bind(ApiPath path, @Nullable String contentType, @Nullable byte[] body, Format format) {
        if (path.type() != ResourceTypes.PODS) {
            throw ApiException.methodNotAllowed("binding is served for pods only");
        }
        JsonNode binding = bodies.json(contentType, body);
        String node = binding.path("target").path("name").asText("");
        if (node.isEmpty()) {
            throw ApiException.invalid(ResourceTypes.PODS, path.name(), List.of(ApiException.cause("FieldValueRequired",
                    "target.name", "Required value")));
        }
        store.write(ResourceTypes.PODS, path.storeNamespace(), path.name(), current -> {
            if (current == null) {
                throw ApiException.notFound(ResourceTypes.PODS, path.name());
            }
            if (current.path("metadata").hasNonNull("deletionTimestamp")) {
                throw ApiException.conflict(ResourceTypes.PODS, path.name(), "pod is being deleted, cannot be assigned to a host");
            }
            String bound = current.path("spec").path("nodeName").asText("");
            if (!bound.isEmpty()) {
                throw ApiException.conflict(ResourceTypes.PODS, path.name(), "pod " + path.name()
                        + " is already assigned to node \"" + bound + "\"");
            }
            ObjectNode next = current.deepCopy();
            ((ObjectNode) next.with("spec")).put("nodeName", node);
            ObjectNode status = (ObjectNode) next.with("status");
            ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                    ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
            for (int i = conditions.size() - 1; i >= 0; i--) {
                if ("PodScheduled".equals(conditions.get(i).path("type").asText())) {
                    conditions.remove(i);
                }
            }
            ObjectNode scheduled = conditions.addObject();
            scheduled.put("type", "PodScheduled");
            scheduled.put("status", "True");
            scheduled.putNull("lastProbeTime");
            scheduled.put("lastTransitionTime", now());
            return WriteOutcome.put(next);
        });
        ObjectNode status = NODES.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Success");
        status.put("code", 201);
        return ApiResponse.bytes(201, format.contentType(), representation.encode(status, format), List.of());
    }

    // ---- delete ----

    private ApiResponse delete(ApiPath path, Query query, @Nullable String contentType, @Nullable byte[] body,
                               Format format) {
        DeleteRequest options = DeleteRequest.of(bodies, contentType, body, query);
        ObjectNode[] last = new ObjectNode[1];
        WriteResult result = store.write(path.type(), path.storeNamespace(), path.name(), current -> {
            if (current == null) {
                throw ApiException.notFound(path.type(), path.name());
            }
            options.checkPreconditions(path.type(), path.name(), current);
            WriteOutcome outcome = deletion(path.type(), current, options);
            if (options.dryRun()) {
                last[0] = current;
                return WriteOutcome.keep();
            }
            return outcome;
        });
        ObjectNode shown = options.dryRun() ? last[0] : result.object();
        return ok(representation.object(path.type(), shown, format, query.get("includeObject")), format);
    }

    /** Decides how an object goes: at once, or marked with a deletionTimestamp until its finalizers or kubelet let it. */
    private WriteOutcome deletion(ResourceType type, ObjectNode current, DeleteRequest options) {
        ObjectNode next = current.deepCopy();
        ObjectNode meta = metadata(next);
        boolean terminating = meta.hasNonNull("deletionTimestamp");
        if (type == ResourceTypes.NAMESPACES) {
            String name = meta.path("name").asText();
            if (IMMORTAL_NAMESPACES.contains(name)) {
                throw ApiException.forbidden(type, name, "namespaces \"" + name + "\" is forbidden: this namespace may not be deleted");
            }
            if (terminating) {
                if (!isEmpty(next.path("spec").path("finalizers"))) {
                    throw ApiException.conflict(type, name, "The system is ensuring all content is removed from this "
                            + "namespace.  Upon completion, this namespace will automatically be purged by the system.");
                }
                return WriteOutcome.keep(); // waits for the garbage collector's finalizers
            }
            setGcFinalizers(meta, options.propagationPolicy(), null);
            if (isEmpty(next.path("spec").path("finalizers")) && isEmpty(meta.path("finalizers"))) {
                return WriteOutcome.remove();
            }
            meta.put("deletionTimestamp", now());
            meta.put("deletionGracePeriodSeconds", 0);
            ((ObjectNode) next.with("status")).put("phase", "Terminating");
            return WriteOutcome.put(next);
        }
        if (type == ResourceTypes.PODS) {
            long grace = options.gracePeriodSeconds() != null ? options.gracePeriodSeconds()
                    : next.path("spec").path("terminationGracePeriodSeconds").asLong(30);
            String phase = next.path("status").path("phase").asText("");
            if (next.path("spec").path("nodeName").asText("").isEmpty() || phase.equals("Succeeded")
                    || phase.equals("Failed")) {
                grace = 0; // no kubelet has to stop anything: kube-apiserver deletes such pods at once
            }
            long currentGrace = meta.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE);
            if (grace > 0 && (!terminating || grace < currentGrace)) {
                meta.put("deletionTimestamp", Instant.now(clock).plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
                meta.put("deletionGracePeriodSeconds", grace);
                return WriteOutcome.put(next);
            }
            if (grace > 0) {
                return WriteOutcome.keep();
            }
        }
        if (!terminating) {
            setGcFinalizers(meta, options.propagationPolicy(), defaultPropagation(type));
        }
        if (isEmpty(meta.path("finalizers"))) {
            return WriteOutcome.remove();
        }
        if (terminating && meta.path("deletionGracePeriodSeconds").asLong(0) == 0) {
            return WriteOutcome.keep();
        }
        if (!terminating) {
            meta.put("deletionTimestamp", now());
        }
        meta.put("deletionGracePeriodSeconds", 0);
        return WriteOutcome.put(next);
    }

    /**
     * Leaves the garbage collector the finalizer of the deletion's propagation policy (kube-apiserver's
     * deletionFinalizersForGarbageCollection): {@code orphan} for Orphan, {@code foregroundDeletion} for Foreground,
     * neither for Background; the collector orphans or deletes the dependents, then removes it. With no policy
     * named, a GC finalizer the object already carries stands, else the kind's default (null: none) applies.
     */
    private static void setGcFinalizers(ObjectNode meta, @Nullable String policy, @Nullable String kindDefault) {
        JsonNode present = meta.path("finalizers");
        if (policy == null) {
            if (contains(present, ORPHAN) || contains(present, FOREGROUND) || kindDefault == null) {
                return;
            }
            policy = kindDefault;
        }
        String wanted = switch (policy) {
            case "Orphan" -> ORPHAN;
            case "Foreground" -> FOREGROUND;
            default -> null;
        };
        ArrayNode finalizers = NODES.arrayNode();
        for (JsonNode f : present) {
            if (!f.asText().equals(ORPHAN) && !f.asText().equals(FOREGROUND)) {
                finalizers.add(f);
            }
        }
        if (wanted != null) {
            finalizers.add(wanted);
        }
        if (finalizers.isEmpty()) {
            meta.remove("finalizers");
        } else {
            meta.set("finalizers", finalizers);
        }
    }

    /**
     * The kind's DefaultGarbageCollectionPolicy in kube-apiserver: v1 ReplicationControllers and batch/v1 Jobs orphan
     * their dependents (kept from before server-side garbage collection); every other kind lets them be collected.
     */
    private static String defaultPropagation(ResourceType type) {
        return type == ResourceTypes.REPLICATIONCONTROLLERS || type == ResourceTypes.JOBS ? "Orphan" : "Background";
    }

    private ApiResponse deleteCollection(ApiPath path, Query query, @Nullable String contentType,
                                         @Nullable byte[] body, Format format) {
        ObjectFilter filter = ObjectFilter.of(path.type(), path.namespace(), query);
        DeleteRequest options = DeleteRequest.of(bodies, contentType, body, query);
        List<ObjectNode> deleted = new ArrayList<>();
        // Listed page by page as kube-apiserver's DeleteCollection does; with a limit, only the first page goes.
        Lists.Listed listed = new Lists(store, representation).forEach(path, query, filter, item -> {
            String ns = item.path("metadata").path("namespace").asText("");
            String name = item.path("metadata").path("name").asText();
            WriteResult r = store.write(path.type(), ns, name, current -> current == null || options.dryRun()
                    ? WriteOutcome.keep() : deletion(path.type(), current, options));
            if (r.object() != null) {
                deleted.add(r.object());
            }
        });
        long version = listed.continueToken() != null ? listed.version() : store.currentVersion();
        return ok(representation.list(path.type(), deleted, version, format, query.get("includeObject"),
                listed.continueToken()), format);
    }

    // ---- helpers ----

    private ApiResponse ok(JsonNode node, Format format) {
        return ApiResponse.bytes(200, format.contentType(), representation.encode(node, format), List.of());
    }

    static ObjectNode metadata(ObjectNode obj) {
        JsonNode meta = obj.get("metadata");
        if (meta == null || meta.isNull()) {
            return obj.putObject("metadata");
        }
        if (meta instanceof ObjectNode m) {
            return m;
        }
        throw ApiException.badRequest("metadata: Invalid value: must be an object");
    }

    private static void stampKind(ResourceType type, ObjectNode obj) {
        obj.put("kind", type.kind());
        obj.put("apiVersion", type.apiVersion());
    }

    private static boolean isDryRun(Query query) {
        String dryRun = query.get("dryRun");
        if (dryRun == null || dryRun.isEmpty()) {
            return false;
        }
        if (!dryRun.equals("All")) {
            throw ApiException.badRequest("dryRun: Unsupported value: \"" + dryRun + "\": supported values: \"All\"");
        }
        return true;
    }

    private static boolean isEmpty(JsonNode array) {
        return array == null || array.isMissingNode() || array.isNull() || (array.isArray() && array.isEmpty());
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (n.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private String now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private String randomSuffix() {
        StringBuilder sb = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            sb.append(GENERATE_ALPHABET.charAt(random.nextInt(GENERATE_ALPHABET.length())));
        }
        return sb.toString();
    }
}
