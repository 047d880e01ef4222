package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiPath;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.Subresource;
import io.kubus.gateway.api.UpstreamProxy;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

/**
 * {@code pods/[SCHEME:]NAME[:PORT]/proxy/PATH} (kube's pod ResourceLocation): the request goes to the pod's IP, on the
 * port given (a number, as kube-apiserver takes it) or the scheme's own.
 */
@Singleton
public class PodProxy implements Subresource {
    private final ObjectStore store;
    private final UpstreamProxy proxy;

    public PodProxy(ObjectStore store, UpstreamProxy proxy) {
        this.store = store;
        this.proxy = proxy;
    }

    @Override
    public String name() {
        return ApiPath.PROXY;
    }

    @Override
    public ResourceType kind() {
        return ResourceTypes.PODS;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        UpstreamProxy.Target target = UpstreamProxy.Target.parse(request.path().name());
        ObjectNode pod = store.get(ResourceTypes.PODS, request.path().storeNamespace(), target.name())
                .orElseThrow(() -> ApiException.notFound(ResourceTypes.PODS, target.name()));
        Integer port = null;
        if (!target.port().isEmpty()) {
            try {
                port = Integer.parseInt(target.port());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid port \"" + target.port() + "\" of pod " + target.name());
            }
        }
        String ip = pod.path("status").path("podIP").asText("");
        if (ip.isEmpty()) {
            throw ApiException.serviceUnavailable("pod " + target.name() + " has no IP address yet");
        }
        return proxy.forward(request, target.scheme(), ip, port);
    }
}
