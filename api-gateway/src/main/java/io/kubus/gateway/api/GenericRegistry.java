package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.admission.Admission;
import io.kubus.gateway.apply.ApplyConflictException;
import io.kubus.gateway.apply.FieldManager;
import io.kubus.gateway.admission.FieldValidation;
import io.kubus.gateway.patch.JsonMergePatch;
import io.kubus.gateway.patch.JsonPatch;
import io.kubus.gateway.patch.PatchException;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.StrategicMergePatch;
import io.kubus.gateway.registry.Conversions;
import io.kubus.gateway.registry.DeleteIntent;
import io.kubus.gateway.registry.Deletions;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ServerMetadata;
import io.kubus.gateway.registry.Strategies;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.store.DuplicateObjectException;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.store.WriteResult;
import io.kubus.schema.KubusJson;
import io.kubus.schema.event.WatchEventType;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The generic create, update and delete of one object, as kube-apiserver's registry store does them
 * (k8s.io/apiserver/pkg/registry/generic/registry/store.go, rest.BeforeCreate/BeforeUpdate): the metadata rules every
 * kind shares here, and what a kind does differently through its {@link Strategy}. The verbs' dispatch
 * ({@link ResourceApi}) and the subresources with logic of their own use it.
 */
@Singleton
public class GenericRegistry {
    private static final String GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    /** ObjectMeta fields only the server sets; an update keeps the stored ones. */
    private static final List<String> SERVER_META = List.of("uid", "creationTimestamp", "generation", "deletionTimestamp",
            "deletionGracePeriodSeconds", "namespace", "name");

    private final ObjectStore store;
    private final Admission admission;
    private final Strategies strategies;
    private final Conversions conversions;
    private final Representation representation;
    private final RequestBodies bodies;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public GenericRegistry(ObjectStore store, Admission admission, Strategies strategies, Conversions conversions,
                           Representation representation, RequestBodies bodies, Clock clock) {
        this.store = store;
        this.admission = admission;
        this.strategies = strategies;
        this.conversions = conversions;
        this.representation = representation;
        this.bodies = bodies;
        this.clock = clock;
    }

    public Strategy strategy(ResourceType type) {
        return strategies.of(type);
    }

    /** The object a request names, or 404. */
    public ObjectNode require(ApiPath path) {
        return store.get(path.type(), path.storeNamespace(), path.name())
                .orElseThrow(() -> ApiException.notFound(path.type(), path.name()));
    }

    // ---- create ----

    /**
     * Creates {@code body}, the decoded body of a create in the request's version: BeforeCreate's metadata rules,
     * admission, the store, all in the kind's storage version.
     */
    public ApiResponse create(ApiRequest request, ObjectNode body) {
        return create(request, body, true);
    }

