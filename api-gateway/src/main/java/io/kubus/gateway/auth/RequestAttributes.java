package io.kubus.gateway.auth;

/**
 * What a request asks to do, as an authorizer sees it (k8s.io/apiserver's authorizer.Attributes, from its
 * RequestInfo): a resource request names an API group, resource, optional subresource, namespace and name; a
 * non-resource request names only a path. Verbs are Kubernetes' (get, list, watch, create, update, patch, delete,
 * deletecollection, and impersonate, bind, escalate, approve, ... for special checks).
 *
 * @param namespace "" for cluster-scoped requests and for requests across all namespaces
 * @param name      "" for collections
 */
public record RequestAttributes(UserInfo user, String verb, boolean resourceRequest, String path, String apiGroup,
                                String apiVersion, String resource, String subresource, String namespace,
                                String name) {
    public static RequestAttributes resource(UserInfo user, String verb, String apiGroup, String apiVersion,
                                             String resource, String subresource, String namespace, String name) {
        return new RequestAttributes(user, verb, true, "", apiGroup, apiVersion, resource,
                subresource == null ? "" : subresource, namespace == null ? "" : namespace, name == null ? "" : name);
    }

    public static RequestAttributes nonResource(UserInfo user, String verb, String path) {
        return new RequestAttributes(user, verb, false, path, "", "", "", "", "", "");
    }
}
