package io.kubus.gateway.registry.certificates;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.gateway.admission.AdmissionPlugin;
import io.kubus.gateway.admission.AdmissionRequest;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Kubernetes' CertificateSubjectRestriction admission plugin: no request to the API's client signer may name the
 * group {@code system:masters}, whose members pass every authorization check, so approving a client certificate can
 * never make an administrator.
 */
@Singleton
public class CertificateSubjectRestriction implements AdmissionPlugin {
    @Override
    public void validate(AdmissionRequest request) {
        if (request.type() != ResourceTypes.CERTIFICATESIGNINGREQUESTS || !request.isCreate()) {
            return;
        }
        JsonNode spec = request.object().path("spec");
        if (!JsonTree.text(spec, "signerName").equals(CertificateRequests.KUBE_APISERVER_CLIENT)) {
            return;
        }
        // the strategy's validation has parsed the request already
        String pem = new String(Base64.getDecoder().decode(JsonTree.text(spec, "request")), StandardCharsets.US_ASCII);
        if (CertificateRequests.parse(pem).subject().groups().contains(UserInfo.MASTERS)) {
            throw request.forbidden("use of " + CertificateRequests.KUBE_APISERVER_CLIENT + " signer with "
                    + UserInfo.MASTERS + " group is not allowed");
        }
    }
}
