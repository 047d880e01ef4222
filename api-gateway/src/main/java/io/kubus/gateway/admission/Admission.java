package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.registry.Conversions;
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

import java.util.ArrayList;
import java.util.List;

/**
 * Everything an object passes on its way into the store, in kube-apiserver's order: unknown fields (refused, warned
 * about or dropped per {@code fieldValidation}, never stored), strict decoding into the model class (400 naming the
 * field), the kind's defaults, the mutating admission plugins, then for a create the kind's PrepareForCreate, and
 * the kind's validation (its metadata generically, the rest by its strategy; for an update also its update rules),
 * and last the validating admission plugins. Refusals are {@link AdmissionException}s naming the field at fault.
 *
 * <p>A body in a served-only version ({@link #toStorage}) passes the first two steps against its own version's model,
 * then is converted; from there on it is an object of the storage version, which every later step sees, with the
 * served version's own validation ({@link Conversions#validate}) beside the strategy's.
 */
@Singleton
public class Admission {
    private final StrictDecoder decoder = new StrictDecoder();
    private final UnknownFields unknownFields = new UnknownFields(decoder.mapper());
    private final Strategies strategies;
    private final Conversions conversions;
    private final List<AdmissionPlugin> plugins;

    public Admission(Strategies strategies, Conversions conversions, List<AdmissionPlugin> plugins) {
        this.strategies = strategies;
        this.conversions = conversions;
        this.plugins = List.copyOf(plugins);
    }

    /**
     * A body of {@code type} as its storage version keeps it. A served-only version's body is first held to its own
     * model as strictly as a stored kind's (unknown fields as {@code validation} says, strict decoding), so that what
     * its version does not know is reported in its own terms, and then converted; a storage type's body is returned
     * as it is, for {@link #admitCreate}/{@link #admitUpdate} to check.
     */
    public ObjectNode toStorage(ResourceType type, ObjectNode object, FieldValidation validation, List<String> warnings) {
        return type.isStorageType() ? object
                : conversions.toStorage(type, decode(type, strategies.of(type), object, validation, warnings));
    }

    /**
     * A new object (server-owned metadata already set, in its storage version): decoded, defaulted, prepared and
     * validated. {@code type} is the version the request named; the object is admitted as its storage type.
     * {@code user} is the user the create acts as (kube's admission attributes carry it too).
     */
    public ObjectNode admitCreate(ResourceType type, ObjectNode object, UserInfo user, FieldValidation validation,
                                  List<String> warnings) {
        return admit(type, object, null, user, validation, warnings);
    }

    /**
     * A changed object, whose server-owned fields the caller has already restored from {@code old} (the strategy's
     * PrepareForUpdate for the object itself, the subresource's own rule for status or finalize), by {@code user}.
     */
    public ObjectNode admitUpdate(ResourceType type, ObjectNode object, ObjectNode old, UserInfo user,
                                  FieldValidation validation, List<String> warnings) {
        return admit(type, object, old, user, validation, warnings);
    }

    /** The plugins' admission of a create that must be atomic with it: called inside the create's store transaction. */
    public void admitInTransaction(ResourceType type, ObjectNode admitted, UserInfo user, List<String> warnings,
                                   ObjectStore store) {
        AdmissionRequest request = new AdmissionRequest(type.storageType(), admitted, null, user, warnings);
        plugins.forEach(p -> p.admitInTransaction(request, store));
    }

    private ObjectNode admit(ResourceType requested, ObjectNode object, @Nullable ObjectNode old, UserInfo user,
                             FieldValidation validation, List<String> warnings) {
        ResourceType type = requested.storageType();
        // the requested version's: a custom kind's versions each have their own schema
        Strategy strategy = strategies.of(requested);
        ObjectNode decoded = decode(type, strategy, object, validation, warnings);
        strategy.defaults(decoded);
        AdmissionRequest request = new AdmissionRequest(type, decoded, old, user, warnings);
        plugins.forEach(p -> p.mutate(request));
        if (old == null) {
            strategy.prepareForCreate(decoded, user);
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
        conversions.validate(requested, decoded, old, errs);
        if (!errs.isEmpty()) {
            throw AdmissionException.invalid(type, name(object), errs.problems());
        }
        plugins.forEach(p -> p.validate(request));
        return decoded;
    }

    /**
     * The object decoded into {@code type}'s model, as JSON: members the model does not know are refused, warned
     * about or dropped as {@code validation} says (never kept), and a member of the wrong JSON type is a 400.
     */
    private ObjectNode decode(ResourceType type, Strategy strategy, ObjectNode object, FieldValidation validation,
                             List<String> warnings) {
        ObjectNode input = object.deepCopy();
        List<String> unknown = new ArrayList<>(unknownFields.strip(input, type.type()));
        unknown.addAll(strategy.prune(input));
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
        if (type.isStorageType()) {
            // What Go's decoding of the kind refuses; a served version's body meets it once converted.
            strategy.checkDecoding(input);
        }
        return decoder.mapper().valueToTree(decoder.decode(type, input, type.type()));
    }

    private static String name(ObjectNode object) {
        JsonNode meta = object.path("metadata");
        String name = meta.path("name").asText("");
        return name.isEmpty() ? meta.path("generateName").asText("") : name;
    }
}
