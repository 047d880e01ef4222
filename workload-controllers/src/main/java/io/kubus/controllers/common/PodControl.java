package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.kubus.client.api.KubusApiException;

/**
 * How controllers create and delete the pods they own (Kubernetes' PodControlInterface): the one seam between a
 * controller's decisions and the API, which a test can replace, and where the events every controller records about
 * its pods are recorded once.
 */
public interface PodControl {
    /** Creates {@code pod} for {@code owner}; records SuccessfulCreate or FailedCreate. */
    Pod create(Pod pod, HasMetadata owner) throws KubusApiException;

    /** Deletes the pod for {@code owner}; records SuccessfulDelete, or FailedDelete unless it was already gone. */
    void delete(Pod pod, HasMetadata owner) throws KubusApiException;

    /**
     * A pod of {@code owner} made from its template (GetPodFromTemplate): the template's labels, annotations,
     * finalizers and spec, a name generated from the owner's, and the owner as controller.
     */
    static Pod fromTemplate(PodTemplateSpec template, HasMetadata owner) {
        var meta = template.getMetadata();
        return new PodBuilder()
                .withNewMetadata()
                .withNamespace(owner.getMetadata().getNamespace())
                .withGenerateName(owner.getMetadata().getName() + "-")
                .withLabels(meta == null ? null : meta.getLabels())
                .withAnnotations(meta == null ? null : meta.getAnnotations())
                .withFinalizers(meta == null ? null : meta.getFinalizers())
                .withOwnerReferences(OwnerReferences.controllerReference(owner))
                .endMetadata()
                .withSpec(template.getSpec())
                .build();
    }
}
