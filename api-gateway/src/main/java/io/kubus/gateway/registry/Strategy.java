package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.apply.FieldSet;
import io.kubus.gateway.apply.FieldType;
import io.kubus.gateway.apply.PatchSchemaFieldTypes;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import io.micronaut.core.annotation.Nullable;

import java.util.List;
import java.util.Set;

/**
 * Everything one kind does differently from the generic request path, as a kube-apiserver registry strategy does
 * (pkg/registry/&lt;group&gt;/&lt;kind&gt;/strategy.go): its defaults, what the server sets on create and keeps on update,
 * its validation, its delete rules, its table columns, its strategic-merge schema and selectable fields. The generic
 * path ({@code ResourceApi}, {@code Admission}, the status ingester) finds a kind's strategy through
 * {@link Strategies} and never asks which kind it holds. Every method but {@link #type()} has the behaviour most
 * kinds want as its default. Strategies work on the JSON of an object that already decoded cleanly into its model.
 */
public interface Strategy {
    /** The default garbage collection policies a delete request may name, as kube-apiserver spells them. */
    String BACKGROUND = "Background";
    String ORPHAN = "Orphan";

    /** The kind this strategy is for; it must be the type's storage version. */
    ResourceType type();

    /** Whether status is written through a status subresource only, and so kept apart from the object's writes. */
    default boolean statusSubresource() {
        return type().hasSubresource("status");
    }

    /** The rule for {@code metadata.name} (ValidateObjectMeta's name function): a DNS-1123 subdomain for most kinds. */
    default List<String> validateName(String name) {
        return Names.dns1123Subdomain(name);
    }

    /**
     * What Go's JSON decoding of the kind refuses and its model class cannot tell, checked on the object's JSON before
     * it is decoded: throws the 400 kube-apiserver's decoder gives, and may rewrite a value into the form Kubernetes
     * writes it back in (a Lease's MicroTimes: Go's time.Parse rules and message, then UTC with six fraction digits).
     * Nothing by default.
     */
    default void checkDecoding(ObjectNode object) {
    }

    /**
     * Drops, in place, what the kind's schema does not know, beyond what its model class refuses, and returns the
     * dropped fields' paths ({@code spec.foo}) for {@code fieldValidation} to refuse, warn about or ignore: a custom
     * kind's structural schema prunes its objects (kube's CR decoding). Nothing for built-in kinds, whose model class
     * says it all.
     */
    default List<String> prune(ObjectNode object) {
        return List.of();
    }

    /** The scheme's defaults (SetDefaults_&lt;Kind&gt;), applied to every object on its way in, created or updated. */
    default void defaults(ObjectNode object) {
    }

    /**
     * PrepareForCreate: what the server owns in a new object. A kind with a status subresource starts with the empty
     * status of {@link #emptyStatus()}: status belongs to the controllers and agents that observe the object, not to
     * its creator. {@code creator} is the user the create acts as (kube's request context), for kinds that record it.
     */
    default void prepareForCreate(ObjectNode object, UserInfo creator) {
        if (statusSubresource()) {
            object.set("status", emptyStatus());
        }
    }

    /**
     * The status of a new object as kube-apiserver returns it: the kind's zero status as Go serialises it, so its
     * fields without omitempty are there ({@code {"replicas":0}} for a ReplicaSet, {@code {"loadBalancer":{}}} for
     * a Service). {@code {}} by default.
     */
    default ObjectNode emptyStatus() {
        return JsonTree.F.objectNode();
    }

    /**
     * BeginCreate: work that must happen in the create's store transaction, under the store's writer lock, before the
     * object is stored (allocating a Service's cluster IP and node ports so that no two creates take the same one).
     */
    default void beginCreate(ObjectNode object, ObjectStore store) {
    }

    /**
     * BeginUpdate: as {@link #beginCreate}, for an admitted update (a Service that becomes a NodePort takes node ports
     * no other Service holds). {@code old} is the stored object.
     */
    default void beginUpdate(ObjectNode object, ObjectNode old, ObjectStore store) {
    }

    /** Validate: the kind's own rules for a new object, after defaults (its metadata is validated generically). */
    default void validate(ObjectNode object, ErrorList errors) {
    }

    /**
     * The rules only a create applies, beyond {@link #validate} (ValidateIngressCreate: an Ingress's class annotation
     * must match its ingressClassName, while an update may keep an old mismatch).
     */
    default void validateCreate(ObjectNode object, ErrorList errors) {
    }

    /**
     * PrepareForUpdate: what an update of the object itself may not change. A kind with a status subresource keeps
     * its stored status; only the status subresource writes it.
     */
    default void prepareForUpdate(ObjectNode object, ObjectNode old) {
        if (statusSubresource()) {
            JsonTree.keep(object, old, "status");
        }
    }

