package io.kubus.gateway.auth;

import io.kubus.client.tls.Identities;

import java.util.List;
import java.util.Map;

/**
 * Who made a request, as an authenticator found it (k8s.io/apiserver's user.Info): a user name, an optional uid,
 * the groups the user is in (every authenticated user is also in {@code system:authenticated}) and extra values.
 */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
    public static final String ALL_AUTHENTICATED = "system:authenticated";
    public static final String ALL_UNAUTHENTICATED = "system:unauthenticated";
    public static final String ANONYMOUS = "system:anonymous";
    public static final String MASTERS = "system:masters";
    public static final String NODES = Identities.NODES;
    public static final String NODE_PREFIX = "system:node:";
    public static final String SIMULATED_NODE_POOLS = Identities.SIMULATED_NODE_POOLS;
    public static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
    public static final String SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";

    public UserInfo {
        uid = uid == null ? "" : uid;
        groups = List.copyOf(groups);
        extra = Map.copyOf(extra);
    }

    public boolean inGroup(String group) {
        return groups.contains(group);
    }
}
