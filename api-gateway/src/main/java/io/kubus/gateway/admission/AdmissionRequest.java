package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

import java.util.List;

/**
 * One object on its way into the store, as admission plugins see it.
 *
 * @param type     its kind
 * @param object   the object as it will be stored; mutating plugins change it in place
 * @param old      the stored object for an update, null for a create
 * @param user     who asks (authenticated, impersonation applied; a status report's signer)
 * @param warnings receives warnings for the response's {@code Warning} headers
 */
public record AdmissionRequest(ResourceType type, ObjectNode object, @Nullable ObjectNode old, UserInfo user,
                               List<String> warnings) {
    public boolean isCreate() {
        return old == null;
    }

    /** A plugin's refusal as admission.NewForbidden words it: {@code pods "web" is forbidden: <why>}. */
    public AdmissionException forbidden(String why) {
        String name = object.path("metadata").path("name").asText("");
        return AdmissionException.forbidden(type, name, type.qualifiedPlural() + " \"" + name + "\" is forbidden: " + why);
    }
}
