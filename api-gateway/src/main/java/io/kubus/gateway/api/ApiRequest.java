package io.kubus.gateway.api;

import io.kubus.gateway.auth.UserInfo;
import io.micronaut.core.annotation.Nullable;

/**
 * One request of the resource API, parsed: the verb, its target, its query, the body as sent, the format the
 * client asked for, and the user it acts as (authenticated, impersonation applied: what kube-apiserver's handlers
 * find in the request's context).
 */
public record ApiRequest(String method, ApiPath path, Query query, @Nullable String contentType, Format format,
                         @Nullable byte[] body, UserInfo user, @Nullable String userAgent) {
    /** kube's limit on a field manager's name, and so on the User-Agent prefix that stands for one. */
    private static final int MAX_FIELD_MANAGER_LENGTH = 128;

    /**
     * Who a write's fields are recorded for: the {@code fieldManager} the client named, else its User-Agent up to
     * the first "/" (kube's prefixFromUserAgent: {@code kubectl} for kubectl 1.32's commands that name none).
     */
    public String fieldManager() {
        String named = query.get("fieldManager");
        if (named != null && !named.isEmpty()) {
            return named;
        }
        String agent = userAgent == null ? "" : userAgent.split("/", 2)[0];
        return agent.length() > MAX_FIELD_MANAGER_LENGTH ? agent.substring(0, MAX_FIELD_MANAGER_LENGTH) : agent;
    }
}
