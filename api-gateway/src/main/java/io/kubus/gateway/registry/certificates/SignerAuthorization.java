package io.kubus.gateway.registry.certificates;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.admission.AdmissionException;
import io.kubus.gateway.auth.Authorization;
import io.kubus.gateway.auth.RequestAttributes;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * Who may approve and who may sign the requests of a signer (kube's CertificateApproval and CertificateSigning
 * admission plugins, with certificates.IsAuthorizedForSignerName): the verb {@code approve} or {@code sign} on the
 * {@code signers} resource of certificates.k8s.io, named after the signer or after its domain and {@code *}.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class SignerAuthorization {
    private static final String GROUP = "certificates.k8s.io";

    private final Authorization authorization;

    public SignerAuthorization(Authorization authorization) {
        this.authorization = authorization;
    }

    /** Refuses, as kube's admission.NewForbidden does, a {@code verb} the user may not use on the signer's requests. */
    public void require(UserInfo user, String verb, String signerName, String csrName) {
        if (allowed(user, verb, signerName)) {
            return;
        }
        String what = ResourceTypes.CERTIFICATESIGNINGREQUESTS.qualifiedPlural() + " \"" + csrName + "\"";
        throw AdmissionException.forbidden(ResourceTypes.CERTIFICATESIGNINGREQUESTS, csrName, what
                + " is forbidden: user not permitted to " + verb + " requests with signerName \"" + signerName + "\"");
    }

    private boolean allowed(UserInfo user, String verb, String signerName) {
        if (authorization.authorize(signers(user, verb, signerName)).allowed()) {
            return true;
        }
        int slash = signerName.indexOf('/');
        return slash > 0 && authorization.authorize(signers(user, verb, signerName.substring(0, slash) + "/*")).allowed();
    }

    private static RequestAttributes signers(UserInfo user, String verb, String name) {
        return RequestAttributes.resource(user, verb, GROUP, "*", "signers", "", "", name);
    }
}
