package io.kubus.gateway.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of a list of meta/v1 {@code Condition}s (apimachinery's metav1 validation ValidateConditions), for the
 * kinds whose status carries them, and how the server sets one.
 */
public final class Conditions {
    private static final List<String> STATUSES = List.of("False", "True", "Unknown");
    private static final Pattern REASON = Pattern.compile("[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?");
    private static final int MAX_REASON_LENGTH = 1024;
    private static final int MAX_MESSAGE_LENGTH = 32 * 1024;

    private Conditions() {
    }

    /**
     * Sets condition {@code type} of {@code object}'s {@code status.conditions} (added when missing), its
     * {@code lastTransitionTime} changed to {@code now} only when its status changes, as meta's SetStatusCondition
     * does. {@code probeTime}: the kind's conditions also carry a {@code lastProbeTime} (a pod's), null here.
     */
    public static void set(ObjectNode object, String type, String status, String reason, String message, String now,
                           boolean probeTime) {
        ObjectNode objectStatus = JsonTree.obj(object, "status");
        ArrayNode conditions = objectStatus.get("conditions") instanceof ArrayNode a ? a
                : objectStatus.putArray("conditions");
        ObjectNode condition = null;
        for (JsonNode c : conditions) {
            if (type.equals(c.path("type").asText()) && c instanceof ObjectNode o) {
                condition = o;
            }
        }
        if (condition == null) {
            condition = conditions.addObject();
            condition.put("type", type);
        }
        if (!status.equals(condition.path("status").asText())) {
            condition.put("status", status);
            if (probeTime) {
                condition.putNull("lastProbeTime");
            }
            condition.put("lastTransitionTime", now);
        }
        condition.put("reason", reason);
        condition.put("message", message);
    }

    /** ValidateConditions of the list at {@code path}: each condition's rules, and no type twice. */
    public static void validate(JsonNode conditions, String path, ErrorList errs) {
        Set<String> types = new HashSet<>();
        for (int i = 0; i < conditions.size(); i++) {
            JsonNode c = conditions.get(i);
            String at = path + "[" + i + "]";
            String type = JsonTree.text(c, "type");
            if (!types.add(type)) {
                errs.duplicate(at + ".type", type);
            }
            errs.invalidEach(at + ".type", type, Names.qualifiedName(type));
            String status = JsonTree.text(c, "status");
            if (!STATUSES.contains(status)) {
                errs.notSupported(at + ".status", status, STATUSES);
            }
            long observed = c.path("observedGeneration").asLong(0);
            if (observed < 0) {
                errs.invalid(at + ".observedGeneration", observed, "must be greater than or equal to zero");
            }
            if (JsonTree.text(c, "lastTransitionTime").isEmpty()) {
                errs.required(at + ".lastTransitionTime", "must be set");
            }
            String reason = JsonTree.text(c, "reason");
            if (reason.isEmpty()) {
                errs.required(at + ".reason", "must be set");
            } else {
                if (!REASON.matcher(reason).matches()) {
                    errs.invalid(at + ".reason", reason, "a condition reason must start with alphabetic character, "
                            + "optionally followed by a string of alphanumeric characters or '_,:', and must end with an "
                            + "alphanumeric character or '_'");
                }
                if (reason.length() > MAX_REASON_LENGTH) {
                    errs.tooLong(at + ".reason", MAX_REASON_LENGTH);
                }
            }
            if (JsonTree.text(c, "message").length() > MAX_MESSAGE_LENGTH) {
                errs.tooLong(at + ".message", MAX_MESSAGE_LENGTH);
            }
        }
    }
}
