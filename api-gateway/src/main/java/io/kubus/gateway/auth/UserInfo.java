package io.kubus.gateway.auth;

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
    public static final String NODES = "system:nodes";
    public static final String NODE_PREFIX = "system:node:";
    /**
     * A node agent that simulates many nodes (the simulated runtime, as kwok does) is one identity,
     * {@code system:node:P} in {@code system:nodes} and this group, and acts for its nodes {@code P-0}, {@code P-1}...
     */
    public static final String SIMULATED_NODE_POOLS = "kubus:simulated-node-pools";
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
