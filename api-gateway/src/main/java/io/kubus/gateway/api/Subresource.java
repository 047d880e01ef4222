package io.kubus.gateway.api;

/**
 * A subresource with logic of its own (kube-apiserver's BindingREST, ScaleREST, FinalizeREST, EvictionREST, log and
 * exec): it answers every request for its name below a kind that serves it, as {@link ApiPath#parse} checked. The
 * status subresource is not one: the generic update path serves it.
 */
public interface Subresource {
    /** The subresource's name in the URL ({@code pods/NAME/binding}: "binding"). */
    String name();

    ApiResponse handle(ApiRequest request);
}
