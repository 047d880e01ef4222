package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.config.GatewaySettings;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything an object passes on its way into the store, in the apiserver's order: unknown fields (refused, warned
 * about or dropped per {@code fieldValidation}, never stored), strict decoding into the model class (400 naming the
 * field), defaults, the mutating admission plugins (DefaultTolerationSeconds), create validation, then the update-only
 * rules. Refusals are ApiExceptions (400 for undecodable input, 422 Invalid with one cause per problem) that name the
 * field at fault.
 */
@Singleton
public class Admission {
    private final StrictDecoder decoder = new StrictDecoder();
    private final UnknownFields unknownFields = new UnknownFields(decoder.mapper());
    private final DefaultTolerationSeconds defaultTolerations;

    public Admission(GatewaySettings settings) {
        this.defaultTolerations = new DefaultTolerationSeconds(settings.getDefaultNotReadyTolerationSeconds(),
                settings.getDefaultUnreachableTolerationSeconds());
    }

    /**
     * @param type       the kind
     * @param object     the object as it will be stored (server-owned metadata already set)
     * @param old        the stored object for an update, null for a create
     * @param validation what to do with unknown fields
     * @param warnings   receives warnings for the {@code Warning} response header
     * @return the object to store: decoded, defaulted, validated
     */
    public ObjectNode admit(ResourceType type, ObjectNode object, @Nullable ObjectNode old, FieldValidation validation,
                            List<String> warnings) {
        ObjectNode input = object.deepCopy();
        List<String> unknown = unknownFields.strip(input, type.type());
        if (!unknown.isEmpty()) {
            switch (validation) {
                case STRICT -> throw ApiException.invalid(type, name(object), unknown.stream()
                        .map(f -> ApiException.cause("FieldValueInvalid", f, "unknown field \"" + f + "\""))
                        .collect(Collectors.toList()));
                case WARN -> unknown.forEach(f -> warnings.add("unknown field \"" + f + "\""));
                case IGNORE -> {
                    // dropped silently, as asked
                }
            }
        }
        Object typed = decoder.decode(type, input, type.type());
        ObjectNode decoded = decoder.mapper().valueToTree(typed);
        if (type.kind().equals("Secret")) {
            secretData(type, decoded);
        }
        if (old != null) {
            UpdateRules.carryOverAllocated(type, decoded, old);
        }
        Defaults.apply(type, decoded, old == null);
        if (type == ResourceTypes.PODS) {
            // On updates too, as Kubernetes: a replace without them (kubectl replace -f) gets them back rather than
            // being refused for removing tolerations. A status write keeps the stored spec, which has them already.
            defaultTolerations.apply(decoded);
        }
        Errors errs = new Errors();
        Validation.validate(type, decoded, errs);
        if (old != null) {
            UpdateRules.validate(type, decoded, old, errs);
        }
        if (!errs.isEmpty()) {
            throw ApiException.invalid(type, name(object), errs.causes());
        }
        return decoded;
    }

    private static String name(ObjectNode object) {
        JsonNode meta = object.path("metadata");
        String name = meta.path("name").asText("");
        return name.isEmpty() ? meta.path("generateName").asText("") : name;
    }

    /** Secret values are []byte in Kubernetes, so bad base64 is a decoding error (400), not a validation one. */
    private static void secretData(ResourceType type, ObjectNode secret) {
        JsonNode data = secret.get("data");
        if (data == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : data.properties()) {
            int bad = Base64Check.firstIllegal(e.getValue().asText());
            if (bad >= 0) {
                throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                        + type.kind() + ": illegal base64 data at input byte " + bad);
            }
        }
    }
}
