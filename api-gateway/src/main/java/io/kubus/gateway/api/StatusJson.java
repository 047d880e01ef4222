package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ListMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.kubus.schema.KubusJson;
import io.micronaut.core.annotation.Nullable;

import java.nio.charset.StandardCharsets;

/**
 * A {@code metav1.Status} written as kube-apiserver's encoding/json writes it: the struct's field order and its
 * {@code omitempty} tags, so an empty string or zero is left out ({@code details.group} of a core kind, an empty
 * cause field) while {@code metadata} is always there ({@code {}}: omitempty does not drop a struct). fabric8's model
 * would write {@code "group":""} and its own field order.
 */
final class StatusJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StatusJson() {
    }

    static byte[] write(Status status) {
        return KubusJson.write(tree(status)).getBytes(StandardCharsets.UTF_8);
    }

    static ObjectNode tree(Status status) {
        ObjectNode out = NODES.objectNode();
        out.put("kind", "Status");
        out.put("apiVersion", "v1");
        ObjectNode meta = out.putObject("metadata");
        ListMeta lm = status.getMetadata();
        if (lm != null) {
            putIfNotEmpty(meta, "selfLink", lm.getSelfLink());
            putIfNotEmpty(meta, "resourceVersion", lm.getResourceVersion());
            putIfNotEmpty(meta, "continue", lm.getContinue());
            if (lm.getRemainingItemCount() != null && lm.getRemainingItemCount() != 0) {
                meta.put("remainingItemCount", lm.getRemainingItemCount());
            }
        }
        putIfNotEmpty(out, "status", status.getStatus());
        putIfNotEmpty(out, "message", status.getMessage());
        putIfNotEmpty(out, "reason", status.getReason());
        StatusDetails d = status.getDetails();
        if (d != null) {
            ObjectNode details = out.putObject("details");
            putIfNotEmpty(details, "name", d.getName());
            putIfNotEmpty(details, "group", d.getGroup());
            putIfNotEmpty(details, "kind", d.getKind());
            putIfNotEmpty(details, "uid", d.getUid());
            if (d.getCauses() != null && !d.getCauses().isEmpty()) {
                ArrayNode causes = details.putArray("causes");
                for (StatusCause c : d.getCauses()) {
                    ObjectNode cause = causes.addObject();
                    putIfNotEmpty(cause, "reason", c.getReason());
                    putIfNotEmpty(cause, "message", c.getMessage());
                    putIfNotEmpty(cause, "field", c.getField());
                }
            }
            if (d.getRetryAfterSeconds() != null && d.getRetryAfterSeconds() != 0) {
                details.put("retryAfterSeconds", d.getRetryAfterSeconds());
            }
        }
        if (status.getCode() != null && status.getCode() != 0) {
            out.put("code", status.getCode());
        }
        return out;
    }

    private static void putIfNotEmpty(ObjectNode node, String field, @Nullable String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }
}
