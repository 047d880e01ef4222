package io.kubus.gateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.protobuf.KubernetesProtobuf;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.Locale;

/**
 * Decodes request bodies (JSON, YAML under a YAML content type, Kubernetes protobuf under its content type) and refuses
 * what cannot be an object.
 */
@Singleton
public class RequestBodies {
    private final KubernetesProtobuf protobuf;

    public RequestBodies(KubernetesProtobuf protobuf) {
        this.protobuf = protobuf;
    }

    /** A JSON document of any shape; a missing Content-Type means JSON (kubectl scale sends none). */
    public JsonNode json(@Nullable String contentType, @Nullable byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("the request body is empty: an object is required");
        }
        if (KubernetesProtobuf.isProtobuf(contentType)) {
            return protobuf.decode(body);
        }
        String ct = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        boolean yaml = ct.endsWith("yaml");
        if (!ct.isEmpty() && !yaml && !ct.equals("application/json") && !ct.endsWith("+json")
                && !ct.equals("*/*") && !ct.equals("text/plain")) {
            throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - accepted "
                    + "media types include: application/json, application/yaml, "
                    + KubernetesProtobuf.MEDIA_TYPE);
        }
        try {
            JsonNode node = yaml ? KubusJson.yaml().readTree(body) : KubusJson.json().readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("the request body is empty: an object is required");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid " + (yaml ? "YAML" : "JSON") + ": "
                    + e.getOriginalMessage() + locationOf(e));
        } catch (IOException e) {
            throw ApiException.badRequest("the body could not be read: " + e.getMessage());
        }
    }

    /** An API object of {@code type}: its kind and apiVersion, when given, must name this URL's kind. */
    public ObjectNode object(ResourceType type, @Nullable String contentType, @Nullable byte[] body) {
        return object(type.kind(), type.apiVersion(), contentType, body);
    }

    /**
     * An object of {@code kind} in {@code apiVersion} (a TokenRequest, a review): its kind and apiVersion, when given,
     * must be those, and its metadata an object.
     */
    public ObjectNode object(String expectedKind, String expectedApiVersion, @Nullable String contentType,
                             @Nullable byte[] body) {
        JsonNode node = json(contentType, body);
        if (!(node instanceof ObjectNode obj)) {
            throw ApiException.badRequest("the body must be a JSON object describing a " + expectedKind + ", not "
                    + node.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        String kind = text(obj, "kind");
        String apiVersion = text(obj, "apiVersion");
        if (kind != null && !kind.equals(expectedKind)) {
            throw ApiException.badRequest(kind + " in version \"" + (apiVersion == null ? "" : apiVersion)
                    + "\" cannot be handled as a " + expectedKind + ": the kind in the body does not match the URL");
        }
        if (apiVersion != null && !apiVersion.equals(expectedApiVersion)) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + expectedApiVersion + ")");
        }
        String version = expectedApiVersion.substring(expectedApiVersion.indexOf('/') + 1);
        if (obj.has("metadata") && !obj.get("metadata").isObject() && !obj.get("metadata").isNull()) {
            throw ApiException.badRequest(expectedKind + " in version \"" + version + "\" cannot be handled as a "
                    + expectedKind + ": metadata must be an object");
        }
        return obj;
    }

    /** As {@link #object(String, String, String, byte[])}, for a body read here field by field: its spec an object. */
    public ObjectNode request(String expectedKind, String expectedApiVersion, @Nullable String contentType,
                              @Nullable byte[] body) {
        ObjectNode obj = object(expectedKind, expectedApiVersion, contentType, body);
        if (obj.has("spec") && !obj.get("spec").isObject()) {
            throw ApiException.badRequest(expectedKind + " in version \""
                    + expectedApiVersion.substring(expectedApiVersion.indexOf('/') + 1) + "\" cannot be handled as a "
                    + expectedKind + ": spec must be an object");
        }
        return obj;
    }

    /** An autoscaling/v1 Scale. */
    public ObjectNode scale(@Nullable String contentType, @Nullable byte[] body) {
        JsonNode node = json(contentType, body);
        if (!(node instanceof ObjectNode obj) || (obj.has("kind") && !"Scale".equals(obj.path("kind").asText()))) {
            throw ApiException.badRequest("the body must be an autoscaling/v1 Scale");
        }
        return obj;
    }

    /** A patch document: JSON patch is an array, every other kind an object. */
    public JsonNode patch(PatchType type, @Nullable byte[] body) {
        JsonNode node = json(type == PatchType.APPLY ? "application/yaml" : "application/json", body);
        if (type == PatchType.JSON ? !node.isArray() : !node.isObject()) {
            throw ApiException.badRequest("the patch must be a JSON " + (type == PatchType.JSON ? "array" : "object"));
        }
        return node;
    }

    private static @Nullable String text(ObjectNode obj, String field) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest(field + " must be a string");
        }
        return n.asText();
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }
}
