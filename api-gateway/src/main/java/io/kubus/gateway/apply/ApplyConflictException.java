package io.kubus.gateway.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An apply that would change fields other managers own, without force. The message and causes are kube-apiserver's
 * (NewConflictError): the API layer answers 409 Conflict with reason Conflict and these causes.
 */
public final class ApplyConflictException extends RuntimeException {

    /** One field another manager owns. */
    public record Conflict(ManagedFieldsEntry manager, List<PathElement> path) {
        public String field() {
            return PathElement.human(path);
        }
    }

    /** A Status cause: {@code reason: FieldManagerConflict}. */
    public record Cause(String reason, String message, String field) {
    }

    private final List<Conflict> conflicts;

    public ApplyConflictException(List<Conflict> conflicts) {
        super(message(conflicts));
        this.conflicts = List.copyOf(conflicts);
    }

    public List<Conflict> conflicts() {
        return conflicts;
    }

    public List<Cause> causes() {
        List<Cause> out = new ArrayList<>();
        for (Conflict c : conflicts) {
            out.add(new Cause("FieldManagerConflict", "conflict with " + c.manager().printable(), c.field()));
        }
        return out;
    }

    /**
     * The 409 Status kube-apiserver answers with (errors.NewApplyConflict): reason Conflict, no object details, one
     * cause per conflicting field.
     */
    public com.fasterxml.jackson.databind.node.ObjectNode toStatus() {
        com.fasterxml.jackson.databind.node.ObjectNode s = JsonValues.MAPPER.createObjectNode();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", getMessage());
        s.put("reason", "Conflict");
        com.fasterxml.jackson.databind.node.ArrayNode causes = s.putObject("details").putArray("causes");
        for (Cause c : causes()) {
            causes.addObject().put("reason", c.reason()).put("message", c.message()).put("field", c.field());
        }
        s.put("code", 409);
        return s;
    }

    /**
     * One conflict names its manager inline; several are grouped by manager (sorted by kube's manager identifier)
     * with one {@code - path} line each.
     */
    static String message(List<Conflict> conflicts) {
        if (conflicts.size() == 1) {
            Conflict c = conflicts.getFirst();
            return "Apply failed with 1 conflict: conflict with " + c.manager().printable() + ": " + c.field();
        }
        Map<String, List<Conflict>> byManager = new java.util.TreeMap<>(JsonValues::compareStrings);
        for (Conflict c : conflicts) {
            byManager.computeIfAbsent(c.manager().identifier(), k -> new ArrayList<>()).add(c);
        }
        List<String> lines = new ArrayList<>();
        byManager.values().forEach(cs -> {
            lines.add("conflicts with " + cs.getFirst().manager().printable() + ":");
            cs.forEach(c -> lines.add("- " + c.field()));
        });
        return "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
    }

}
