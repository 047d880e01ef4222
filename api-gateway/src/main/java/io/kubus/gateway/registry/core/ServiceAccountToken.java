package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiPath;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.api.RequestBodies;
import io.kubus.gateway.api.Subresource;
import io.kubus.gateway.auth.ServiceAccountTokens;
import io.kubus.gateway.config.AuthSettings;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST serviceaccounts/NAME/token} (kube-apiserver's TokenREST, the TokenRequest API behind
 * {@code kubectl create token}): a signed token for the ServiceAccount, for the audiences asked (the API's by
 * default), living {@code expirationSeconds} (an hour by default, at least ten minutes, at most the cluster's
 * maximum), optionally bound to a pod, secret or node so that it ends with that object. Nothing is stored.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class ServiceAccountToken implements Subresource {
    private static final long MIN_SECONDS = 600;
    private static final long MAX_SECONDS = 1L << 32;
    private static final String GROUP = "authentication.k8s.io";
    private static final Map<String, ResourceType> BINDABLE = Map.of("Pod", ResourceTypes.PODS,
            "Secret", ResourceTypes.SECRETS, "Node", ResourceTypes.NODES);

    private final GenericRegistry registry;
    private final RequestBodies bodies;
    private final ServiceAccountTokens tokens;
    private final AuthSettings settings;

    public ServiceAccountToken(GenericRegistry registry, RequestBodies bodies, ServiceAccountTokens tokens,
                               AuthSettings settings) {
        this.registry = registry;
        this.bodies = bodies;
        this.tokens = tokens;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "token";
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("POST")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        ApiPath path = request.path();
        ObjectNode tr = body(request);
        ObjectNode spec = tr.with("spec");
        if (!spec.has("expirationSeconds") || spec.get("expirationSeconds").isNull()) {
            spec.put("expirationSeconds", 3600);
        }
        if (!(spec.get("audiences") instanceof ArrayNode a) || a.isEmpty()) {
            ArrayNode audiences = spec.putArray("audiences");
            settings.getApiAudiences().forEach(audiences::add);
        }
        validate(path.name(), spec);
        ObjectNode account = registry.store().get(ResourceTypes.SERVICEACCOUNTS, path.namespace(), path.name())
                .orElseThrow(() -> ApiException.notFound(ResourceTypes.SERVICEACCOUNTS, path.name()));
        Optional<ServiceAccountTokens.BoundObject> bound = bound(path.namespace(), spec.path("boundObjectRef"));
        long seconds = Math.min(spec.get("expirationSeconds").asLong(), settings.getMaxTokenExpiration().toSeconds());
        spec.put("expirationSeconds", seconds);
        List<String> audiences = new ArrayList<>();
        spec.get("audiences").forEach(n -> audiences.add(n.asText()));
        ServiceAccountTokens.Token token = tokens.issue(path.namespace(), path.name(),
                account.path("metadata").path("uid").asText(), audiences, Duration.ofSeconds(seconds), bound);
        tr.put("kind", "TokenRequest");
        tr.put("apiVersion", GROUP + "/v1");
        ObjectNode meta = GenericRegistry.metadata(tr);
        meta.put("name", path.name());
        meta.put("namespace", path.namespace());
        meta.putNull("creationTimestamp");
        ObjectNode status = tr.putObject("status");
        status.put("token", token.value());
        status.put("expirationTimestamp", token.expires().toString());
        // JSON whatever the client accepts first: kubectl accepts it after protobuf, which Kubus does not write
        return ApiResponse.bytes(201, "application/json",
                io.kubus.schema.KubusJson.write(tr).getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of());
    }

    /** The TokenRequest of the body; kubectl always sends one, an empty body asks for the defaults. */
    private ObjectNode body(ApiRequest request) {
        if (request.body() == null || request.body().length == 0) {
            return JsonTree.F.objectNode();
        }
        return bodies.request("TokenRequest", GROUP + "/v1", request.contentType(), request.body());
    }

    /** pkg/apis/authentication/validation's ValidateTokenRequest. */
    private static void validate(String name, ObjectNode spec) {
        ErrorList errs = new ErrorList();
        JsonNode exp = spec.get("expirationSeconds");
        if (!exp.canConvertToLong() || !exp.isIntegralNumber()) {
            errs.invalid("spec.expirationSeconds", exp.toString(), "must be an integer");
        } else if (exp.asLong() < MIN_SECONDS) {
            errs.invalid("spec.expirationSeconds", exp.asLong(), "may not specify a duration less than 10 minutes");
        } else if (exp.asLong() > MAX_SECONDS) {
            errs.invalid("spec.expirationSeconds", exp.asLong(), "may not specify a duration larger than 2^32 seconds");
        }
        if (!spec.get("audiences").isArray()) {
            errs.invalid("spec.audiences", spec.get("audiences").toString(), "must be a list of strings");
        } else {
            int i = 0;
            for (JsonNode a : spec.get("audiences")) {
                if (!a.isTextual() || a.asText().isEmpty()) {
                    errs.invalid("spec.audiences[" + i + "]", a.asText(), "must be a non-empty string");
                }
                i++;
            }
        }
        if (!errs.isEmpty()) {
            throw ApiException.invalid(GROUP, "TokenRequest", name, errs.problems());
        }
    }

    private Optional<ServiceAccountTokens.BoundObject> bound(String namespace, JsonNode ref) {
        if (ref.isMissingNode() || ref.isNull()) {
            return Optional.empty();
        }
        String kind = ref.path("kind").asText("");
        ResourceType type = BINDABLE.get(kind);
        if (type == null) {
            throw ApiException.badRequest("cannot bind token for object of kind \"" + kind + "\"");
        }
        String name = ref.path("name").asText("");
        if (name.isEmpty()) {
            throw ApiException.badRequest("cannot bind token to a " + kind + " without a name");
        }
        ObjectNode target = registry.store().get(type, type.namespaced() ? namespace : "", name)
                .orElseThrow(() -> ApiException.notFound(type, name));
        String uid = target.path("metadata").path("uid").asText();
        String wanted = ref.path("uid").asText("");
        if (!wanted.isEmpty() && !wanted.equals(uid)) {
            throw ApiException.conflict(type, name, "the UID in the bound object reference (" + wanted
                    + ") does not match the UID in record. The object might have been deleted and then recreated");
        }
        return Optional.of(new ServiceAccountTokens.BoundObject(kind, name, uid));
    }
}
