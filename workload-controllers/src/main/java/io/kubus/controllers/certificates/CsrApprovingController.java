package io.kubus.controllers.certificates;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestSpec;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestStatus;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * kube-controller-manager's csrapproving controller (pkg/controller/certificates/approver): a pending request of the
 * {@code kubernetes.io/kube-apiserver-client-kubelet} signer that is a node's client request ({@code O=system:nodes},
 * {@code CN=system:node:NAME}, the kubelet's usages, no subject alternative names) is approved when a
 * SubjectAccessReview says its requester may {@code create certificatesigningrequests/selfnodeclient} (the node
 * renewing its own certificate: the common name is the requester) or {@code .../nodeclient} (a new node, with a
 * bootstrap token). Anything else is left for a person: {@code kubectl certificate approve|deny}. The gateway signs
 * what is approved.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class CsrApprovingController implements Reconciler, ManagedController {
    static final String REASON = "AutoApproved";
    private static final Logger LOG = LoggerFactory.getLogger(CsrApprovingController.class);
    private static final String GROUP = "certificates.k8s.io";
    private static final String RESOURCE = "certificatesigningrequests";

    /** A kind of request this controller recognizes, the permission its requester needs, and what the approval says. */
    private record Recognizer(String subresource, boolean self, String message) {
    }

    private static final List<Recognizer> RECOGNIZERS = List.of(
            new Recognizer("selfnodeclient", true, "Auto approving self kubelet client certificate after SubjectAccessReview."),
            new Recognizer("nodeclient", false, "Auto approving kubelet client certificate after SubjectAccessReview."));

    private final KubusApi api;
    private final Informer<CertificateSigningRequest> requests;
    private final Controller controller;

    public CsrApprovingController(SharedInformers shared, KubusApi api, ControllersSettings settings) {
        this.api = api;
        this.requests = shared.informer(ResourceTypes.CERTIFICATESIGNINGREQUESTS, CertificateSigningRequest.class);
        this.controller = settings.newController("csrapproving", this);
        controller.primary(requests);
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String name) {
        CertificateSigningRequest csr = requests.get(name).orElse(null);
        if (csr == null || csr.getSpec() == null || decided(csr.getStatus())) {
            return Result.done();
        }
        CertificateSigningRequestSpec spec = csr.getSpec();
        if (!CertificateRequests.KUBE_APISERVER_CLIENT_KUBELET.equals(spec.getSignerName())) {
            return Result.done();
        }
        CertificateRequests.Request request = CertificateRequests.parse(
                new String(Base64.getDecoder().decode(spec.getRequest()), StandardCharsets.US_ASCII));
        if (CertificateRequests.kubeletClientProblem(request, list(spec.getUsages())).isPresent()) {
            return Result.done();
        }
        List<String> tried = new ArrayList<>();
        for (Recognizer r : RECOGNIZERS) {
            if (r.self() && !request.subject().user().equals(spec.getUsername())) {
                continue;
            }
            tried.add(r.subresource());
            if (api.subjectAccessReview(spec.getUsername(), spec.getUid(), list(spec.getGroups()),
                    Objects.requireNonNullElse(spec.getExtra(), Map.of()), "create", GROUP, RESOURCE, r.subresource())) {
                approve(csr, r.message());
                return Result.done();
            }
        }
        // kube's IgnoredError: nothing will change until the request or the requester's rights do
        LOG.info("recognized certificate request {} as {} but subject access review was not approved", name, tried);
        return Result.done();
    }

    /** Approved or denied already, or signed: nothing left to decide. */
    private static boolean decided(CertificateSigningRequestStatus status) {
        if (status == null) {
            return false;
        }
        if (status.getCertificate() != null && !status.getCertificate().isEmpty()) {
            return true;
        }
        return list(status.getConditions()).stream().anyMatch(c -> c.getType().equals("Approved") || c.getType().equals("Denied"));
    }

    private void approve(CertificateSigningRequest csr, String message) {
        List<CertificateSigningRequestCondition> conditions = new ArrayList<>(list(
                csr.getStatus() == null ? null : csr.getStatus().getConditions()));
        conditions.add(new CertificateSigningRequestConditionBuilder().withType("Approved").withStatus("True")
                .withReason(REASON).withMessage(message).build());
        CertificateSigningRequest next = csr.toBuilder().editOrNewStatus().withConditions(conditions).endStatus().build();
        try {
            // a conflict is retried from the cache, which will have the newer request by then
            api.updateSubresource(ResourceTypes.CERTIFICATESIGNINGREQUESTS, next, "approval");
            LOG.info("approved certificate request {} of {}", csr.getMetadata().getName(), csr.getSpec().getUsername());
        } catch (KubusApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    private static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : values;
    }
}
