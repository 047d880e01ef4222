package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A CustomResourceDefinition version's {@code schema.openAPIV3Schema} (apiextensions' JSONSchemaProps) as one tree:
 * the structural part (type, properties, items, additionalProperties, the x-kubernetes extensions) and the value
 * validations, with allOf/anyOf/oneOf/not as nested trees of the same shape. Kube splits the nested ones into
 * NestedValueValidation, whose structural fields must stay empty; keeping one shape here lets {@link StructuralChecks}
 * report exactly those fields as kube does, and lets validation walk one kind of node. Read-only once parsed.
 */
public final class StructuralSchema {
    /** The JSONSchemaProps keys kube-apiserver decodes but refuses in a CRD ("... is not supported"). */
    static final List<String> UNSUPPORTED = List.of("id", "$schema", "$ref", "patternProperties", "definitions",
            "dependencies", "additionalItems");

    String type = "";
    String format = "";
    String description = "";
    String title = "";
    boolean nullable;
    /** The {@code default} value; null when the schema has none (a JSON null default counts as none, as in Go). */
    JsonNode defaultValue;
    final Map<String, StructuralSchema> properties = new LinkedHashMap<>();
    StructuralSchema items;
    /** {@code items} given as an array of schemas, which CRDs refuse. */
    boolean itemsIsArray;
    StructuralSchema additionalProperties;
    /** {@code additionalProperties} given as a bool: its value; null when absent or given as a schema. */
    Boolean additionalPropertiesAllowed;
    final List<String> required = new ArrayList<>();
    /** The enum's values, null when the schema has no enum. */
    List<JsonNode> enumValues;
    Double maximum;
    boolean exclusiveMaximum;
    Double minimum;
    boolean exclusiveMinimum;
    Long maxLength;
    Long minLength;
    String pattern = "";
    private volatile Pattern compiled;
    private volatile List<CelRules.Compiled> celRules;
    Long maxItems;
    Long minItems;
    boolean uniqueItems;
    Double multipleOf;
    Long maxProperties;
    Long minProperties;
    final List<StructuralSchema> allOf = new ArrayList<>();
    final List<StructuralSchema> anyOf = new ArrayList<>();
    final List<StructuralSchema> oneOf = new ArrayList<>();
    StructuralSchema not;
    /** x-kubernetes-preserve-unknown-fields: null when absent (false is refused, "must be true or undefined"). */
    Boolean preserveUnknownFields;
    boolean embeddedResource;
    boolean intOrString;
    String listType;
    final List<String> listMapKeys = new ArrayList<>();
    String mapType;
    final List<ValidationRule> validations = new ArrayList<>();
    /** Which of {@link #UNSUPPORTED} the schema names. */
    final Set<String> unsupported = new LinkedHashSet<>();

    StructuralSchema() {
    }

    /**
     * Reads a JSONSchemaProps object. Throws {@link IllegalArgumentException} where Go's JSON decoding of the CRD would
     * fail (a field of the wrong JSON type), which kube-apiserver answers with a 400 before any validation.
     */
    public static StructuralSchema parse(JsonNode json) {
        return parse(json, "openAPIV3Schema");
    }

    private static StructuralSchema parse(JsonNode json, String at) {
        if (!json.isObject()) {
            throw typeError(at, json, "JSONSchemaProps");
        }
        StructuralSchema s = new StructuralSchema();
        for (Map.Entry<String, JsonNode> e : json.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            String here = at + "." + key;
            if (v.isNull()) {
                continue; // Go leaves a field at its zero value when the JSON says null
            }
            switch (key) {
                case "type" -> s.type = text(v, here);
                case "format" -> s.format = text(v, here);
                case "description" -> s.description = text(v, here);
                case "title" -> s.title = text(v, here);
                case "nullable" -> s.nullable = bool(v, here);
                case "default" -> s.defaultValue = v.deepCopy();
                case "properties" -> object(v, here).properties().forEach(
                        p -> s.properties.put(p.getKey(), parse(p.getValue(), here + "." + p.getKey())));
                case "items" -> {
                    if (v.isArray()) {
                        s.itemsIsArray = true;
                    } else {
                        s.items = parse(v, here);
                    }
                }
                case "additionalProperties" -> {
                    if (v.isBoolean()) {
                        s.additionalPropertiesAllowed = v.booleanValue();
                    } else {
                        s.additionalProperties = parse(v, here);
                    }
                }
                case "required" -> array(v, here).forEach(r -> s.required.add(text(r, here)));
                case "enum" -> {
                    s.enumValues = new ArrayList<>();
                    array(v, here).forEach(x -> s.enumValues.add(x.deepCopy()));
                }
                case "maximum" -> s.maximum = number(v, here);
                case "exclusiveMaximum" -> s.exclusiveMaximum = bool(v, here);
                case "minimum" -> s.minimum = number(v, here);
                case "exclusiveMinimum" -> s.exclusiveMinimum = bool(v, here);
                case "maxLength" -> s.maxLength = integer(v, here);
                case "minLength" -> s.minLength = integer(v, here);
                case "pattern" -> s.pattern = text(v, here);
                case "maxItems" -> s.maxItems = integer(v, here);
                case "minItems" -> s.minItems = integer(v, here);
                case "uniqueItems" -> s.uniqueItems = bool(v, here);
                case "multipleOf" -> s.multipleOf = number(v, here);
                case "maxProperties" -> s.maxProperties = integer(v, here);
                case "minProperties" -> s.minProperties = integer(v, here);
                case "allOf" -> array(v, here).forEach(x -> s.allOf.add(parse(x, here)));
                case "anyOf" -> array(v, here).forEach(x -> s.anyOf.add(parse(x, here)));
                case "oneOf" -> array(v, here).forEach(x -> s.oneOf.add(parse(x, here)));
                case "not" -> s.not = parse(v, here);
                case "x-kubernetes-preserve-unknown-fields" -> s.preserveUnknownFields = bool(v, here);
                case "x-kubernetes-embedded-resource" -> s.embeddedResource = bool(v, here);
                case "x-kubernetes-int-or-string" -> s.intOrString = bool(v, here);
                case "x-kubernetes-list-type" -> s.listType = text(v, here);
                case "x-kubernetes-list-map-keys" -> array(v, here).forEach(k -> s.listMapKeys.add(text(k, here)));
                case "x-kubernetes-map-type" -> s.mapType = text(v, here);
                case "x-kubernetes-validations" -> array(v, here).forEach(r -> s.validations.add(rule(r, here)));
                default -> {
                    if (UNSUPPORTED.contains(key)) {
                        s.unsupported.add(key);
                    }
                    // other keys (example, externalDocs, ...) carry no validation; unknown ones Go ignores
                }
            }
        }
        return s;
    }

