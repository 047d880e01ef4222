package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.KindRules.admitted;
import static io.kubus.gateway.admission.KindRules.admittedUpdate;
import static io.kubus.gateway.admission.KindRules.refused;
import static io.kubus.gateway.admission.KindRules.with;
import static io.kubus.schema.ResourceTypes.STATEFULSETS;

/**
 * ValidateStatefulSetSpec beyond the template: the selector against the template's labels, the claim templates
 * validated as claims, ordinals, maxUnavailable, the claim retention policy and the governing service's name.
 */
class StatefulSetValidationTest {
    private static final String LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
            + "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
            + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private static final String T0 = "spec.volumeClaimTemplates[0]";

    /** A set whose pods mount one claim of 1Gi. */
    private static ObjectNode set() {
        ObjectNode sts = Fixtures.workload("apps/v1", "StatefulSet");
        sts.with("spec").put("serviceName", "web").set("volumeClaimTemplates", json("{'t':[" + template("data") + "]}").get("t"));
        return sts;
    }

    private static String template(String name) {
        return "{'metadata':{'name':'" + name + "'},'spec':{'accessModes':['ReadWriteOnce'],"
                + "'resources':{'requests':{'storage':'1Gi'}}}}";
    }

    private static ObjectNode claimSpec(ObjectNode sts, int i) {
        return (ObjectNode) sts.at("/spec/volumeClaimTemplates/" + i + "/spec");
    }

    @Test
    void aValidSetIsAdmitted() {
        admitted(STATEFULSETS, set());
        admitted(STATEFULSETS, with(set(), s -> {
            s.with("spec").putObject("ordinals").put("start", 0);
            s.with("spec").with("updateStrategy").put("type", "RollingUpdate").putObject("rollingUpdate").put("maxUnavailable", "50%");
            s.with("spec").putObject("persistentVolumeClaimRetentionPolicy").put("whenDeleted", "Delete").put("whenScaled", "Retain");
        }));
    }

    @Test
    void theSelectorMustSelectTheTemplate() {
        refused(STATEFULSETS, with(set(), s -> s.with("spec").with("template").with("metadata").with("labels").put("app", "db")),
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"db\"}: `selector` does not match "
                        + "template `labels`");
        refused(STATEFULSETS, with(set(), s -> s.with("spec").remove("selector")), "spec.selector: Required value");
        refused(STATEFULSETS, with(set(), s -> s.with("spec").putObject("selector")),
                "spec.selector: Invalid value: v1.LabelSelector{}: empty selector is invalid for statefulset");
    }

    @Test
    void aClaimTemplateWithoutAStorageRequestIsRefused() {
        refused(STATEFULSETS, with(set(), s -> claimSpec(s, 0).remove("resources")),
                T0 + ".spec.resources[storage]: Required value");
    }

    @Test
    void aClaimTemplateSizeMustBeAPositiveQuantity() {
        refused(STATEFULSETS, with(set(), s -> claimSpec(s, 0).with("resources").with("requests").put("storage", "lots")),
                T0 + ".spec.resources[storage]: Invalid value: \"lots\": quantities must match the regular "
                        + "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        refused(STATEFULSETS, with(set(), s -> claimSpec(s, 0).with("resources").with("requests").put("storage", "0")),
                T0 + ".spec.resources[storage]: Invalid value: \"0\": must be greater than zero");
        refused(STATEFULSETS, with(set(), s -> claimSpec(s, 0).with("resources").with("requests").put("storage", "-1Gi")),
                T0 + ".spec.resources[storage]: Invalid value: \"-1Gi\": must be greater than zero");
    }

