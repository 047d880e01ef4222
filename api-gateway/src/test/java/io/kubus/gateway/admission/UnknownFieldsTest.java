package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.admission.Fixtures.deployment;
import static io.kubus.gateway.admission.Fixtures.json;
import static io.kubus.gateway.admission.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnknownFieldsTest {

    private static ObjectNode podWithUnknowns() {
        ObjectNode pod = pod();
        ((ObjectNode) pod.get("spec")).put("foo", 1);
        ((ObjectNode) pod.at("/spec/containers/0")).put("bar", "x");
        ((ObjectNode) pod.at("/spec/containers/0/ports/0")).put("baz", true);
        return pod;
    }

    @Test
    void strictRefusesWith422NamingEachField() {
        ApiException e = Fixtures.refuse(() -> Fixtures.admit(ResourceTypes.PODS, podWithUnknowns(), null,
                FieldValidation.STRICT, new ArrayList<>()));
        assertEquals(422, e.code());
        List<String> fields = e.status().getDetails().getCauses().stream().map(c -> c.getField()).toList();
        assertEquals(List.of("spec.containers[0].ports[0].baz", "spec.containers[0].bar", "spec.foo").stream().sorted().toList(),
                fields.stream().sorted().toList());
        assertTrue(e.getMessage().contains("spec.foo: unknown field \"spec.foo\""), e.getMessage());
        assertEquals("FieldValueInvalid", e.status().getDetails().getCauses().get(0).getReason());
    }

    @Test
    void warnDropsAndWarnsOncePerField() {
        List<String> warnings = new ArrayList<>();
        ObjectNode out = Fixtures.admit(ResourceTypes.PODS, podWithUnknowns(), null, FieldValidation.WARN, warnings);
        assertEquals(List.of("unknown field \"spec.containers[0].bar\"", "unknown field \"spec.containers[0].ports[0].baz\"",
                "unknown field \"spec.foo\""), warnings.stream().sorted().toList());
        assertFalse(out.get("spec").has("foo"));
        assertFalse(out.at("/spec/containers/0").has("bar"));
        assertFalse(out.toString().contains("baz"));
    }

    @Test
    void ignoreDropsSilently() {
        List<String> warnings = new ArrayList<>();
        ObjectNode out = Fixtures.admit(ResourceTypes.PODS, podWithUnknowns(), null, FieldValidation.IGNORE, warnings);
        assertTrue(warnings.isEmpty());
        assertFalse(out.toString().contains("foo"));
        assertFalse(out.toString().contains("bar"));
    }

    @Test
    void topLevelAndMetadataAndDeepTemplatePaths() {
        ObjectNode d = deployment();
        d.put("extra", 1);
        ((ObjectNode) d.get("metadata")).put("nickname", "x");
        ((ObjectNode) d.at("/spec/template/spec/containers/0")).putObject("resources").put("cpus", "1");
        List<String> warnings = new ArrayList<>();
        ObjectNode out = Fixtures.admit(ResourceTypes.DEPLOYMENTS, d, null, FieldValidation.WARN, warnings);
        assertEquals(List.of("unknown field \"extra\"", "unknown field \"metadata.nickname\"",
                "unknown field \"spec.template.spec.containers[0].resources.cpus\""), warnings.stream().sorted().toList());
        assertFalse(out.has("extra"));
    }

    @Test
    void leavesAndMapsAreNotWalkedInto() {
        // labels, resource quantities and IntOrString values are values, not objects with fields
        ObjectNode d = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default',"
                + "'labels':{'anything':'goes'},'annotations':{'a':'b'}},'spec':{'selector':{'matchLabels':{'app':'web'}},"
                + "'strategy':{'rollingUpdate':{'maxSurge':1,'maxUnavailable':'10%'}},"
                + "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'nodeSelector':{'disk':'ssd'},'containers':[{'name':'a',"
                + "'image':'nginx','resources':{'limits':{'cpu':'500m','memory':'128Mi'}}}]}}}}");
        List<String> warnings = new ArrayList<>();
        Fixtures.admit(ResourceTypes.DEPLOYMENTS, d, null, FieldValidation.STRICT, warnings);
        assertTrue(warnings.isEmpty());
    }

    @Test
    void mapValuesThatAreObjectsArePathedByKey() {
        ObjectNode svc = json("{'apiVersion':'v1','kind':'Secret','metadata':{'name':'s','namespace':'default'},'wat':{'x':1}}");
        List<String> warnings = new ArrayList<>();
        Fixtures.admit(ResourceTypes.SECRETS, svc, null, FieldValidation.WARN, warnings);
        assertEquals(List.of("unknown field \"wat\""), warnings);
    }

    @Test
    void unknownFieldsNeverReachTheStoredObjectInAnyMode() {
        for (FieldValidation mode : List.of(FieldValidation.WARN, FieldValidation.IGNORE)) {
            ObjectNode out = Fixtures.admit(ResourceTypes.PODS, podWithUnknowns(), null, mode, new ArrayList<>());
            assertFalse(out.toString().contains("additionalProperties"));
            assertFalse(out.at("/spec").has("foo"), mode.name());
        }
    }

    @Test
    void inputIsNotMutated() {
        ObjectNode in = podWithUnknowns();
        ObjectNode copy = in.deepCopy();
        Fixtures.admit(ResourceTypes.PODS, in, null, FieldValidation.WARN, new ArrayList<>());
        assertEquals(copy, in);
    }
}
