package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * Everything an object passes on its way into the store: the schema check for unknown fields and wrong types,
 * the defaults kubectl relies on, and validation. Refusals are ApiExceptions (400 for undecodable input, 422 for
 * invalid values) that name the field at fault.
 */
@Singleton
public class Admission {

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
        Object typed;
        try {
            typed = KubusJson.json().treeToValue(object, type.type());
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                    + type.kind() + ": " + e.getMessage());
        }
        return KubusJson.json().valueToTree(typed);
    }
}