    @Test
    void aClaimTemplateNeedsKnownAccessModes() {
        refused(STATEFULSETS, with(set(), s -> claimSpec(s, 0).remove("accessModes")),
                T0 + ".spec.accessModes: Required value: at least 1 access mode is required");
        refused(STATEFULSETS, with(set(), s -> claimSpec(s, 0).putArray("accessModes").add("ReadWriteSometimes")),
                T0 + ".spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", "
                        + "\"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"");
    }

    @Test
    void aClaimTemplateNeedsAUniqueLabelName() {
        refused(STATEFULSETS, with(set(), s -> ((ObjectNode) s.at("/spec/volumeClaimTemplates/0")).remove("metadata")),
                T0 + ".metadata.name: Required value");
        refused(STATEFULSETS, with(set(), s -> ((ObjectNode) s.at("/spec/volumeClaimTemplates/0/metadata")).put("name", "Data_1")),
                T0 + ".metadata.name: Invalid value: \"Data_1\": " + LABEL);
        refused(STATEFULSETS, with(set(), s -> s.withArray("/spec/volumeClaimTemplates").add(json(template("data")))),
                "spec.volumeClaimTemplates[1].metadata.name: Duplicate value: \"data\"");
        refused(STATEFULSETS, with(set(), s -> s.withArray("/spec/volumeClaimTemplates").add(json("{'metadata':{'name':'logs'}}"))),
                "spec.volumeClaimTemplates[1].spec.accessModes: Required value: at least 1 access mode is required",
                "spec.volumeClaimTemplates[1].spec.resources[storage]: Required value");
    }

    @Test
    void ordinalsStartAtZeroOrMore() {
        refused(STATEFULSETS, with(set(), s -> s.with("spec").putObject("ordinals").put("start", -1)),
                "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0");
    }

    @Test
    void maxUnavailableIsAPositiveNumberOrPercent() {
        refused(STATEFULSETS, withMaxUnavailable(0), "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0");
        refused(STATEFULSETS, withMaxUnavailable(-1),
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0");
        refused(STATEFULSETS, with(set(), s -> rollingUpdate(s).put("maxUnavailable", "0%")),
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"0%\": cannot be 0");
        refused(STATEFULSETS, with(set(), s -> rollingUpdate(s).put("maxUnavailable", "150%")),
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%");
        refused(STATEFULSETS, with(set(), s -> rollingUpdate(s).put("maxUnavailable", "half")),
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"half\": a valid percent string must be "
                        + "a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
    }

    private static ObjectNode withMaxUnavailable(int n) {
        return with(set(), s -> rollingUpdate(s).put("maxUnavailable", n));
    }

    private static ObjectNode rollingUpdate(ObjectNode sts) {
        return sts.with("spec").with("updateStrategy").put("type", "RollingUpdate").with("rollingUpdate");
    }

    @Test
    void theRetentionPolicyIsRetainOrDelete() {
        refused(STATEFULSETS, with(set(), s -> s.with("spec").putObject("persistentVolumeClaimRetentionPolicy")
                        .put("whenDeleted", "Keep").put("whenScaled", "Purge")),
                "spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: \"Keep\": supported values: "
                        + "\"Retain\", \"Delete\"",
                "spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: \"Purge\": supported values: "
                        + "\"Retain\", \"Delete\"");
    }

    @Test
    void theServiceNameIsADnsLabel() {
        refused(STATEFULSETS, with(set(), s -> s.with("spec").put("serviceName", "Web_Svc")),
                "spec.serviceName: Invalid value: \"Web_Svc\": " + LABEL);
        admitted(STATEFULSETS, with(set(), s -> s.with("spec").remove("serviceName")));
    }

    /** As kube-apiserver, the create-only rules do not hold an update back: the fields they check are immutable. */
    @Test
    void anUpdateOfAStoredSetDoesNotRecheckItsClaimTemplates() {
        ObjectNode stored = admitted(STATEFULSETS, set());
        claimSpec(stored, 0).with("resources").with("requests").put("storage", "0");
        stored.with("spec").put("serviceName", "Old_Name");
        admittedUpdate(STATEFULSETS, with(stored, s -> s.with("spec").put("replicas", 3)), stored);
    }
}
