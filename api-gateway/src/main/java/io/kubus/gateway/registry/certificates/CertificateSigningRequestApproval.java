package io.kubus.gateway.registry.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.api.Subresource;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Set;

/**
 * {@code certificatesigningrequests/NAME/approval} (kube's ApprovalREST, behind {@code kubectl certificate
 * approve|deny}): an update of the request's conditions alone, the Approved or Denied verdict, by a user who may
 * {@code approve} the requests of its signer. The Failed condition is the signer's and stays as stored.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class CertificateSigningRequestApproval implements Subresource {
    private final GenericRegistry registry;
    private final SignerAuthorization signers;

    public CertificateSigningRequestApproval(GenericRegistry registry, SignerAuthorization signers) {
        this.registry = registry;
        this.signers = signers;
    }

    @Override
    public String name() {
        return "approval";
    }

    @Override
    public ResourceType kind() {
        return ResourceTypes.CERTIFICATESIGNINGREQUESTS;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        ObjectNode csr = registry.require(request.path());
        return switch (request.method()) {
            case "GET" -> registry.respond(200, request, csr, List.of());
            case "PUT", "PATCH" -> {
                // the signer never changes, so the request as read tells whose approval this is
                signers.require(request.user(), "approve", JsonTree.text(csr.path("spec"), "signerName"),
                        request.path().name());
                yield request.method().equals("PUT") ? registry.replace(request, this::withConditionsOf)
                        : registry.patch(request, this::withConditionsOf);
            }
            default -> throw ApiException.methodNotAllowed("the server does not allow this method on approval");
        };
    }

    /** The stored request with the caller's conditions, but for the Failed ones, which stay as stored. */
    private ObjectNode withConditionsOf(ObjectNode current, ObjectNode wanted) {
        ObjectNode next = current.deepCopy();
        ObjectNode status = JsonTree.obj(next, "status");
        JsonNode conditions = wanted.path("status").get("conditions");
        if (conditions == null || conditions.isNull()) {
            status.remove("conditions");
        } else {
            status.set("conditions", conditions.deepCopy());
        }
        RequestConditions.preserve(next, current, Set.of(CertificateSigningRequestStrategy.FAILED));
        RequestConditions.populateTimestamps(next, current, registry.now());
        return next;
    }
}
