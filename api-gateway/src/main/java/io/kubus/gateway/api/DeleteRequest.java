package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

/**
 * The DeleteOptions of a delete: from the body (kubectl) or the query, as kube-apiserver accepts both. The
 * propagationPolicy is null when the request names none: the kind's default applies then.
 */
public record DeleteRequest(@Nullable Long gracePeriodSeconds, @Nullable String propagationPolicy, @Nullable String uid,
                            @Nullable String resourceVersion, boolean dryRun) {

    static DeleteRequest of(RequestBodies bodies, @Nullable String contentType, @Nullable byte[] body, Query query) {
        JsonNode opts = body == null || body.length == 0 ? null : bodies.json(contentType, body);
        if (opts != null && !(opts instanceof ObjectNode)) {
            throw ApiException.badRequest("DeleteOptions must be a JSON object");
        }
        return of((ObjectNode) opts, query);
    }

    /** DeleteOptions that came inside another body (an Eviction's deleteOptions), or none, with the request's query. */
    public static DeleteRequest of(@Nullable ObjectNode opts, Query query) {
        Long grace = query.nonNegativeLong("gracePeriodSeconds");
        String policy = query.get("propagationPolicy");
        boolean dryRun = "All".equals(query.get("dryRun"));
        String uid = null;
        String rv = null;
        if (opts != null) {
            JsonNode g = opts.get("gracePeriodSeconds");
            if (g != null && !g.isNull()) {
                if (!g.canConvertToLong() || g.asLong() < 0) {
                    throw ApiException.badRequest("gracePeriodSeconds: Invalid value: " + g + ": must be a non-negative integer");
                }
                grace = g.asLong();
            }
            if (opts.hasNonNull("propagationPolicy")) {
                policy = opts.get("propagationPolicy").asText();
            }
            if (opts.path("orphanDependents").isBoolean() && policy == null) {
                policy = opts.get("orphanDependents").asBoolean() ? "Orphan" : "Background";
            }
            uid = opts.path("preconditions").path("uid").asText(null);
            rv = opts.path("preconditions").path("resourceVersion").asText(null);
            for (JsonNode d : opts.path("dryRun")) {
                dryRun |= "All".equals(d.asText());
            }
        }
        if (policy != null && policy.isEmpty()) {
            policy = null;
        }
        if (policy != null && !policy.equals("Background") && !policy.equals("Foreground") && !policy.equals("Orphan")) {
            throw ApiException.of(422, "Invalid", "propagationPolicy: Unsupported value: \"" + policy
                    + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"", null);
        }
        return new DeleteRequest(grace, policy, uid, rv, dryRun);
    }

    public void checkPreconditions(ResourceType type, String name, ObjectNode current) {
        JsonNode meta = current.path("metadata");
        if (uid != null && !uid.isEmpty() && !uid.equals(meta.path("uid").asText())) {
            throw ApiException.conflict(type, name, "Precondition failed: UID in precondition: " + uid
                    + ", UID in object meta: " + meta.path("uid").asText());
        }
        if (resourceVersion != null && !resourceVersion.isEmpty()
                && !resourceVersion.equals(meta.path("resourceVersion").asText())) {
            throw ApiException.conflict(type, name, "Precondition failed: ResourceVersion in precondition: "
                    + resourceVersion + ", ResourceVersion in object meta: " + meta.path("resourceVersion").asText());
        }
    }
}
