package io.kubus.gateway.api;

import io.kubus.gateway.apiextensions.ServedTypes;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

import java.util.Arrays;
import java.util.List;

/**
 * The target of a resource request, parsed from the path below {@code /api/v1} or {@code /apis/GROUP/VERSION}:
 * {@code [namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]]}, optionally behind the legacy {@code watch/} prefix.
 *
 * @param type        the kind
 * @param namespace   the namespace from the URL, null when none was given (cluster-scoped, or all namespaces)
 * @param name        the object name, null for the collection
 * @param subresource status, scale, binding, log, ... or null
 * @param legacyWatch the path began with {@code watch/}
 * @param proxyPath   for the {@value #PROXY} subresource, the path after it to ask the pod or Service for ("" for
 *                    none, else starting with a slash, a trailing slash kept); null for every other request
 */
public record ApiPath(ResourceType type, @Nullable String namespace, @Nullable String name,
                      @Nullable String subresource, boolean legacyWatch, @Nullable String proxyPath) {
    /** {@code pods/NAME/proxy/PATH}, {@code services/NAME/proxy/PATH}: the only subresource with a path below it. */
    public static final String PROXY = "proxy";

    /**
     * @param types   the types served now
     * @param group   "" for the core group
     * @param version API version
     * @param rest    the path after the group version, without a leading slash
     */
    public static ApiPath parse(ServedTypes types, String group, String version, String rest) {
        List<String> parts = Arrays.stream(rest.split("/")).filter(s -> !s.isEmpty()).toList();
        boolean watch = false;
        if (!parts.isEmpty() && parts.getFirst().equals("watch")) {
            watch = true;
            parts = parts.subList(1, parts.size());
        }
        String namespace = null;
        // namespaces/NS/PLURAL... addresses an object in a namespace, unless PLURAL is not a kind of this group
        // version, in which case it is a subresource of the Namespace NS (namespaces/NS/status).
        if (parts.size() >= 3 && parts.get(0).equals("namespaces")
                && types.byPath(group, version, parts.get(2)).isPresent()) {
            namespace = parts.get(1);
            parts = parts.subList(2, parts.size());
        }
        String proxyPath = null;
        if (parts.size() >= 3 && parts.get(2).equals(PROXY)) {
            proxyPath = parts.size() == 3 ? (rest.endsWith("/") ? "/" : "")
                    : "/" + String.join("/", parts.subList(3, parts.size())) + (rest.endsWith("/") ? "/" : "");
            parts = parts.subList(0, 3);
        }
        if (parts.isEmpty() || parts.size() > 3) {
            throw notFound(group, version, rest);
        }
        ResourceType type = types.byPath(group, version, parts.get(0))
                .orElseThrow(() -> notFound(group, version, rest));
        if (namespace != null && !type.namespaced()) {
            throw notFound(group, version, rest);
        }
        String name = parts.size() >= 2 ? parts.get(1) : null;
        String sub = parts.size() == 3 ? parts.get(2) : null;
        if (sub != null && !type.hasSubresource(sub)) {
            throw notFound(group, version, rest);
        }
        return new ApiPath(type, namespace, name, sub, watch, proxyPath);
    }

    /** The namespace the object lives in: the URL's for namespaced kinds, "" for cluster-scoped ones. */
    public String storeNamespace() {
        return type.namespaced() ? (namespace == null ? "" : namespace) : "";
    }

    private static ApiException notFound(String group, String version, String rest) {
        return ApiException.notFound("the server could not find the requested resource");
    }
}
