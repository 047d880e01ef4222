package io.kubus.gateway.registry.apiextensions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.apiextensions.CustomResourceDefinitionValidation;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.registry.Conditions;
import io.kubus.gateway.registry.DeleteIntent;
import io.kubus.gateway.registry.Deletion;
import io.kubus.gateway.registry.Deletions;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.CustomResourceTypes;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * CustomResourceDefinitions (kube's apiextensions registry/customresourcedefinition): the v1 defaults, the status the
 * server starts them with (the storage version recorded as stored), validation as kube-apiserver's, and a delete
 * that first empties the kind: it adds the {@value #CLEANUP_FINALIZER} finalizer, which the definition controller
 * removes once every object of the kind is gone. Serving the kind is the definition controller's and
 * {@code ServedTypes}' business.
 */
@Singleton
public class CustomResourceDefinitionStrategy implements Strategy {
    public static final String CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

    @Override
    public ResourceType type() {
        return ResourceTypes.CUSTOMRESOURCEDEFINITIONS;
    }

    /** SetDefaults for apiextensions/v1: the None conversion (a webhook's port 443), singular and listKind from the kind. */
    @Override
    public void defaults(ObjectNode crd) {
        ObjectNode spec = JsonTree.obj(crd, "spec");
        ObjectNode conversion = JsonTree.obj(spec, "conversion");
        JsonTree.def(conversion, "strategy", "None");
        JsonNode service = conversion.path("webhook").path("clientConfig").path("service");
        if (service instanceof ObjectNode svc) {
            JsonTree.def(svc, "port", 443);
        }
        ObjectNode names = JsonTree.obj(spec, "names");
        String kind = names.path("kind").asText("");
        JsonTree.def(names, "singular", kind.toLowerCase(Locale.ROOT));
        if (!kind.isEmpty()) {
            JsonTree.def(names, "listKind", kind + "List");
        }
    }

    /** The status kube-apiserver starts a definition with: no names accepted yet, the storage version stored. */
    @Override
    public void prepareForCreate(ObjectNode crd, UserInfo creator) {
        ObjectNode status = crd.putObject("status");
        status.putObject("acceptedNames").put("plural", "").put("kind", "");
        ArrayNode stored = status.putArray("storedVersions");
        String storage = CustomResourceTypes.storageVersion(crd);
        if (storage != null) {
            stored.add(storage);
        }
    }

    /** The spec changes; status stays (the status subresource writes it), except a new storage version is recorded. */
    @Override
    public void prepareForUpdate(ObjectNode crd, ObjectNode old) {
        JsonTree.keep(crd, old, "status");
        String storage = CustomResourceTypes.storageVersion(crd);
        ArrayNode stored = JsonTree.obj(crd, "status").withArray("storedVersions");
        if (storage != null && !JsonTree.contains(stored, storage)) {
            stored.add(storage);
        }
    }

    @Override
    public void validate(ObjectNode crd, ErrorList errors) {
        CustomResourceDefinitionValidation.validate(crd, errors);
        CustomResourceDefinitionValidation.validateStatus(crd, errors);
    }

    @Override
    public void validateUpdate(ObjectNode crd, ObjectNode old, ErrorList errors) {
        CustomResourceDefinitionValidation.validateUpdate(crd, old, errors);
    }

    @Override
    public Deletion deletion() {
        return this::delete;
    }

    /** kube's CRD REST Delete: the cleanup finalizer and a Terminating condition, then the generic delete. */
    private WriteOutcome delete(ObjectNode current, DeleteIntent intent) {
        if (current.path("metadata").hasNonNull("deletionTimestamp")) {
            return Deletions.generic(this, current, intent);
        }
        ObjectNode marked = current.deepCopy();
        ArrayNode finalizers = JsonTree.obj(marked, "metadata").withArray("finalizers");
        if (!JsonTree.contains(finalizers, CLEANUP_FINALIZER)) {
            finalizers.add(CLEANUP_FINALIZER);
        }
        setCondition(marked, CustomResourceTypes.TERMINATING, "True", "InstanceDeletionPending",
                "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon", intent.now());
        return Deletions.generic(this, marked, intent);
    }

    /** Sets one condition of a definition's status ({@link Conditions#set}: CRD conditions have no probe time). */
    public static void setCondition(ObjectNode crd, String type, String status, String reason, String message,
                                    Instant now) {
        Conditions.set(crd, type, status, reason, message, now.truncatedTo(ChronoUnit.SECONDS).toString(), false);
    }
}