    /** ValidateUpdate: the update-only rules (what may not change once the object exists), beyond {@link #validate}. */
    default void validateUpdate(ObjectNode object, ObjectNode old, ErrorList errors) {
    }

    /**
     * The status an agent's report (a status topic record) stores: by default the reported one as it is. The report
     * replaces the whole status, as a PUT of the status subresource would.
     */
    default ObjectNode statusFromReport(ObjectNode current, ObjectNode reported) {
        return reported;
    }

    /**
     * The node whose agent reports this object's status and may act for it: none for most kinds. Status reports are
     * stored only for an object bound to the node that sent them.
     */
    default @Nullable String boundNode(ObjectNode object) {
        return null;
    }

    /**
     * CheckGracefulDelete: how many seconds a delete leaves the object to go, when its deletion is graceful. 0 (the
     * default) removes it at once, or as soon as its finalizers are gone; {@code requested} is the caller's
     * gracePeriodSeconds, null when none was given.
     */
    default long gracePeriodSeconds(ObjectNode object, @Nullable Long requested) {
        return 0;
    }

    /**
     * The kind's DefaultGarbageCollectionPolicy: what becomes of its dependents when a delete names no propagation
     * policy. {@link #BACKGROUND} for most kinds.
     */
    default String defaultGarbageCollectionPolicy() {
        return BACKGROUND;
    }

    /**
     * How a delete of this kind goes, for kinds whose deletion is not the generic one (a namespace empties itself
     * before it goes, and some may never be deleted). Null leaves it to the generic delete.
     */
    default @Nullable Deletion deletion() {
        return null;
    }

    /**
     * ReturnDeletedObject: whether a delete that removes the object at once answers with the object (pods, services,
     * volumes and claims, ...) or, as for most kinds, with a Success Status naming it. A delete that leaves the object
     * pending (grace period, finalizers) always answers with the object.
     */
    default boolean returnDeletedObject() {
        return false;
    }

    /**
     * The columns {@code kubectl get} prints: by default Name and Created At, as kube-apiserver prints the kinds
     * printers.go has no columns for.
     */
    default TablePrinter printer() {
        return TablePrinters.DEFAULT;
    }

    /** The patch strategies and merge keys of the kind's lists (its Go struct tags), for strategic merge patches. */
    default PatchSchema patchSchema() {
        return PatchSchemas.METADATA_ONLY;
    }

    /**
     * Whether a strategic merge patch applies to the kind: only to kinds with Go struct tags (the built-in ones); a
     * custom kind's patch of that type is answered 415, as kube-apiserver does.
     */
    default boolean strategicMergePatch() {
        return true;
    }

    /**
     * The list and map types of the kind's fields for server-side apply's field ownership: from its strategic-merge
     * schema for a built-in kind (its patch tags), from the structural schema for a custom one.
     */
    default FieldType fieldTypes() {
        return PatchSchemaFieldTypes.of(patchSchema());
    }

    /**
     * The fields a write through {@code subresource} (null for the object itself) resets and so nobody owns through
     * it (kube's ResetFieldsStrategy): status on the object itself, spec through the status subresource, for a kind
     * with one.
     */
    default FieldSet resetFields(@Nullable String subresource) {
        if (!statusSubresource()) {
            return FieldSet.EMPTY;
        }
        return FieldSet.of(FieldSet.path(subresource == null ? "status" : "spec"));
    }

    /**
     * The kind's OpenAPI v3 schema, as the OpenAPI document publishes it for {@code kubectl explain}; null when
     * Kubus has none to publish (the built-in kinds, for now: their documents carry only the PATCH operation kubectl's
     * validation looks for).
     */
    default @Nullable JsonNode openApiSchema() {
        return null;
    }

    /** The fields a field selector may name besides metadata.name and metadata.namespace. */
    default Set<String> selectableFields() {
        return Set.of();
    }

    /** The label selector of the scale subresource's status, for kinds with one. */
    default String scaleSelector(ObjectNode object) {
        return LabelSelectors.of(object.path("spec").path("selector")).toString();
    }

    /** The replicas the scale subresource shows as wanted: {@code spec.replicas} for the built-in kinds. */
    default int specReplicas(ObjectNode object) {
        return object.path("spec").path("replicas").asInt(0);
    }

    /** The replicas the scale subresource shows as there: {@code status.replicas} for the built-in kinds. */
    default int statusReplicas(ObjectNode object) {
        return object.path("status").path("replicas").asInt(0);
    }

    /** What a write of the scale subresource sets. */
    default void setSpecReplicas(ObjectNode object, int replicas) {
        JsonTree.obj(object, "spec").put("replicas", replicas);
    }
}
