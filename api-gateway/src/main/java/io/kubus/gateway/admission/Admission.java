package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.ObjectMetaValidation;
import io.kubus.gateway.registry.Strategies;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceType;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * Everything an object passes on its way into the store, in kube-apiserver's order: unknown fields (refused, warned
 * about or dropped per {@code fieldValidation}, never stored), strict decoding into the model class (400 naming the
 * field), the kind's defaults, the mutating admission plugins, then for a create the kind's PrepareForCreate, and
 * the kind's validation (its metadata generically, the rest by its strategy; for an update also its update rules),
 * and last the validating admission plugins. Refusals are {@link AdmissionException}s naming the field at fault.
 */
@Singleton
public class Admission {
    private final StrictDecoder decoder = new StrictDecoder();
    private final UnknownFields unknownFields = new UnknownFields(decoder.mapper());
    private final Strategies strategies;
    private final List<AdmissionPlugin> plugins;

    public Admission(Strategies strategies, List<AdmissionPlugin> plugins) {
        this.strategies = strategies;
        this.plugins = List.copyOf(plugins);
    }

    /** A new object (server-owned metadata already set): decoded, defaulted, prepared and validated. */
    public ObjectNode admitCreate(ResourceType type, ObjectNode object, FieldValidation validation, List<String> warnings) {
        return admit(type, object, null, validation, warnings);
    }

    /**
     * A changed object, whose server-owned fields the caller has already restored from {@code old} (the strategy's
     * PrepareForUpdate for the object itself, the subresource's own rule for status or finalize).
     */
    public ObjectNode admitUpdate(ResourceType type, ObjectNode object, ObjectNode old, FieldValidation validation,
                                  List<String> warnings) {
        return admit(type, object, old, validation, warnings);
    }

    /** The plugins' admission of a create that must be atomic with it: called inside the create's store transaction. */
    public void admitInTransaction(ResourceType type, ObjectNode admitted, List<String> warnings, ObjectStore store) {
        AdmissionRequest request = new AdmissionRequest(type, admitted, null, warnings);
        plugins.forEach(p -> p.admitInTransaction(request, store));
    }

    private ObjectNode admit(ResourceType type, ObjectNode object, @Nullable ObjectNode old, FieldValidation validation,
                             List<String> warnings) {
        Strategy strategy = strategies.of(type);
        ObjectNode input = object.deepCopy();
        List<String> unknown = unknownFields.strip(input, type.type());
        if (!unknown.isEmpty()) {
            switch (validation) {
                case STRICT -> throw AdmissionException.invalid(type, name(object), unknown.stream()
                        .map(f -> new FieldProblem(f, FieldProblem.INVALID, "unknown field \"" + f + "\"")).toList());
                case WARN -> unknown.forEach(f -> warnings.add("unknown field \"" + f + "\""));
                case IGNORE -> {
                    // dropped silently, as asked
                }
            }
        }
        strategy.checkDecoding(input);
        ObjectNode decoded = decoder.mapper().valueToTree(decoder.decode(type, input, type.type()));
        strategy.defaults(decoded);
        AdmissionRequest request = new AdmissionRequest(type, decoded, old, warnings);
        plugins.forEach(p -> p.mutate(request));
        if (old == null) {
            strategy.prepareForCreate(decoded);
        }
        ErrorList errs = new ErrorList();
        ObjectMetaValidation.objectMeta(JsonTree.objOrNull(decoded, "metadata"), "metadata", strategy::validateName,
                type.namespaced(), errs);
        strategy.validate(decoded, errs);
        if (old == null) {
            strategy.validateCreate(decoded, errs);
        } else {
            strategy.validateUpdate(decoded, old, errs);
        }
        if (!errs.isEmpty()) {
            throw AdmissionException.invalid(type, name(object), errs.problems());
        }
        plugins.forEach(p -> p.validate(request));
        return decoded;
    }

    private static String name(ObjectNode object) {
        JsonNode meta = object.path("metadata");
        String name = meta.path("name").asText("");
        return name.isEmpty() ? meta.path("generateName").asText("") : name;
    }
}
