package io.kubus.gateway.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.registry.Strategies;
import io.kubus.gateway.testing.Registry;
import io.kubus.schema.ResourceType;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** Manifests and assertions shared by the admission tests. */
final class Fixtures {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Strategies STRATEGIES = Registry.STRATEGIES;
    static final Admission ADMISSION = Registry.ADMISSION;
    /** Who the admitted creates act as. */
    static final UserInfo CREATOR = new UserInfo("tester", "", List.of(UserInfo.ALL_AUTHENTICATED), java.util.Map.of());

    private Fixtures() {
    }

    /** JSON with single quotes, to keep literals readable. */
    static ObjectNode json(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad test JSON: " + text, e);
        }
    }

    static ObjectNode pod() {
        return json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','namespace':'default','uid':'u1',"
                + "'labels':{'app':'web'}},'spec':{'containers':[{'name':'app','image':'nginx:1.27',"
                + "'ports':[{'containerPort':80,'name':'http'}]}]}}");
    }

    static String podTemplate() {
        return "{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'app','image':'nginx:1.27'}]}}";
    }

    static ObjectNode workload(String apiVersion, String kind) {
        return json("{'apiVersion':'" + apiVersion + "','kind':'" + kind + "','metadata':{'name':'web','namespace':'default','uid':'u2'},"
                + "'spec':{'selector':{'matchLabels':{'app':'web'}},'template':" + podTemplate() + "}}");
    }

    static ObjectNode deployment() {
        return workload("apps/v1", "Deployment");
    }

    static ObjectNode job() {
        return json("{'apiVersion':'batch/v1','kind':'Job','metadata':{'name':'pi','namespace':'default','uid':'j1'},"
                + "'spec':{'template':{'spec':{'restartPolicy':'Never','containers':[{'name':'pi','image':'perl:5'}]}}}}");
    }

    static ObjectNode cronJob() {
        return json("{'apiVersion':'batch/v1','kind':'CronJob','metadata':{'name':'tick','namespace':'default'},"
                + "'spec':{'schedule':'*/5 * * * *','jobTemplate':{'spec':{'template':{'spec':{'restartPolicy':'OnFailure',"
                + "'containers':[{'name':'tick','image':'busybox'}]}}}}}}");
    }

    static ObjectNode service() {
        return json("{'apiVersion':'v1','kind':'Service','metadata':{'name':'web','namespace':'default'},"
                + "'spec':{'selector':{'app':'web'},'ports':[{'port':80}]}}");
    }

    static ObjectNode create(ResourceType type, ObjectNode object) {
        return admit(type, object, null, FieldValidation.STRICT, new ArrayList<>());
    }

    /**
     * Admits a create ({@code old} null) or an update of the object itself, as the API does: an update first keeps
     * what the kind's strategy keeps from the stored object (PrepareForUpdate).
     */
    static ObjectNode admit(ResourceType type, ObjectNode object, ObjectNode old, FieldValidation validation,
                            List<String> warnings) {
        return admit(ADMISSION, type, object, old, validation, warnings);
    }

    static ObjectNode admit(Admission admission, ResourceType type, ObjectNode object, ObjectNode old,
                            FieldValidation validation, List<String> warnings) {
        if (old == null) {
            return admission.admitCreate(type, object, CREATOR, validation, warnings);
        }
        ObjectNode prepared = object.deepCopy();
        STRATEGIES.of(type).prepareForUpdate(prepared, old);
        return admission.admitUpdate(type, prepared, old, validation, warnings);
    }

    /** The Status a refused admission gets at the API's edge. */
    static ApiException refuse(ResourceType type, ObjectNode object, ObjectNode old) {
        return refuse(() -> admit(type, object, old, FieldValidation.STRICT, new ArrayList<>()));
    }

    static ApiException refuse(org.junit.jupiter.api.function.Executable admit) {
        return ApiException.from(assertThrows(AdmissionException.class, admit));
    }

    /** Asserts a 422 with a cause on {@code field} whose message starts with {@code message}. */
    static ApiException assertInvalid(ResourceType type, ObjectNode object, String field, String message) {
        return assertInvalid(type, object, null, field, message);
    }

    static ApiException assertInvalid(ResourceType type, ObjectNode object, ObjectNode old, String field, String message) {
        ApiException e = refuse(type, object, old);
        assertEquals(422, e.code(), e.getMessage());
        assertEquals("Invalid", e.status().getReason());
        List<StatusCause> causes = e.status().getDetails().getCauses();
        for (StatusCause c : causes) {
            if (field.equals(c.getField()) && c.getMessage().startsWith(message)) {
                return e;
            }
        }
        fail("no cause " + field + ": " + message + " in " + e.getMessage());
        return e;
    }

    static JsonNode at(JsonNode node, String pointer) {
        return node.at(pointer);
    }
}
