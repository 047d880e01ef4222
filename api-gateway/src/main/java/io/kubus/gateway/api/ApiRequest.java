package io.kubus.gateway.api;

import io.micronaut.core.annotation.Nullable;

/**
 * One request of the resource API, parsed: the verb, its target, its query, the body as sent and the format the
 * client asked for.
 */
public record ApiRequest(String method, ApiPath path, Query query, @Nullable String contentType, Format format,
                         @Nullable byte[] body) {
}
