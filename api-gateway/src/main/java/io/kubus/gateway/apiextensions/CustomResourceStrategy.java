package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.apiextensions.schema.Defaulting;
import io.kubus.gateway.apiextensions.schema.Pruning;
import io.kubus.gateway.apiextensions.schema.SchemaValidator;
import io.kubus.gateway.apiextensions.schema.StructuralSchema;
import io.kubus.gateway.apply.FieldType;
import io.kubus.gateway.apply.StructuralSchemaFieldTypes;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.schema.ResourceType;
import io.kubus.schema.validation.ErrorList;

import java.util.List;

/**
 * The strategy of one served version of a custom kind, built from its CustomResourceDefinition (kube's
 * customresource strategy with the version's structural schema): unknown fields pruned, the schema's defaults, the
 * schema's validation and its x-kubernetes-validations rules (transition rules on update), status kept apart when the
 * version has a status subresource, and the version's printer columns. Its {@link #type()} is the storage type, as
 * for every strategy; the schema is the served version's, as kube validates an object in the version it came in.
 */
public final class CustomResourceStrategy implements Strategy {
    private final ResourceType storage;
    private final boolean statusSubresource;
    private final StructuralSchema schema;
    private final CustomResourcePrinter printer;
    private final boolean terminating;
    private final String definition;
    private final JsonNode scale;
    private final FieldType fieldTypes;
    private final JsonNode openApiSchema;

    private CustomResourceStrategy(ResourceType storage, boolean statusSubresource, StructuralSchema schema,
                                   CustomResourcePrinter printer, boolean terminating, String definition, JsonNode scale,
                                   JsonNode openApiSchema) {
        this.storage = storage;
        this.statusSubresource = statusSubresource;
        this.schema = schema;
        this.printer = printer;
        this.terminating = terminating;
        this.definition = definition;
        this.scale = scale;
        this.fieldTypes = StructuralSchemaFieldTypes.of(schema);
        this.openApiSchema = openApiSchema;
    }

    /** The strategy of {@code version} of the kind {@code crd} defines, whose objects are stored as {@code storage}. */
    static CustomResourceStrategy of(JsonNode crd, ResourceType storage, String version) {
        JsonNode v = null;
        for (JsonNode candidate : crd.path("spec").path("versions")) {
            if (candidate.path("name").asText().equals(version)) {
                v = candidate;
            }
        }
        if (v == null) {
            throw new IllegalArgumentException("no version " + version + " in " + crd.path("metadata").path("name"));
        }
        return new CustomResourceStrategy(storage, v.path("subresources").has("status"),
                StructuralSchema.parse(v.path("schema").path("openAPIV3Schema")),
                CustomResourcePrinter.of(v.path("additionalPrinterColumns")),
                crd.path("metadata").hasNonNull("deletionTimestamp"), crd.path("metadata").path("name").asText(),
                v.path("subresources").path("scale"), published(v.path("schema").path("openAPIV3Schema")));
    }

    @Override
    public ResourceType type() {
        return storage;
    }

    @Override
    public List<String> prune(ObjectNode object) {
        return Pruning.prune(object, schema);
    }

    @Override
    public void defaults(ObjectNode object) {
        Defaulting.apply(object, schema);
    }

    /** Status is the controllers' to write: a create keeps none (kube drops it rather than setting an empty one). */
    @Override
    public void prepareForCreate(ObjectNode object, UserInfo creator) {
        if (statusSubresource) {
            object.remove("status");
        }
    }

    /** The served version's own subresources: a definition's versions may differ in them. */
    @Override
    public boolean statusSubresource() {
        return statusSubresource;
    }

    /** A definition being deleted takes no new objects, as kube-apiserver's CRD handler refuses them. */
    @Override
    public void beginCreate(ObjectNode object, ObjectStore store) {
        if (terminating) {
            throw ApiException.methodNotAllowed("create not allowed while custom resource definition is terminating");
        }
    }

    @Override
    public void validateCreate(ObjectNode object, ErrorList errors) {
        SchemaValidator.validateObject(object, schema, errors);
    }

    @Override
    public void validateUpdate(ObjectNode object, ObjectNode old, ErrorList errors) {
        SchemaValidator.validateObject(object, old, schema, errors);
    }

    /** Custom kinds have no Go struct tags: kube-apiserver answers a strategic merge patch of one with 415. */
    @Override
    public boolean strategicMergePatch() {
        return false;
    }

    /**
     * The scale subresource reads and writes the paths the version's {@code subresources.scale} names
     * ({@code .spec.replicas}-style paths of fields, validated with the definition); the selector is the string at
     * {@code labelSelectorPath}, none without one.
     */
    @Override
    public String scaleSelector(ObjectNode object) {
        String path = scale.path("labelSelectorPath").asText("");
        return path.isEmpty() ? "" : object.at(pointer(path)).asText("");
    }

    @Override
    public int specReplicas(ObjectNode object) {
        return object.at(pointer(scale.path("specReplicasPath").asText())).asInt(0);
    }

    @Override
    public int statusReplicas(ObjectNode object) {
        return object.at(pointer(scale.path("statusReplicasPath").asText())).asInt(0);
    }

    @Override
    public void setSpecReplicas(ObjectNode object, int replicas) {
        String[] fields = scale.path("specReplicasPath").asText().substring(1).split("\\.");
        ObjectNode parent = object;
        for (int i = 0; i < fields.length - 1; i++) {
            parent = JsonTree.obj(parent, fields[i]);
        }
        parent.put(fields[fields.length - 1], replicas);
    }

    /** {@code .spec.replicas} as the JSON Pointer {@code /spec/replicas}. */
    private static JsonPointer pointer(String fieldPath) {
        return JsonPointer.compile(fieldPath.replace("~", "~0").replace("/", "~1").replace('.', '/'));
    }

    @Override
    public FieldType fieldTypes() {
        return fieldTypes;
    }

    @Override
    public JsonNode openApiSchema() {
        return openApiSchema;
    }

    /**
     * The version's schema as kube-apiserver publishes a CRD's: the type meta described, metadata an object (kube
     * refers to ObjectMeta's schema, which Kubus does not publish), the rest as the definition wrote it.
     */
    private static JsonNode published(JsonNode openAPIV3Schema) {
        ObjectNode schema = openAPIV3Schema.isObject() ? openAPIV3Schema.deepCopy() : JsonTree.F.objectNode();
        ObjectNode properties = JsonTree.obj(schema, "properties");
        properties.putObject("apiVersion").put("type", "string").put("description", "APIVersion defines the versioned "
                + "schema of this representation of an object.");
        properties.putObject("kind").put("type", "string").put("description", "Kind is a string value representing "
                + "the REST resource this object represents.");
        properties.putObject("metadata").put("type", "object").put("description", "Standard object's metadata.");
        return schema;
    }

    @Override
    public TablePrinter printer() {
        return printer;
    }

    @Override
    public String toString() {
        return "custom resource strategy of " + definition;
    }
}
