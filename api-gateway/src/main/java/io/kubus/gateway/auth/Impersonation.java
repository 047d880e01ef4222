package io.kubus.gateway.auth;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.ApiException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code kubectl --as/--as-group/--as-uid} (kube-apiserver's impersonation filter): the {@code Impersonate-*}
 * headers ask to act as another user; each thing asked for needs the {@code impersonate} verb on it (users, groups,
 * uids and userextras in authentication.k8s.io, or the ServiceAccount itself), and the request then goes on as that
 * user.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class Impersonation {
    private static final String USER = "Impersonate-User";
    private static final String GROUP = "Impersonate-Group";
    private static final String UID = "Impersonate-Uid";
    private static final String EXTRA = "impersonate-extra-";
    private static final String AUTHN_GROUP = "authentication.k8s.io";

    private final Authorization authorization;

    public Impersonation(Authorization authorization) {
        this.authorization = authorization;
    }

    /** The user to act as, or empty when the request asks for no impersonation. */
    public Optional<UserInfo> impersonate(UserInfo requester, HttpHeaders headers) {
        String user = headers.get(USER);
        List<String> groups = headers.getAll(GROUP);
        String uid = headers.get(UID);
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (String name : headers.names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith(EXTRA)) {
                extra.put(java.net.URLDecoder.decode(lower.substring(EXTRA.length()), java.nio.charset.StandardCharsets.UTF_8),
                        headers.getAll(name));
            }
        }
        if (user == null && groups.isEmpty() && uid == null && extra.isEmpty()) {
            return Optional.empty();
        }
        if (user == null || user.isEmpty()) {
            // kube-apiserver answers this with a 500 InternalError; it is the client's mistake, so Kubus says 400
            throw ApiException.badRequest("requested " + describe(groups, uid, extra) + " without impersonating a user");
        }
        List<String> resultGroups = new ArrayList<>();
        if (user.startsWith(UserInfo.SERVICE_ACCOUNT_PREFIX)) {
            String[] parts = user.substring(UserInfo.SERVICE_ACCOUNT_PREFIX.length()).split(":", 2);
            if (parts.length != 2) {
                throw ApiException.badRequest("invalid service account username " + user);
            }
            check(RequestAttributes.resource(requester, "impersonate", "", "", "serviceaccounts", "", parts[0], parts[1]));
            resultGroups.add(UserInfo.SERVICE_ACCOUNTS_GROUP);
            resultGroups.add(UserInfo.SERVICE_ACCOUNTS_GROUP + ":" + parts[0]);
        } else {
            check(RequestAttributes.resource(requester, "impersonate", AUTHN_GROUP, "", "users", "", "", user));
        }
        for (String g : groups) {
            check(RequestAttributes.resource(requester, "impersonate", AUTHN_GROUP, "", "groups", "", "", g));
            resultGroups.add(g);
        }
        if (uid != null) {
            check(RequestAttributes.resource(requester, "impersonate", AUTHN_GROUP, "", "uids", "", "", uid));
        }
        for (Map.Entry<String, List<String>> e : extra.entrySet()) {
            for (String v : e.getValue()) {
                check(RequestAttributes.resource(requester, "impersonate", AUTHN_GROUP, "", "userextras", e.getKey(), "", v));
            }
        }
        if (!user.equals(UserInfo.ANONYMOUS) && !resultGroups.contains(UserInfo.ALL_AUTHENTICATED)) {
            resultGroups.add(UserInfo.ALL_AUTHENTICATED);
        }
        return Optional.of(new UserInfo(user, uid, resultGroups, extra));
    }

    private void check(RequestAttributes a) {
        Authorizer.Decision d = authorization.authorize(a);
        if (!d.allowed()) {
            throw Authorization.forbidden(a, d.reason());
        }
    }

    private static String describe(List<String> groups, String uid, Map<String, List<String>> extra) {
        List<String> parts = new ArrayList<>();
        if (!groups.isEmpty()) {
            parts.add("groups=" + groups);
        }
        if (uid != null) {
            parts.add("uid=" + uid);
        }
        if (!extra.isEmpty()) {
            parts.add("extra=" + extra);
        }
        return String.join(", ", parts);
    }
}
