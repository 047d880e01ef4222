package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code services/[SCHEME:]NAME[:PORT]/proxy/PATH} (kube's Service ResourceLocation): PORT names a port of the
 * Service by name or number (none: its unnamed port); the request goes to a ready address of the Service's
 * Endpoints, picked at random, on that port's resolved target port. No ready address is kube's 503.
 */
@Singleton
public class ServiceProxy implements Subresource {
    private final ObjectStore store;
    private final UpstreamProxy proxy;

    public ServiceProxy(ObjectStore store, UpstreamProxy proxy) {
        this.store = store;
        this.proxy = proxy;
    }

    @Override
    public String name() {
        return ApiPath.PROXY;
    }

    @Override
    public ResourceType kind() {
        return ResourceTypes.SERVICES;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        UpstreamProxy.Target target = UpstreamProxy.Target.parse(request.path().name());
        String namespace = request.path().storeNamespace();
        ObjectNode service = store.get(ResourceTypes.SERVICES, namespace, target.name())
                .orElseThrow(() -> ApiException.notFound(ResourceTypes.SERVICES, target.name()));
        String portName = null;
        for (JsonNode p : service.path("spec").path("ports")) {
            if (p.path("name").asText("").equals(target.port()) || p.path("port").asText().equals(target.port())) {
                portName = p.path("name").asText("");
                break;
            }
        }
        if (portName == null) {
            throw ApiException.badRequest("no service port \"" + target.port() + "\" found for service \"" + target.name() + "\"");
        }
        List<Address> ready = new ArrayList<>();
        JsonNode endpoints = store.get(ResourceTypes.ENDPOINTS, namespace, target.name()).orElse(null);
        for (JsonNode subset : endpoints == null ? List.<JsonNode>of() : endpoints.path("subsets")) {
            for (JsonNode port : subset.path("ports")) {
                if (port.path("name").asText("").equals(portName)) {
                    for (JsonNode address : subset.path("addresses")) {
                        ready.add(new Address(address.path("ip").asText(), port.path("port").asInt()));
                    }
                }
            }
        }
        if (ready.isEmpty()) {
            throw ApiException.serviceUnavailable("no endpoints available for service \"" + target.name() + "\"");
        }
        Address chosen = ready.get(ThreadLocalRandom.current().nextInt(ready.size()));
        return proxy.forward(request, target.scheme(), chosen.ip(), chosen.port());
    }

    private record Address(String ip, int port) {
    }
}
