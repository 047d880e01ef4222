package io.kubus.gateway.api;

import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

/**
 * A subresource with logic of its own (kube-apiserver's BindingREST, ScaleREST, FinalizeREST, EvictionREST, log and
 * exec, and the REST of a kind's own status or approval): it answers every request for its name below a kind that
 * serves it, as {@link ApiPath#parse} checked. The status subresource of a kind without such a handler is served by
 * the generic update path.
 */
public interface Subresource {
    /** The subresource's name in the URL ({@code pods/NAME/binding}: "binding"). */
    String name();

    /**
     * The kind whose subresource this handler alone serves (a CertificateSigningRequest's status, whose rules are
     * not those of other kinds' status), in its storage version; null (the default) for every kind serving the name.
     */
    default @Nullable ResourceType kind() {
        return null;
    }

    ApiResponse handle(ApiRequest request);
}
