package io.kubus.gateway.registry.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.admission.AdmissionException;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.api.Subresource;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.FieldProblem;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Set;

import static io.kubus.gateway.registry.certificates.CertificateSigningRequestStrategy.APPROVED;
import static io.kubus.gateway.registry.certificates.CertificateSigningRequestStrategy.DENIED;

/**
 * {@code certificatesigningrequests/NAME/status} (kube's csrStatusStrategy): what a signer writes, the issued
 * certificate or a Failed condition, by a user who may {@code sign} the requests of its signer. The Approved and
 * Denied verdicts are the approval subresource's and stay as stored; the certificate is taken once the request is
 * approved (the strategy's update rules).
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class CertificateSigningRequestStatus implements Subresource {
    private static final ResourceType TYPE = ResourceTypes.CERTIFICATESIGNINGREQUESTS;

    private final GenericRegistry registry;
    private final SignerAuthorization signers;

    public CertificateSigningRequestStatus(GenericRegistry registry, SignerAuthorization signers) {
        this.registry = registry;
        this.signers = signers;
    }

    @Override
    public String name() {
        return "status";
    }

    @Override
    public ResourceType kind() {
        return TYPE;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        return switch (request.method()) {
            case "GET" -> registry.respond(200, request, registry.require(request.path()), List.of());
            case "PUT" -> registry.replace(request, withStatusBy(request.user()));
            case "PATCH" -> registry.patch(request, withStatusBy(request.user()));
            default -> throw ApiException.methodNotAllowed("the server does not allow this method on status");
        };
    }

    /** The stored request with the caller's status, but for the verdicts; a change of it needs {@code sign}. */
    private GenericRegistry.Preparation withStatusBy(UserInfo user) {
        return (current, wanted) -> {
            String name = JsonTree.text(current.path("metadata"), "name");
            ObjectNode next = current.deepCopy();
            JsonNode status = wanted.get("status");
            next.set("status", status instanceof ObjectNode s ? s.deepCopy() : JsonTree.F.objectNode());
            if (!RequestConditions.preserve(next, current, Set.of(APPROVED, DENIED))) {
                for (String type : List.of(APPROVED, DENIED)) {
                    if (CertificateSigningRequestStrategy.count(next, type) > CertificateSigningRequestStrategy.count(current, type)) {
                        throw AdmissionException.invalid(TYPE, name, List.of(FieldProblem.forbidden("status.conditions",
                                "updates may not add a condition of type \"" + type + "\"")));
                    }
                }
            }
            RequestConditions.populateTimestamps(next, current, registry.now());
            if (!KubusJson.equivalent(next.path("status"), current.path("status"))) {
                signers.require(user, "sign", JsonTree.text(current.path("spec"), "signerName"), name);
            }
            return next;
        };
    }
}
