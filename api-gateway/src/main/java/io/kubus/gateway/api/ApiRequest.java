package io.kubus.gateway.api;

import io.kubus.gateway.auth.UserInfo;
import io.micronaut.core.annotation.Nullable;

/**
 * One request of the resource API, parsed: the verb, its target, its query, the body as sent, the format the
 * client asked for, and the user it acts as (authenticated, impersonation applied: what kube-apiserver's handlers
 * find in the request's context).
 */
public record ApiRequest(String method, ApiPath path, Query query, @Nullable String contentType, Format format,
                         @Nullable byte[] body, UserInfo user) {
}
