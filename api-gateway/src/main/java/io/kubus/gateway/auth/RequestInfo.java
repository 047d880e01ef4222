package io.kubus.gateway.auth;

import io.kubus.gateway.api.Query;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a request asks for, read from its method, path and query alone, as k8s.io/apiserver's RequestInfoFactory
 * reads it, before anything knows whether the resource exists (authorization comes first; a forbidden user learns
 * nothing about which resources are served). Paths below {@code /api/VERSION/} and {@code /apis/GROUP/VERSION/} are
 * resource requests; every other path (discovery, health, version, openapi) is a non-resource request.
 */
public record RequestInfo(boolean resourceRequest, String path, String verb, String apiGroup, String apiVersion,
                          String namespace, String resource, String subresource, String name) {
    /** Subresources of a Namespace that are not namespaced collections ({@code namespaces/NS/status}). */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    public static RequestInfo of(String method, String path, Map<String, List<String>> query) {
        String nonResourceVerb = switch (method) {
            case "POST" -> "post";
            case "PUT" -> "put";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            case "HEAD" -> "head";
            default -> "get";
        };
        RequestInfo nonResource = new RequestInfo(false, path, nonResourceVerb, "", "", "", "", "", "");
        List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        int at;
        if (parts.size() >= 3 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            at = 3;
        } else if (parts.size() >= 2 && parts.get(0).equals("api")) {
            group = "";
            at = 2;
        } else {
            return nonResource;
        }
        String version = parts.get(at - 1);
        List<String> rest = parts.subList(at, parts.size());
        if (rest.isEmpty()) {
            return nonResource;
        }
        String verb = switch (method) {
            case "POST" -> "create";
            case "GET", "HEAD" -> "get";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> "";
        };
        boolean legacyWatch = rest.getFirst().equals("watch");
        if (legacyWatch) {
            verb = "watch";
            rest = rest.subList(1, rest.size());
        }
        String namespace = "";
        if (rest.size() >= 2 && rest.get(0).equals("namespaces")) {
            namespace = rest.get(1);
            if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
                rest = rest.subList(2, rest.size());
            }
        }
        String resource = rest.isEmpty() ? "" : rest.get(0);
        String name = rest.size() >= 2 ? rest.get(1) : "";
        String subresource = rest.size() >= 3 ? rest.get(2) : "";
        if (resource.equals("namespaces") && rest.size() >= 2) {
            // namespaces/NS and namespaces/NS/status: the namespace object itself, named NS, in no namespace
            namespace = name;
        }
        if (name.isEmpty()) {
            if (verb.equals("get")) {
                verb = "list";
            } else if (verb.equals("delete")) {
                verb = "deletecollection";
            }
        }
        if (("list".equals(verb) || "get".equals(verb)) && new Query(query).isTrue("watch")) {
            verb = "watch";
        }
        if (("list".equals(verb) || "watch".equals(verb)) && name.isEmpty()) {
            // a list or watch narrowed to one name by its field selector is a request for that name
            for (String selector : query.getOrDefault("fieldSelector", List.of())) {
                if (selector.startsWith("metadata.name=") && !selector.contains(",")) {
                    name = selector.substring("metadata.name=".length());
                }
            }
        }
        return new RequestInfo(true, path, verb, group, version, namespace, resource, subresource, name);
    }

    public RequestAttributes attributes(UserInfo user) {
        return resourceRequest
                ? RequestAttributes.resource(user, verb, apiGroup, apiVersion, resource, subresource, namespace, name)
                : RequestAttributes.nonResource(user, verb, path);
    }
}
