package io.kubus.gateway.apply;

import io.kubus.schema.validation.GoQuote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One {@code metadata.managedFields} entry (meta/v1 ManagedFieldsEntry): who manages which fields, through which
 * operation, API version and subresource, and when the manager last changed the object.
 *
 * @param time RFC 3339 seconds, or null
 * @param subresource "" for the main resource
 */
public record ManagedFieldsEntry(String manager, String operation, String apiVersion, String time, FieldSet fields,
                                 String subresource) {

    public static final String APPLY = "Apply";
    public static final String UPDATE = "Update";

    public ManagedFieldsEntry {
        Objects.requireNonNull(operation, "operation");
        manager = manager == null ? "" : manager;
        apiVersion = apiVersion == null ? "" : apiVersion;
        fields = fields == null ? FieldSet.EMPTY : fields;
        subresource = subresource == null ? "" : subresource;
    }

    public boolean isApply() {
        return APPLY.equals(operation);
    }

    /**
     * The identity kube keys managers by (BuildManagerIdentifier): the entry's JSON without time and fields, and
     * without the apiVersion for appliers, so an applier keeps one entry whatever version it applies with while an
     * updater has one per version.
     */
    public String identifier() {
        StringBuilder b = new StringBuilder("{");
        b.append("\"manager\":");
        JsonValues.writeGoJson(b, manager);
        b.append(",\"operation\":");
        JsonValues.writeGoJson(b, operation);
        if (!isApply() && !apiVersion.isEmpty()) {
            b.append(",\"apiVersion\":");
            JsonValues.writeGoJson(b, apiVersion);
        }
        if (!subresource.isEmpty()) {
            b.append(",\"subresource\":");
            JsonValues.writeGoJson(b, subresource);
        }
        return b.append('}').toString();
    }

    /** How conflict messages name this manager (kube's printManager). */
    public String printable() {
        String s = GoQuote.quote(manager);
        if (!subresource.isEmpty()) {
            s += " with subresource " + GoQuote.quote(subresource);
        }
        return isApply() ? s : s + " using " + apiVersion;
    }

    public ManagedFieldsEntry withFields(FieldSet f) {
        return new ManagedFieldsEntry(manager, operation, apiVersion, time, f, subresource);
    }

    public ManagedFieldsEntry withTime(String t) {
        return new ManagedFieldsEntry(manager, operation, apiVersion, t, fields, subresource);
    }

    public ManagedFieldsEntry withApiVersion(String v) {
        return new ManagedFieldsEntry(manager, operation, v, time, fields, subresource);
    }

    /** The entry as kube serializes it, fields in ManagedFieldsEntry's declaration order. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (!manager.isEmpty()) {
            o.put("manager", manager);
        }
        o.put("operation", operation);
        if (!apiVersion.isEmpty()) {
            o.put("apiVersion", apiVersion);
        }
        if (time != null) {
            o.put("time", time);
        }
        o.put("fieldsType", "FieldsV1");
        o.set("fieldsV1", fields.toFieldsV1());
        if (!subresource.isEmpty()) {
            o.put("subresource", subresource);
        }
        return o;
    }

    /** Reads one entry, refusing what kube's DecodeManagedFields refuses. */
    public static ManagedFieldsEntry fromJson(JsonNode e, int index) {
        if (!e.isObject()) {
            throw new IllegalArgumentException("managed fields entry " + index + " is not an object");
        }
        String operation = text(e, "operation");
        if (!APPLY.equals(operation) && !UPDATE.equals(operation)) {
            throw new IllegalArgumentException("operation must be `Apply` or `Update`");
        }
        String apiVersion = text(e, "apiVersion");
        if (apiVersion == null || apiVersion.isEmpty()) {
            throw new IllegalArgumentException("apiVersion must not be empty");
        }
        String fieldsType = text(e, "fieldsType");
        if (fieldsType == null || fieldsType.isEmpty()) {
            throw new IllegalArgumentException("missing fieldsType in managed fields entry " + index);
        }
        if (!fieldsType.equals("FieldsV1")) {
            throw new IllegalArgumentException("invalid fieldsType \"" + fieldsType + "\" in managed fields entry " + index);
        }
        return new ManagedFieldsEntry(text(e, "manager"), operation, apiVersion, text(e, "time"),
                FieldSet.fromFieldsV1(e.get("fieldsV1")), text(e, "subresource"));
    }

    private static String text(JsonNode e, String field) {
        JsonNode v = e.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The entries of an object's {@code metadata.managedFields}; empty when absent. */
    public static List<ManagedFieldsEntry> read(JsonNode object) {
        JsonNode mf = object == null ? null : object.path("metadata").get("managedFields");
        List<ManagedFieldsEntry> out = new ArrayList<>();
        if (mf == null || mf.isNull()) {
            return out;
        }
        if (!mf.isArray()) {
            throw new IllegalArgumentException("metadata.managedFields must be a list");
        }
        for (int i = 0; i < mf.size(); i++) {
            out.add(fromJson(mf.get(i), i));
        }
        return out;
    }

    /** Kube's order: Apply before Update, then oldest first, then manager, apiVersion and subresource. */
    public static final Comparator<ManagedFieldsEntry> ORDER = Comparator
            .comparing(ManagedFieldsEntry::operation)
            .thenComparing(e -> e.time == null ? "" : e.time)
            .thenComparing(ManagedFieldsEntry::manager)
            .thenComparing(ManagedFieldsEntry::apiVersion)
            .thenComparing(ManagedFieldsEntry::subresource);

    /** Writes the entries sorted into {@code object.metadata.managedFields}, or removes it when there are none. */
    public static void write(ObjectNode object, List<ManagedFieldsEntry> entries) {
        JsonNode metadata = object.get("metadata");
        if (entries.isEmpty()) {
            if (metadata instanceof ObjectNode m) {
                m.remove("managedFields");
            }
            return;
        }
        ObjectNode m = metadata instanceof ObjectNode mo ? mo : object.putObject("metadata");
        ArrayNode arr = m.putArray("managedFields");
        entries.stream().sorted(ORDER).forEach(e -> arr.add(e.toJson()));
    }
}