    /**
     * As {@link #create(ApiRequest, ObjectNode)}; {@code recordUpdate} false when the body already carries the
     * managedFields of an apply that creates the object.
     */
    ApiResponse create(ApiRequest request, ObjectNode body, boolean recordUpdate) {
        ApiPath path = request.path();
        ResourceType type = path.type();
        FieldValidation validation = fieldValidation(request.query());
        List<String> warnings = new ArrayList<>();
        ObjectNode obj = admission.toStorage(type, body, validation, warnings);
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
        ServerMetadata.created(meta, clock);
        ObjectNode created = admission.admitCreate(type, obj, request.user(), validation, warnings);
        ObjectNode admitted = recordUpdate ? recordUpdate(request, null, created) : created;
        stampKind(type.storageType(), admitted);
        if (isDryRun(request.query())) {
            return respond(201, request, admitted, warnings);
        }
        Strategy strategy = strategies.of(type);
        String finalName = name;
        try {
            WriteResult result = store.write(type, namespace, name, current -> {
                if (current != null) {
                    throw ApiException.alreadyExists(type, finalName);
                }
                if (type.namespaced()) {
                    requireAcceptingNamespace(namespace, type, finalName);
                }
                strategy.beginCreate(admitted, store);
                admission.admitInTransaction(type, admitted, request.user(), warnings, store);
                return WriteOutcome.put(admitted);
            });
            return respond(201, request, result.object(), warnings);
        } catch (DuplicateObjectException e) {
            throw ApiException.alreadyExists(type, name);
        }
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

    /** The object's namespace is the URL's: a different one in the body is refused, none is filled in. */
    public static String bindNamespace(ApiPath path, ObjectNode meta) {
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

    // ---- update ----

    /** How an update turns the stored object and the one the caller wants into the one to admit. */
    @FunctionalInterface
    public interface Preparation {
        ObjectNode next(ObjectNode current, ObjectNode wanted);
    }

    /**
     * An update of the object itself: the server-owned metadata stays as stored (a terminating object may lose
     * finalizers but gain none), and the kind's PrepareForUpdate keeps what else it owns.
     */
    public Preparation objectUpdate(ResourceType type) {
        Strategy strategy = strategies.of(type);
        return (current, wanted) -> {
            ObjectNode meta = metadata(wanted);
            JsonNode curMeta = current.path("metadata");
            for (String f : SERVER_META) {
                JsonTree.keep(meta, curMeta, f);
            }
            meta.remove("resourceVersion");
            if (curMeta.hasNonNull("deletionTimestamp")) {
                // ValidateNoNewFinalizers: a field error, so 422 Invalid as kube-apiserver answers.
                List<String> added = new ArrayList<>();
                for (JsonNode f : meta.path("finalizers")) {
                    if (!JsonTree.contains(curMeta.path("finalizers"), f.asText())) {
                        added.add("\"" + f.asText() + "\"");
                    }
                }
                if (!added.isEmpty()) {
                    throw ApiException.invalid(type, meta.path("name").asText(), List.of(ApiException.cause(
                            "FieldValueForbidden", "metadata.finalizers", "Forbidden: no new finalizers can be added if the "
                                    + "object is being deleted, found new finalizers []string{" + String.join(", ", added) + "}")));
                }
            }
            strategy.prepareForUpdate(wanted, current);
            return wanted;
        };
    }

    /** The status subresource changes only status: everything else stays as stored. */
    public static ObjectNode withStatusOf(ObjectNode current, ObjectNode wanted) {
        ObjectNode next = current.deepCopy();
        JsonTree.keep(next, wanted, "status");
        return next;
    }

    /**
     * The common path of PUT and PATCH: under the row lock, compute the new state from the current one as the
     * request's version shows it ({@code desired} works in that version: a patch applies to the served view), take it
     * back to the storage version, check the caller's resourceVersion, keep what the caller may not change, admit, and
     * store unless nothing changed.
     */
    public ApiResponse update(ApiRequest request, UnaryOperator<ObjectNode> desired, Preparation prepare) {
        return update(request, desired, prepare, true);
    }

    /**
     * The update; {@code recordUpdate} false for an apply, whose {@code desired} already recorded its manager's
     * fields (operation Apply) in the object's managedFields.
     */
    private ApiResponse update(ApiRequest request, UnaryOperator<ObjectNode> desired, Preparation prepare,
                               boolean recordUpdate) {
        ApiPath path = request.path();
        ResourceType type = path.type();
        FieldValidation validation = fieldValidation(request.query());
        List<String> warnings = new ArrayList<>();
        boolean dryRun = isDryRun(request.query());
        ObjectNode[] dry = new ObjectNode[1];
        // Decided on the object as last committed, outside the store's ordered section; only the kind's BeginUpdate
        // (allocations) and the outcome wait for it (ObjectStore.update). A decision may run again on a newer state.
        WriteResult result = store.update(type, path.storeNamespace(), path.name(), current -> {
            if (current == null) {
                throw ApiException.notFound(type, path.name());
            }
            warnings.clear();
            ObjectNode wanted = admission.toStorage(type,
                    desired.apply(conversions.fromStorage(type, current.deepCopy())), validation, warnings);
            checkResourceVersion(type, path.name(), metadata(wanted), current);
            ObjectNode admitted = admission.admitUpdate(type, prepare.next(current, wanted), current, request.user(),
                    validation, warnings);
            return recordUpdate ? recordUpdate(request, current, admitted) : admitted;
        }, (current, next) -> {
            strategies.of(type).beginUpdate(next, current, store);
            stampKind(type.storageType(), next);
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
        return respond(200, request, shown, warnings);
    }

    /** A PUT: the body is the new state, less what {@code prepare} keeps from the stored object. */
    public ApiResponse replace(ApiRequest request, Preparation prepare) {
        ObjectNode obj = bodies.object(request.path().type(), request.contentType(), request.body());
        return update(request, replacement(request.path(), obj), prepare);
    }

    /** A PATCH of the stored object, in the request's version, less what {@code prepare} keeps from it. */
    public ApiResponse patch(ApiRequest request, Preparation prepare) {
        ApiPath path = request.path();
        PatchType patchType = PatchType.of(request.contentType());
        if (patchType == PatchType.STRATEGIC && !strategy(path.type()).strategicMergePatch()) {
            throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - accepted media "
                    + "types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }
        JsonNode patch = bodies.patch(patchType, request.body());
        if (patchType == PatchType.APPLY) {
            return update(request, current -> apply(request, current, patch), prepare, false);
        }
        return update(request, current -> {
            ObjectNode patched = applyPatch(patchType, current, patch, strategy(path.type()).patchSchema());
            if (!Objects.equals(patched.path("kind").asText(null), current.path("kind").asText(null))
                    || !Objects.equals(patched.path("apiVersion").asText(null), current.path("apiVersion").asText(null))) {
                throw ApiException.badRequest("a patch may not change kind or apiVersion");
            }
            return patched;
        }, prepare);
    }

    /**
     * Server-side apply: the applied configuration merged into {@code live} (null for a missing object) as field
     * ownership says, its manager's fields recorded with operation Apply; 409 with kube's message on a conflict unless
     * {@code force}. The configuration must name the object's kind, and a manager is required.
     */
    ObjectNode apply(ApiRequest request, @Nullable ObjectNode live, JsonNode config) {
        ApiPath path = request.path();
        ResourceType type = path.type();
        String manager = request.query().get("fieldManager");
        if (manager == null || manager.isEmpty()) {
            throw ApiException.badRequest("fieldManager is required for apply requests");
        }
        if (!(config instanceof ObjectNode applied)) {
            throw ApiException.badRequest("the apply configuration must be an object");
        }
        if (!type.apiVersion().equals(applied.path("apiVersion").asText())) {
            throw ApiException.badRequest("Incorrect version specified in apply patch. Specified patch version: "
                    + applied.path("apiVersion").asText() + ", expected: " + type.apiVersion());
        }
        if (!type.kind().equals(applied.path("kind").asText())) {
            throw ApiException.badRequest("Incorrect kind specified in apply patch. Specified patch kind: "
                    + applied.path("kind").asText() + ", expected: " + type.kind());
        }
        try {
            return fieldManager(type, path.subresource()).apply(live == null ? JsonTree.F.objectNode() : live,
                    applied, manager, type.apiVersion(), request.query().isTrue("force")).object();
        } catch (ApplyConflictException e) {
            throw ApiException.applyConflict(e);
        } catch (IllegalArgumentException e) {
            // a configuration the kind's list types cannot hold (duplicate keys, an item without its key fields)
            throw ApiException.badRequest("failed to create typed patch object (" + type.group() + "/" + type.version()
                    + ", Kind=" + type.kind() + "): " + e.getMessage());
        }
    }

    /**
     * The object with its writer's changed fields recorded as its manager's (operation Update). Managed fields the
     * field manager cannot read (a client's garbage in them) are dropped rather than refused, as kube's
     * UpdateNoErrors does: ownership restarts from the next apply.
     */
    private ObjectNode recordUpdate(ApiRequest request, @Nullable ObjectNode current, ObjectNode next) {
        ApiPath path = request.path();
        try {
            return fieldManager(path.type(), path.subresource()).update(current, next, request.fieldManager(),
                    path.type().apiVersion(), path.subresource()).object();
        } catch (IllegalArgumentException e) {
            metadata(next).remove("managedFields");
            return next;
        }
    }

    /** Server-side apply's field ownership of a kind, for a write through {@code subresource} (null: the object). */
    private FieldManager fieldManager(ResourceType type, @Nullable String subresource) {
        Strategy strategy = strategies.of(type);
        return new FieldManager(strategy.fieldTypes(), strategy.resetFields(subresource), clock);
    }

    /**
     * The object of a PUT as the new state: it must name the object of the URL, in its namespace, and when it
     * carries a uid that uid is a precondition (kube-apiserver's rest.defaultUpdatedObjectInfo).
     */
    public static UnaryOperator<ObjectNode> replacement(ApiPath path, ObjectNode obj) {
        ObjectNode meta = metadata(obj);
        String bodyName = meta.path("name").asText("");
        if (!bodyName.equals(path.name())) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL ("
                    + path.name() + ")");
        }
        bindNamespace(path, meta);
        String uid = meta.path("uid").asText("");
        return current -> {
            String actual = current.path("metadata").path("uid").asText("");
            if (!uid.isEmpty() && !uid.equals(actual)) {
                throw ApiException.conflict(path.type(), path.name(), "Precondition failed: UID in precondition: " + uid
                        + ", UID in object meta: " + actual);
            }
            return obj;
        };
    }

    /** 409 when the caller names a resourceVersion that is no longer the stored one (optimistic concurrency). */
    public static void checkResourceVersion(ResourceType type, String name, ObjectNode wantedMeta, ObjectNode current) {
        String wanted = wantedMeta.path("resourceVersion").asText("");
        String actual = current.path("metadata").path("resourceVersion").asText("");
        if (!wanted.isEmpty() && !wanted.equals(actual)) {
            throw ApiException.conflict(type, name,
                    "the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    /** metadata.generation counts changes of everything but metadata and status (kube-apiserver's rule). */
    public static void bumpGeneration(ObjectNode current, ObjectNode next) {
        ObjectNode a = current.deepCopy();
        ObjectNode b = next.deepCopy();
        a.remove(List.of("metadata", "status"));
        b.remove(List.of("metadata", "status"));
        long generation = current.path("metadata").path("generation").asLong(1);
        metadata(next).put("generation", KubusJson.equivalent(a, b) ? generation : generation + 1);
    }

    /**
     * Stores the new state, or nothing when it equals the current one; and removes an object whose deletion was only
     * waiting for its last finalizer (for a namespace also the spec.finalizers only finalize removes;
     * kube-apiserver's ShouldDeleteNamespaceDuringUpdate).
     */
    public static WriteOutcome settle(ObjectNode current, ObjectNode next) {
        JsonNode meta = next.path("metadata");
        if (meta.hasNonNull("deletionTimestamp") && JsonTree.isEmpty(meta.path("finalizers"))
                && JsonTree.isEmpty(next.path("spec").path("finalizers"))
                && meta.path("deletionGracePeriodSeconds").asLong(0) == 0) {
            return WriteOutcome.remove();
        }
        ObjectNode a = current.deepCopy();
        ObjectNode b = next.deepCopy();
        metadata(a).remove("resourceVersion");
        metadata(b).remove("resourceVersion");
        return KubusJson.equivalent(a, b) ? WriteOutcome.keep() : WriteOutcome.put(next);
    }

    /** A patch of any of the four kinds applied to {@code target}; strategic ones by the given schema. */
    public static ObjectNode applyPatch(PatchType patchType, JsonNode target, JsonNode patch, PatchSchema schema) {
        JsonNode patched;
        try {
            patched = switch (patchType) {
                case JSON -> JsonPatch.apply(target, patch);
                case MERGE -> JsonMergePatch.apply(target, patch);
                case STRATEGIC, APPLY -> StrategicMergePatch.apply(target, patch, schema);
            };
        } catch (PatchException e) {
            throw ApiException.of(422, "Invalid", e.getMessage(), null);
        }
        if (patched instanceof ObjectNode o) {
            return o;
        }
        throw ApiException.badRequest("the patch did not produce an object");
    }

    // ---- delete ----

    /** Deletes the object a request names, as its strategy lets it go. */
    public ApiResponse delete(ApiRequest request, DeleteRequest options) {
        ApiPath path = request.path();
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
        if (!options.dryRun() && result.change() == WatchEventType.DELETED
                && !strategies.of(path.type()).returnDeletedObject()) {
            return ok(deleted(path.type(), result.object()), request.format());
        }
        return respond(200, request, options.dryRun() ? last[0] : result.object(), List.of());
    }

    /**
     * kube-apiserver's answer to a delete that removed the object at once, for a kind that does not return it
     * (finalizeDelete): a Success Status whose details name the object, its group, and as "kind" its resource.
     */
    private static ObjectNode deleted(ResourceType type, ObjectNode object) {
        ObjectNode status = JsonTree.F.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Success");
        ObjectNode details = status.putObject("details");
        details.put("name", object.path("metadata").path("name").asText());
        if (!type.group().isEmpty()) {
            details.put("group", type.group());
        }
        details.put("kind", type.plural());
        details.put("uid", object.path("metadata").path("uid").asText());
        return status;
    }

    /** What a delete does with one object: at once, after its grace period, or once its finalizers let it go. */
    public WriteOutcome deletion(ResourceType type, ObjectNode current, DeleteRequest options) {
        return Deletions.delete(strategies.of(type), current,
                new DeleteIntent(options.propagationPolicy(), options.gracePeriodSeconds(), Instant.now(clock)));
    }

    // ---- helpers ----

    /**
     * The stored object as the client asked for it (in the request's version: JSON, YAML, a one-row Table), with the
     * warnings admission gave.
     */
    public ApiResponse respond(int code, ApiRequest request, ObjectNode object, List<String> warnings) {
        JsonNode shown = representation.object(request.path().type(), object, request.format(),
                request.query().get("includeObject"));
        return ApiResponse.bytes(code, request.format().contentType(), representation.encode(shown, request.format()), warnings);
    }

    /**
     * 201 with a Success Status: what kube-apiserver answers a create whose storage returns no object of its own (a
     * binding, an eviction).
     */
    public ApiResponse created(Format format) {
        ObjectNode status = JsonTree.F.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Success");
        status.put("code", 201);
        return ApiResponse.bytes(201, format.contentType(), representation.encode(status, format), List.of());
    }

    public ApiResponse ok(JsonNode node, Format format) {
        return ApiResponse.bytes(200, format.contentType(), representation.encode(node, format), List.of());
    }

    public static ObjectNode metadata(ObjectNode obj) {
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

    public static boolean isDryRun(Query query) {
        String dryRun = query.get("dryRun");
        if (dryRun == null || dryRun.isEmpty()) {
            return false;
        }
        if (!dryRun.equals("All")) {
            throw ApiException.badRequest("dryRun: Unsupported value: \"" + dryRun + "\": supported values: \"All\"");
        }
        return true;
    }

    private static FieldValidation fieldValidation(Query query) {
        return FieldValidation.parse(query.get("fieldValidation"));
    }

    public String now() {
        return ServerMetadata.now(clock);
    }

    /** Five characters as apiserver's SimpleNameGenerator picks them (generateName, and names other code makes). */
    public String randomSuffix() {
        StringBuilder sb = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            sb.append(GENERATE_ALPHABET.charAt(random.nextInt(GENERATE_ALPHABET.length())));
        }
        return sb.toString();
    }

    /** The store, for subresources that write more than one object's own fields (a binding, a scale). */
    public ObjectStore store() {
        return store;
    }
}