    private static ValidationRule rule(JsonNode v, String at) {
        object(v, at);
        JsonNode reason = v.get("reason");
        JsonNode optionalOldSelf = v.get("optionalOldSelf");
        return new ValidationRule(optionalText(v, "rule", at), optionalText(v, "message", at),
                optionalText(v, "messageExpression", at),
                reason == null || reason.isNull() ? null : text(reason, at + ".reason"),
                optionalText(v, "fieldPath", at),
                optionalOldSelf == null || optionalOldSelf.isNull() ? null : bool(optionalOldSelf, at + ".optionalOldSelf"));
    }

    private static String optionalText(JsonNode o, String key, String at) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? "" : text(v, at + "." + key);
    }

    private static String text(JsonNode v, String at) {
        if (!v.isTextual()) {
            throw typeError(at, v, "string");
        }
        return v.textValue();
    }

    private static boolean bool(JsonNode v, String at) {
        if (!v.isBoolean()) {
            throw typeError(at, v, "bool");
        }
        return v.booleanValue();
    }

    private static double number(JsonNode v, String at) {
        if (!v.isNumber()) {
            throw typeError(at, v, "float64");
        }
        return v.doubleValue();
    }

    private static long integer(JsonNode v, String at) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw typeError(at, v, "int64");
        }
        return v.longValue();
    }

    private static JsonNode object(JsonNode v, String at) {
        if (!v.isObject()) {
            throw typeError(at, v, "map[string]JSONSchemaProps");
        }
        return v;
    }

    private static JsonNode array(JsonNode v, String at) {
        if (!v.isArray()) {
            throw typeError(at, v, "[]");
        }
        return v;
    }

    /** Go's UnmarshalTypeError text, naming where in the schema the value is. */
    private static IllegalArgumentException typeError(String at, JsonNode v, String goType) {
        String jsonType = v.isTextual() ? "string" : v.isNumber() ? "number" : v.isBoolean() ? "bool"
                : v.isArray() ? "array" : "object";
        return new IllegalArgumentException("json: cannot unmarshal " + jsonType + " into Go struct field "
                + at + " of type " + goType);
    }

    /** The declared properties, read-only (server-side apply reads a CRD's field types through these accessors). */
    public Map<String, StructuralSchema> propertiesView() {
        return java.util.Collections.unmodifiableMap(properties);
    }

    /** The {@code items} schema, or null. */
    public StructuralSchema itemsSchema() {
        return items;
    }

    /** The {@code additionalProperties} schema, or null. */
    public StructuralSchema additionalPropertiesSchema() {
        return additionalProperties;
    }

    /** Whether x-kubernetes-preserve-unknown-fields is true. */
    public boolean preservesUnknownFields() {
        return Boolean.TRUE.equals(preserveUnknownFields);
    }

    /** x-kubernetes-list-type, or null. */
    public String xListType() {
        return listType;
    }

    /** x-kubernetes-list-map-keys, read-only. */
    public List<String> xListMapKeys() {
        return java.util.Collections.unmodifiableList(listMapKeys);
    }

    /** x-kubernetes-map-type, or null. */
    public String xMapType() {
        return mapType;
    }

    /** The schema's {@code type}, "" when absent. */
    public String typeName() {
        return type;
    }

    /** Whether x-kubernetes-int-or-string is set. */
    public boolean intOrString() {
        return intOrString;
    }

    /** The {@code default} value as a fresh copy, or null. */
    public JsonNode defaultValueCopy() {
        return defaultCopy();
    }

    /** The default, if any, as a fresh copy (defaults are copied into every object they fill). */
    JsonNode defaultCopy() {
        return defaultValue == null ? null : defaultValue.deepCopy();
    }

    /**
     * The x-kubernetes-validations compiled once (kube compiles a CRD's rules when it builds its validator). A node
     * is either a resource's root or not, so one compilation serves every call.
     */
    List<CelRules.Compiled> celRules(boolean resourceRoot) {
        List<CelRules.Compiled> c = celRules;
        if (c == null) {
            c = CelRules.compile(this, resourceRoot);
            celRules = c;
        }
        return c;
    }

    /** The pattern compiled once (Java's syntax: RE2's common forms read the same; see {@link StructuralChecks}). */
    Pattern regex() {
        Pattern p = compiled;
        if (p == null) {
            p = Pattern.compile(pattern);
            compiled = p;
        }
        return p;
    }
}
