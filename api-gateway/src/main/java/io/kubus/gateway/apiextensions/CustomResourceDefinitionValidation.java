package io.kubus.gateway.apiextensions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.apiextensions.schema.SelectableFields;
import io.kubus.gateway.apiextensions.schema.StructuralChecks;
import io.kubus.gateway.apiextensions.schema.StructuralSchema;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.schema.KubusJson;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.GoQuote;
import io.kubus.schema.validation.Names;
import io.micronaut.core.annotation.Nullable;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What kube-apiserver checks of a CustomResourceDefinition before it stores it (apiextensions-apiserver 1.32,
 * pkg/apis/apiextensions/validation: ValidateCustomResourceDefinition, ...Update, ValidateUpdate...Status), on the
 * apiextensions.k8s.io/v1 object as JSON, with kube's field paths and messages.
 *
 * <p>Kube validates the internal version, into which v1 converts by hoisting: when every version carries the same
 * schema (subresources, additionalPrinterColumns) the conversion moves it to the top-level {@code spec.validation}
 * ({@code spec.subresources}, {@code spec.additionalPrinterColumns}) and clears it in the versions. A CRD with one
 * version, or with one schema for all, is therefore reported at {@code spec.validation.openAPIV3Schema...}, one with
 * differing schemas at {@code spec.versions[i].schema.openAPIV3Schema...}; this class reports where kube does. Kube's
 * checks that top-level and per-version fields exclude each other, or are not all identical, cannot fail after that
 * conversion and are not repeated. The conversion also sets {@code spec.version} to the first version's name, so an
 * invalid first version name is reported twice, as kube does.
 *
 * <p>The strategy must prepare the object as kube's does before these run: on create reset the status and set
 * {@code status.storedVersions} to the storage version (PrepareForCreate), on update keep the stored status and add
 * the new storage version to storedVersions (PrepareForUpdate); validate checks storedVersions on both, and v1's
 * defaults ({@code names.singular} from the kind, {@code names.listKind} as kind+"List", conversion None) are
 * expected to be applied.
 *
 * <p>Kube relaxes some rules on update according to the old object (API approval unchanged, preserveUnknownFields
 * already true, unrecognized conversion review versions, non-structural or schema-less old versions): Kubus never
 * stores a CRD that fails them, so {@link #validate}, which the strategy also runs on update, applies them as on
 * create.
 *
 * <p>The CEL cost budget (per rule and per schema) is checked as on create also on update: kube skips the per-rule
 * limit for a version whose schema did not change (so that CRDs stored before the limit existed stay updatable),
 * which needs the old object where {@link #validate} has none. Not checked, and why: the
 * conversion webhook's caBundle (kube checks it only on update of an Established CRD whose old bundle was valid, and
 * Kubus refuses the Webhook strategy anyway). The final
 * "error building validator" step (Kubus builds its validator from the same parsed schema later).
 */
public final class CustomResourceDefinitionValidation {
    private static final List<String> SCOPES = List.of("Cluster", "Namespaced");
    private static final List<String> CONVERSION_STRATEGIES = List.of("None", "Webhook");
    private static final Set<String> ACCEPTED_REVIEW_VERSIONS = Set.of("v1", "v1beta1");
    /** Kube's printerColumnDatatypes and customResourceColumnDefinitionFormats, sorted as its sets list them. */
    private static final List<String> COLUMN_TYPES = List.of("boolean", "date", "integer", "number", "string");
    private static final List<String> COLUMN_FORMATS = List.of("byte", "date", "date-time", "double", "float", "int32",
            "int64", "password");
    /** JSONSchemaProps fields allowed at the root when the status subresource is on, as JSON names. */
    private static final Set<String> ALLOWED_AT_STATUS_ROOT = Set.of("description", "type", "format", "title",
            "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
            "minItems", "uniqueItems", "multipleOf", "required", "items", "properties", "externalDocs", "example",
            "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations");
    /** Kube prints the allowed list with Go's %v of its Go field names. */
    private static final String ALLOWED_AT_STATUS_ROOT_GO = "[Description Type Format Title Maximum ExclusiveMaximum "
            + "Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required "
            + "Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]";
    static final String APPROVAL_ANNOTATION = "api-approved.kubernetes.io";
    /** Kube's MaxSelectableFields. */
    static final int MAX_SELECTABLE_FIELDS = 8;

    private CustomResourceDefinitionValidation() {
    }

    /** ValidateCustomResourceDefinition: the CRD-specific name rule, the spec, the status and its storedVersions. */
    public static void validate(ObjectNode crd, ErrorList errs) {
        ObjectNode spec = objectOrEmpty(crd, "spec");
        ObjectNode names = objectOrEmpty(spec, "names");
        String name = JsonTree.text(JsonTree.objOrNull(crd, "metadata"), "name");
        // an empty name is refused by the generic metadata checks, which then do not call kube's name function
        if (!name.isEmpty() && !name.equals(JsonTree.text(names, "plural") + "." + JsonTree.text(spec, "group"))) {
            errs.invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group");
        }
        spec(spec, errs);
        validateStatus(crd, errs);
        storedVersions(crd, errs);
        apiApproval(crd, errs);
        if (spec.path("preserveUnknownFields").asBoolean(false)) {
            errs.invalid("spec.preserveUnknownFields", true,
                    "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead");
        }
    }

    /**
     * ValidateCustomResourceDefinitionSpecUpdate's own rules, beyond {@link #validate}: group and plural make the
     * object's name, which never changes; once the CRD is Established its scope and kind are how stored objects are
     * kept and found, so they may not change either.
     */
    public static void validateUpdate(ObjectNode crd, ObjectNode old, ErrorList errs) {
        ObjectNode spec = objectOrEmpty(crd, "spec");
        ObjectNode oldSpec = objectOrEmpty(old, "spec");
        if (established(old)) {
            immutable(errs, "spec.scope", JsonTree.text(spec, "scope"), JsonTree.text(oldSpec, "scope"));
            immutable(errs, "spec.names.kind", JsonTree.text(spec.path("names"), "kind"),
                    JsonTree.text(oldSpec.path("names"), "kind"));
        }
        immutable(errs, "spec.group", JsonTree.text(spec, "group"), JsonTree.text(oldSpec, "group"));
        immutable(errs, "spec.names.plural", JsonTree.text(spec.path("names"), "plural"),
                JsonTree.text(oldSpec.path("names"), "plural"));
    }

    /** ValidateCustomResourceDefinitionStatus: the accepted names obey the rules of spec.names, all optional. */
    public static void validateStatus(ObjectNode crd, ErrorList errs) {
        names(objectOrEmpty(objectOrEmpty(crd, "status"), "acceptedNames"), "status.acceptedNames", errs);
    }

    // ---- spec --------------------------------------------------------------------------------------------------

    private static void spec(ObjectNode spec, ErrorList errs) {
        String group = JsonTree.text(spec, "group");
        List<String> groupErrs = Names.dns1123Subdomain(group);
        if (group.isEmpty()) {
            errs.required("spec.group");
        } else if (!groupErrs.isEmpty()) {
            errs.invalid("spec.group", group, String.join(",", groupErrs));
        } else if (!group.contains(".")) {
            errs.invalid("spec.group", group, "should be a domain with at least one dot");
        }
        enumString(errs, "spec.scope", JsonTree.text(spec, "scope"), SCOPES);

        List<ObjectNode> versions = JsonTree.objects(spec, "versions");
        Hoisted top = Hoisted.of(versions);
        boolean preserveUnknown = spec.path("preserveUnknownFields").asBoolean(false);

        // v1 requires a schema for every version (requireOpenAPISchema is always on for what Kubus stores)
        if (top.schema == null || !(top.schema.get("openAPIV3Schema") instanceof ObjectNode)) {
            for (int i = 0; i < versions.size(); i++) {
                if (!(versions.get(i).path("schema").get("openAPIV3Schema") instanceof ObjectNode)) {
                    errs.required("spec.versions[" + i + "].schema.openAPIV3Schema", "schemas are required");
                }
            }
        }
        if (hasDefaults(spec) && preserveUnknown) {
            errs.invalid("spec.preserveUnknownFields", true, "must be false in order to use defaults in the schema");
        }

        int storage = 0;
        Set<String> seen = new HashSet<>();
        boolean unique = true;
        for (int i = 0; i < versions.size(); i++) {
            ObjectNode v = versions.get(i);
            String at = "spec.versions[" + i + "]";
            String vName = JsonTree.text(v, "name");
            if (v.path("storage").asBoolean(false)) {
                storage++;
            }
            unique &= seen.add(vName);
            List<String> nameErrs = Names.dns1035Label(vName);
            if (!nameErrs.isEmpty()) {
                errs.invalid(at + ".name", vName, String.join(",", nameErrs));
            }
            version(v, at, top, statusEnabled(top.hoistsSubresources ? top.subresources : v.get("subresources")), errs);
        }
        if (!unique) {
            errs.invalid("spec.versions", goVersions(spec.get("versions"), top), "must contain unique version names");
        }
        if (storage != 1) {
            errs.invalid("spec.versions", goVersions(spec.get("versions"), top),
                    "must have exactly one version marked as storage version");
        }
        // the v1 conversion copies versions[0].name to the internal spec.version, which kube checks again
        if (!versions.isEmpty()) {
            String first = JsonTree.text(versions.getFirst(), "name");
            List<String> firstErrs = Names.dns1035Label(first);
            if (!first.isEmpty() && !firstErrs.isEmpty()) {
                errs.invalid("spec.version", first, String.join(",", firstErrs));
            }
        }

        ObjectNode names = objectOrEmpty(spec, "names");
        for (String n : List.of("plural", "singular", "kind", "listKind")) {
            if (JsonTree.text(names, n).isEmpty()) {
                errs.required("spec.names." + n);
            }
        }
        names(names, "spec.names", errs);

        if (top.hoistsSchema) {
            schema(top.schema, "spec.validation", anyStatusEnabled(versions), errs);
        }
        if (top.hoistsSubresources) {
            subresources(top.subresources, "spec.subresources", errs);
        }
        if (top.hoistsColumns) {
            columns(top.columns, "spec.additionalPrinterColumns", errs);
        }
        JsonNode selectable = versions.isEmpty() ? null : versions.getFirst().get("selectableFields");
        if (top.hoistsSelectableFields && selectable instanceof ArrayNode fields && !fields.isEmpty()) {
            if (!top.hoistsSchema || top.schema == null) {
                errs.invalid("spec.selectableFields", "",
                        "selectableFields may only be set when validations.schema is included");
            } else if (top.schema.get("openAPIV3Schema") instanceof ObjectNode root) {
                selectableFields(fields, root, "spec.selectableFields", errs);
            }
        }

        ObjectNode conversion = JsonTree.objOrNull(spec, "conversion");
        String strategy = conversion == null ? "" : JsonTree.text(conversion, "strategy");
        if (conversion != null && !strategy.equals("None") && preserveUnknown) {
            errs.invalid("spec.conversion.strategy", strategy, "must be None if spec.preserveUnknownFields is true");
        }
        conversion(conversion, errs);
    }

    /** validateCustomResourceDefinitionVersion, for what the v1 conversion left in the version. */
    private static void version(ObjectNode v, String at, Hoisted top, boolean statusEnabled, ErrorList errs) {
        JsonNode warning = v.get("deprecationWarning");
        if (warning != null && !warning.isNull()) {
            for (String problem : deprecationWarning(v.path("deprecated").asBoolean(false), warning.asText())) {
                errs.invalid(at + ".deprecationWarning", warning.asText(), problem);
            }
        }
        if (!top.hoistsSchema) {
            schema(v.get("schema"), at + ".schema", statusEnabled, errs);
        }
        if (!top.hoistsSubresources) {
            subresources(v.get("subresources"), at + ".subresources", errs);
        }
        if (!top.hoistsColumns) {
            columns(v.get("additionalPrinterColumns"), at + ".additionalPrinterColumns", errs);
        }
        JsonNode selectable = v.get("selectableFields");
        if (!top.hoistsSelectableFields && selectable instanceof ArrayNode fields && !fields.isEmpty()) {
            // after the conversion a version keeps its schema only when the versions' schemas differ: kube then
            // refuses per-version selectableFields over one shared schema with this (misworded) message too
            JsonNode root = top.hoistsSchema ? null : v.path("schema").get("openAPIV3Schema");
            if (!(root instanceof ObjectNode)) {
                errs.invalid(at + ".selectableFields", "",
                        "selectableFields may only be set when version.schema.openAPIV3Schema is not included");
            } else {
                selectableFields(fields, root, at + ".selectableFields", errs);
            }
        }
    }

    /**
     * ValidateCustomResourceSelectableFields: each jsonPath names a string, boolean or integer field outside metadata,
     * once; at most {@value #MAX_SELECTABLE_FIELDS} fields, since each is indexed for field selectors.
     */
    private static void selectableFields(ArrayNode fields, JsonNode schema, String at, ErrorList errs) {
        StructuralSchema parsed;
        try {
            parsed = StructuralSchema.parse(schema);
        } catch (IllegalArgumentException e) {
            return; // reported with the schema
        }
        Set<String> unique = new LinkedHashSet<>();
        for (int i = 0; i < fields.size(); i++) {
            String fieldAt = at + "[" + i + "].jsonPath";
            String jsonPath = JsonTree.text(fields.get(i), "jsonPath");
            if (jsonPath.isEmpty()) {
                errs.required(fieldAt);
                continue;
            }
            SelectableFields.Resolved r = SelectableFields.resolve(jsonPath, parsed);
            if (r.error() != null) {
                errs.invalid(fieldAt, jsonPath, "is an invalid path: " + r.error());
                continue;
            }
            if ("metadata".equals(r.root())) {
                errs.invalid(fieldAt, jsonPath, "must not point to fields in metadata");
            }
            if (!List.of("string", "boolean", "integer").contains(r.type())) {
                errs.invalid(fieldAt, jsonPath, "must point to a field of type string, boolean or integer. "
                        + "Enum string fields and strings with formats are allowed.");
            }
            if (!unique.add(r.path())) {
                errs.duplicate(fieldAt, jsonPath);
            }
        }
        if (unique.size() > MAX_SELECTABLE_FIELDS) {
            errs.tooMany(at, unique.size(), MAX_SELECTABLE_FIELDS);
        }
    }

    /** validateDeprecationWarning: only on deprecated versions, short, non-empty, printable. */
    private static List<String> deprecationWarning(boolean deprecated, String warning) {
        if (!deprecated) {
            return List.of("can only be set for deprecated versions");
        }
        List<String> out = new ArrayList<>();
        // Go measures the string in UTF-8 bytes and reports byte offsets
        byte[] utf8 = warning.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 256) {
            out.add("must be <= 256 characters long");
        }
        if (warning.isEmpty()) {
            out.add("must not be an empty string");
        }
        int offset = 0;
        for (int i = 0; i < warning.length(); ) {
            int cp = warning.codePointAt(i);
            if (!goIsPrint(cp)) {
                out.add("must only contain printable UTF-8 characters; non-printable character found at index " + offset);
                break;
            }
            offset += new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            i += Character.charCount(cp);
        }
        return out;
    }

    /** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean goIsPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
                 Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK, Character.DECIMAL_DIGIT_NUMBER,
                 Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                 Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                 Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    // ---- names -------------------------------------------------------------------------------------------------

    /** ValidateCustomResourceDefinitionNames: lowercase DNS-1035 labels, kinds in mixed case, kind != listKind. */
    private static void names(ObjectNode names, String at, ErrorList errs) {
        for (String n : List.of("plural", "singular")) {
            String value = JsonTree.text(names, n);
            List<String> problems = Names.dns1035Label(value);
            if (!value.isEmpty() && !problems.isEmpty()) {
                errs.invalid(at + "." + n, value, String.join(",", problems));
            }
        }
        for (String n : List.of("kind", "listKind")) {
            String value = JsonTree.text(names, n);
            List<String> problems = Names.dns1035Label(value.toLowerCase(java.util.Locale.ROOT));
            if (!value.isEmpty() && !problems.isEmpty()) {
                errs.invalid(at + "." + n, value, "may have mixed case, but should otherwise match: "
                        + String.join(",", problems));
            }
        }
        List<String> shortNames = JsonTree.texts(names.get("shortNames"));
        for (int i = 0; i < shortNames.size(); i++) {
            List<String> problems = Names.dns1035Label(shortNames.get(i));
            if (!problems.isEmpty()) {
                errs.invalid(at + ".shortNames[" + i + "]", shortNames.get(i), String.join(",", problems));
            }
        }
        String kind = JsonTree.text(names, "kind");
        if (!kind.isEmpty() && kind.equals(JsonTree.text(names, "listKind"))) {
            errs.invalid(at + ".listKind", kind, "kind and listKind may not be the same");
        }
        List<String> categories = JsonTree.texts(names.get("categories"));
        for (int i = 0; i < categories.size(); i++) {
            List<String> problems = Names.dns1035Label(categories.get(i));
            if (!problems.isEmpty()) {
                errs.invalid(at + ".categories[" + i + "]", categories.get(i), String.join(",", problems));
            }
        }
    }

    // ---- schema ------------------------------------------------------------------------------------------------

    /**
     * validateCustomResourceDefinitionValidation: the root restrictions of the status subresource, then everything
     * StructuralChecks does (structural, defaults, OpenAPI rules, nullable root, CEL compilation).
     */
    private static void schema(@Nullable JsonNode validation, String at, boolean statusEnabled, ErrorList errs) {
        if (!(validation instanceof ObjectNode v) || !(v.get("openAPIV3Schema") instanceof ObjectNode root)) {
            return;
        }
        String rootAt = at + ".openAPIV3Schema";
        if (statusEnabled) {
            statusRoot(root, rootAt, errs);
        }
        StructuralSchema parsed;
        try {
            parsed = StructuralSchema.parse(root);
        } catch (IllegalArgumentException e) {
            // Go's decoding would have refused the CRD before validation; report it where it is
            errs.invalid(rootAt, "", e.getMessage());
            return;
        }
        errs.addAll(StructuralChecks.check(parsed, rootAt));
    }

    /**
     * With the status subresource on, the status schema is taken as properties[status]; root keywords other than
     * these would be lost for it, so kube refuses them (only the first offending field is reported, in Go's field
     * order, as kube's reflection loop stops there). Kube shows the schema as Go's %#v of its internal struct, with
     * pointers as addresses; Kubus shows it as JSON.
     */
    private static void statusRoot(ObjectNode root, String at, ErrorList errs) {
        for (String field : GO_FIELD_ORDER) {
            JsonNode value = root.get(field);
            if (value == null || isGoZero(field, value)) {
                continue;
            }
            if (field.equals("type")) {
                if (!value.asText().equals("object")) {
                    errs.invalid(at + ".type", value.asText(), "only \"object\" is allowed as the type at the root of "
                            + "the schema if the status subresource is enabled");
                    return;
                }
                continue;
            }
            if (!ALLOWED_AT_STATUS_ROOT.contains(field)) {
                errs.invalid(at, new ErrorList.GoValue(KubusJson.write(root)), "only " + ALLOWED_AT_STATUS_ROOT_GO
                        + " fields are allowed at the root of the schema if the status subresource is enabled");
                return;
            }
        }
    }

    /** JSONSchemaProps' fields in the order of the Go struct, by their JSON names. */
    private static final List<String> GO_FIELD_ORDER = List.of("id", "$schema", "$ref", "description", "type",
            "nullable", "format", "title", "default", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
            "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf", "enum",
            "maxProperties", "minProperties", "required", "items", "allOf", "oneOf", "anyOf", "not", "properties",
            "additionalProperties", "patternProperties", "dependencies", "additionalItems", "definitions",
            "externalDocs", "example", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource",
            "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys", "x-kubernetes-list-type",
            "x-kubernetes-map-type", "x-kubernetes-validations");

    /**
     * Whether a root schema field decodes to Go's zero value, which kube's reflection loop skips: null, false, and ""
     * for the plain string fields. Numbers, JSON values and x-kubernetes-list-type/map-type are pointers in Go, and
     * an empty JSON array or object decodes to an empty but non-nil slice or map, so none of those is zero.
     */
    private static boolean isGoZero(String field, JsonNode v) {
        return v.isNull() || (v.isBoolean() && !v.asBoolean())
                || (v.isTextual() && v.asText().isEmpty() && !field.startsWith("x-kubernetes-"));
    }

    /** specHasDefaults: a non-null default anywhere in any version's schema. */
    private static boolean hasDefaults(ObjectNode spec) {
        for (ObjectNode v : JsonTree.objects(spec, "versions")) {
            if (hasDefault(v.path("schema").get("openAPIV3Schema"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDefault(@Nullable JsonNode s) {
        if (!(s instanceof ObjectNode o)) {
            return false;
        }
        if (o.get("default") != null && !o.get("default").isNull()) {
            return true;
        }
        for (String single : List.of("items", "additionalProperties", "not", "additionalItems")) {
            JsonNode child = o.get(single);
            if (child instanceof ArrayNode a) {
                for (JsonNode e : a) {
                    if (hasDefault(e)) {
                        return true;
                    }
                }
            } else if (hasDefault(child)) {
                return true;
            }
        }
        for (String list : List.of("allOf", "anyOf", "oneOf")) {
            for (JsonNode e : o.path(list)) {
                if (hasDefault(e)) {
                    return true;
                }
            }
        }
        for (String map : List.of("properties", "patternProperties", "definitions", "dependencies")) {
            for (JsonNode e : o.path(map)) {
                if (hasDefault(e)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- subresources and columns ------------------------------------------------------------------------------

    /** ValidateCustomResourceDefinitionSubresources: the scale paths are simple JSON paths under spec or status. */
    private static void subresources(@Nullable JsonNode subresources, String at, ErrorList errs) {
        if (!(subresources instanceof ObjectNode s) || !(s.get("scale") instanceof ObjectNode scale)) {
            return;
        }
        scalePath(scale, "specReplicasPath", at, true, List.of(".spec."), "should be a json path under .spec", errs);
        scalePath(scale, "statusReplicasPath", at, true, List.of(".status."), "should be a json path under .status",
                errs);
        scalePath(scale, "labelSelectorPath", at, false, List.of(".spec.", ".status."),
                "should be a json path under either .spec or .status", errs);
    }

    private static void scalePath(ObjectNode scale, String field, String at, boolean required, List<String> prefixes,
                                  String underMessage, ErrorList errs) {
        String path = JsonTree.text(scale, field);
        String fieldAt = at + ".scale." + field;
        if (path.isEmpty()) {
            if (required) {
                errs.required(fieldAt);
            }
            return;
        }
        if (!simpleJsonPath(path, fieldAt, errs) && prefixes.stream().noneMatch(path::startsWith)) {
            errs.invalid(fieldAt, path, underMessage);
        }
    }

    /** validateSimpleJSONPath: a dot path from the object's root; reports and returns true when it is not one. */
    private static boolean simpleJsonPath(String path, String at, ErrorList errs) {
        if (path.isEmpty()) {
            errs.invalid(at, path, "must not be empty");
            return true;
        }
        if (path.charAt(0) != '.') {
            errs.invalid(at, path, "must be a simple json path starting with .");
            return true;
        }
        // kube's remaining check (a dot path has at least one segment) cannot fail once the path starts with a dot
        return false;
    }

    /** ValidateCustomResourceColumnDefinition for each column; kube names the path field "JSONPath" in its errors. */
    private static void columns(@Nullable JsonNode columns, String at, ErrorList errs) {
        if (!(columns instanceof ArrayNode list)) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode col = list.get(i);
            String colAt = at + "[" + i + "]";
            if (JsonTree.text(col, "name").isEmpty()) {
                errs.required(colAt + ".name");
            }
            String type = JsonTree.text(col, "type");
            String types = "must be one of " + String.join(",", COLUMN_TYPES);
            if (type.isEmpty()) {
                errs.required(colAt + ".type", types);
            } else if (!COLUMN_TYPES.contains(type)) {
                errs.invalid(colAt + ".type", type, types);
            }
            String format = JsonTree.text(col, "format");
            if (!format.isEmpty() && !COLUMN_FORMATS.contains(format)) {
                errs.invalid(colAt + ".format", format, "must be one of " + String.join(",", COLUMN_FORMATS));
            }
            String jsonPath = JsonTree.text(col, "jsonPath");
            if (jsonPath.isEmpty()) {
                errs.required(colAt + ".JSONPath");
            } else {
                simpleJsonPath(jsonPath, colAt + ".JSONPath", errs);
            }
        }
    }

    // ---- conversion --------------------------------------------------------------------------------------------

    /**
     * validateCustomResourceConversion, and Kubus's refusal of the Webhook strategy: Kubus serves every version of a
     * custom resource by rewriting only its apiVersion (the None strategy) and has no client to call conversion
     * webhooks, so a Webhook CRD would be stored but its objects served unconverted, i.e. wrong; refusing it at
     * create tells the user at once. The webhook fields are still checked as kube checks them.
     */
    private static void conversion(@Nullable ObjectNode conversion, ErrorList errs) {
        if (conversion == null) {
            return;
        }
        String at = "spec.conversion";
        String strategy = JsonTree.text(conversion, "strategy");
        enumString(errs, at + ".strategy", strategy, CONVERSION_STRATEGIES);
        JsonNode config = conversion.get("webhook") instanceof ObjectNode webhook ? webhook.get("clientConfig") : null;
        boolean hasConfig = config != null && !config.isNull();
        JsonNode reviewVersions = conversion.get("webhook") instanceof ObjectNode webhook
                ? webhook.get("conversionReviewVersions") : null;
        if (strategy.equals("Webhook")) {
            errs.invalid(at + ".strategy", strategy, "Kubus does not call conversion webhooks: every version is "
                    + "served with the None strategy, so use None (with one schema all versions can share)");
            if (!hasConfig) {
                errs.required(at + ".webhookClientConfig", "required when strategy is set to Webhook");
            } else if (isSet(config.get("url")) == isSet(config.get("service"))) {
                errs.required(at + ".webhookClientConfig", "exactly one of url or service is required");
            } else if (isSet(config.get("url"))) {
                webhookUrl(config.get("url").asText(), at + ".webhookClientConfig.url", errs);
            } else {
                webhookService(config.get("service"), at + ".webhookClientConfig.service", errs);
            }
            reviewVersions(JsonTree.texts(reviewVersions), at + ".conversionReviewVersions", errs);
        } else {
            if (hasConfig) {
                errs.forbidden(at + ".webhookClientConfig", "should not be set when strategy is not set to Webhook");
            }
            if (!JsonTree.isEmpty(reviewVersions)) {
                errs.forbidden(at + ".conversionReviewVersions", "should not be set when strategy is not set to Webhook");
            }
        }
    }

    /**
     * ValidateWebhookURL with https forced: an absolute https URL without user, query or fragment. Java's URI parser
     * stands in for Go's url.Parse, which takes more; where both refuse, the parser's own words differ from Go's.
     */
    private static void webhookUrl(String url, String at, ErrorList errs) {
        String form = "; desired format: https://host[/path]";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            errs.required(at, "url must be a valid URL: parse " + GoQuote.quote(url) + ": " + e.getReason() + form);
            return;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("https")) {
            errs.invalid(at, scheme, "'https' is the only allowed URL scheme" + form);
        }
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        String host = authority.substring(authority.indexOf('@') + 1);
        if (host.isEmpty()) {
            errs.invalid(at, host, "host must be specified" + form);
        }
        if (uri.getRawUserInfo() != null) {
            errs.invalid(at, uri.getRawUserInfo(), "user information is not permitted in the URL");
        }
        if (uri.getRawFragment() != null && !uri.getRawFragment().isEmpty()) {
            errs.invalid(at, uri.getRawFragment(), "fragments are not permitted in the URL");
        }
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            errs.invalid(at, uri.getRawQuery(), "query parameters are not permitted in the URL");
        }
    }

    /** ValidateWebhookService: name and namespace given, a valid port (v1 defaults it to 443), a clean path. */
    private static void webhookService(JsonNode service, String at, ErrorList errs) {
        if (JsonTree.text(service, "name").isEmpty()) {
            errs.required(at + ".name", "service name is required");
        }
        if (JsonTree.text(service, "namespace").isEmpty()) {
            errs.required(at + ".namespace", "service namespace is required");
        }
        long port = service.path("port").asLong(443);
        List<String> portErrs = Names.portNumber(port);
        if (!portErrs.isEmpty()) {
            errs.invalid(at + ".port", port, "port is not valid: " + String.join(", ", portErrs));
        }
        if (!isSet(service.get("path"))) {
            return;
        }
        String path = service.get("path").asText();
        if (path.equals("/") || path.isEmpty()) {
            return;
        }
        if (path.equals("//")) {
            errs.invalid(at + ".path", path, "segment[0] may not be empty");
            return;
        }
        if (!path.startsWith("/")) {
            errs.invalid(at + ".path", path, "must start with a '/'");
        }
        // as kube: the first character is dropped whatever it is, and one trailing slash
        String check = path.substring(1);
        if (check.endsWith("/")) {
            check = check.substring(0, check.length() - 1);
        }
        String[] steps = check.split("/", -1);
        for (int i = 0; i < steps.length; i++) {
            if (steps[i].isEmpty()) {
                errs.invalid(at + ".path", path, "segment[" + i + "] may not be empty");
                continue;
            }
            for (String failure : Names.dns1123Subdomain(steps[i])) {
                errs.invalid(at + ".path", path, "segment[" + i + "]: " + failure);
            }
        }
    }

    private static boolean isSet(@Nullable JsonNode n) {
        return n != null && !n.isNull();
    }

    /** validateConversionReviewVersions: unique DNS-1035 labels, at least one this server understands. */
    private static void reviewVersions(List<String> versions, String at, ErrorList errs) {
        if (versions.isEmpty()) {
            errs.required(at);
            return;
        }
        Set<String> seen = new HashSet<>();
        boolean accepted = false;
        for (int i = 0; i < versions.size(); i++) {
            String v = versions.get(i);
            if (!seen.add(v)) {
                errs.invalid(at + "[" + i + "]", v, "duplicate version");
                continue;
            }
            errs.invalidEach(at + "[" + i + "]", v, Names.dns1035Label(v));
            accepted |= ACCEPTED_REVIEW_VERSIONS.contains(v);
        }
        if (!accepted) {
            errs.invalid(at, goStrings(versions), "must include at least one of v1, v1beta1");
        }
    }

    // ---- status and metadata -----------------------------------------------------------------------------------

    /** ValidateCustomResourceDefinitionStoredVersions: at least one, the storage version among them, all served. */
    private static void storedVersions(ObjectNode crd, ErrorList errs) {
        String at = "status.storedVersions";
        JsonNode stored = crd.path("status").get("storedVersions");
        List<String> storedList = JsonTree.texts(stored instanceof ArrayNode ? stored : null);
        if (storedList.isEmpty()) {
            errs.invalid(at, goStrings(stored instanceof ArrayNode ? storedList : null),
                    "must have at least one stored version");
            return;
        }
        // Go's map keeps the last index of a repeated name
        Map<String, Integer> remaining = new LinkedHashMap<>();
        for (int i = 0; i < storedList.size(); i++) {
            remaining.put(storedList.get(i), i);
        }
        for (ObjectNode v : JsonTree.objects(crd.path("spec"), "versions")) {
            String name = JsonTree.text(v, "name");
            boolean known = remaining.containsKey(name);
            if (v.path("storage").asBoolean(false) && !known) {
                errs.invalid(at, goStrings(storedList), "must have the storage version " + name);
            }
            remaining.remove(name);
        }
        // kube ranges over a Go map here, in no fixed order; Kubus reports in the list's order
        remaining.forEach((name, i) -> errs.invalid(at + "[" + i + "]", name, "must appear in spec.versions"));
    }

    /**
     * validateAPIApproval: groups of the Kubernetes project (k8s.io, kubernetes.io) need the approval annotation with
     * the URL of the approving pull request, or a reason starting with "unapproved".
     */
    private static void apiApproval(ObjectNode crd, ErrorList errs) {
        String group = JsonTree.text(crd.path("spec"), "group");
        boolean protectedGroup = group.equals("k8s.io") || group.endsWith(".k8s.io") || group.equals("kubernetes.io")
                || group.endsWith(".kubernetes.io");
        if (!protectedGroup) {
            return;
        }
        String at = "metadata.annotations[" + APPROVAL_ANNOTATION + "]";
        String annotation = JsonTree.text(crd.path("metadata").path("annotations"), APPROVAL_ANNOTATION);
        String quoted = GoQuote.quote(APPROVAL_ANNOTATION);
        if (annotation.isEmpty()) {
            errs.required(at, "protected groups must have approval annotation " + quoted
                    + ", see https://github.com/kubernetes/enhancements/pull/1111");
        } else if (!annotation.startsWith("unapproved") && !isRequestUrl(annotation)) {
            errs.invalid(at, annotation, "protected groups must have approval annotation " + quoted
                    + " with either a URL or a reason starting with \"unapproved\", see "
                    + "https://github.com/kubernetes/enhancements/pull/1111");
        }
    }

    /** Go's url.ParseRequestURI with a scheme and a host, as kube's approval check requires. */
    private static boolean isRequestUrl(String s) {
        try {
            URI uri = new URI(s);
            return uri.getScheme() != null && uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean established(ObjectNode crd) {
        for (ObjectNode c : JsonTree.objects(crd.path("status"), "conditions")) {
            if (JsonTree.text(c, "type").equals("Established") && JsonTree.text(c, "status").equals("True")) {
                return true;
            }
        }
        return false;
    }

    /** ValidateImmutableField: the new value, and apimachinery's message. */
    private static void immutable(ErrorList errs, String at, String value, String old) {
        if (!value.equals(old)) {
            errs.invalid(at, value, "field is immutable");
        }
    }

    /** validateEnumStrings for a required enum. */
    private static void enumString(ErrorList errs, String at, String value, List<String> accepted) {
        if (value.isEmpty()) {
            errs.required(at);
        } else if (!accepted.contains(value)) {
            errs.notSupported(at, value, accepted);
        }
    }

    private static boolean statusEnabled(@Nullable JsonNode subresources) {
        return subresources instanceof ObjectNode s && s.get("status") != null && !s.get("status").isNull();
    }

    private static boolean anyStatusEnabled(List<ObjectNode> versions) {
        return versions.stream().anyMatch(v -> statusEnabled(v.get("subresources")));
    }

    private static ObjectNode objectOrEmpty(@Nullable JsonNode parent, String field) {
        ObjectNode o = JsonTree.objOrNull(parent, field);
        return o == null ? JsonTree.F.objectNode() : o;
    }

    // ---- the v1 to internal conversion ---------------------------------------------------------------------------

    /**
     * Which per-version fields the v1 conversion moves to the top level: those equal in every version (compared as
     * apimachinery's semantic equality does: an absent and a null member are the same, an absent and an empty
     * column list too; other zero values, such as a written {@code nullable: false}, are compared as written, so
     * versions differing only in those are not hoisted where kube would hoist them).
     */
    private record Hoisted(boolean hoistsSchema, @Nullable JsonNode schema, boolean hoistsSubresources,
                           @Nullable JsonNode subresources, boolean hoistsColumns, @Nullable JsonNode columns,
                           boolean hoistsSelectableFields) {
        static Hoisted of(List<ObjectNode> versions) {
            if (versions.isEmpty()) {
                return new Hoisted(false, null, false, null, false, null, false);
            }
            JsonNode selectable = selectableOf(versions.getFirst());
            boolean sameSelectable = versions.stream().allMatch(v -> same(selectable, selectableOf(v)));
            JsonNode schema = present(versions.getFirst().get("schema"));
            JsonNode subresources = present(versions.getFirst().get("subresources"));
            JsonNode columns = columnsOf(versions.getFirst());
            boolean sameSchema = true;
            boolean sameSubresources = true;
            boolean sameColumns = true;
            for (ObjectNode v : versions) {
                sameSchema &= same(schema, present(v.get("schema")));
                sameSubresources &= same(subresources, present(v.get("subresources")));
                sameColumns &= same(columns, columnsOf(v));
            }
            return new Hoisted(sameSchema, sameSchema ? schema : null, sameSubresources,
                    sameSubresources ? subresources : null, sameColumns, sameColumns ? columns : null, sameSelectable);
        }

        private static @Nullable JsonNode selectableOf(ObjectNode v) {
            JsonNode f = present(v.get("selectableFields"));
            return f == null || f.isEmpty() ? null : f;
        }

        private static @Nullable JsonNode columnsOf(ObjectNode v) {
            JsonNode c = present(v.get("additionalPrinterColumns"));
            return c == null || c.isEmpty() ? null : c;
        }

        private static @Nullable JsonNode present(@Nullable JsonNode n) {
            return n == null || n.isNull() ? null : withoutNulls(n);
        }

        private static boolean same(@Nullable JsonNode a, @Nullable JsonNode b) {
            return a == null ? b == null : b != null && KubusJson.equivalent(a, b);
        }
    }

    /** A copy without null object members, which Go decodes as absent. */
    private static JsonNode withoutNulls(JsonNode n) {
        if (n instanceof ObjectNode o) {
            ObjectNode copy = JsonTree.F.objectNode();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!e.getValue().isNull()) {
                    copy.set(e.getKey(), withoutNulls(e.getValue()));
                }
            }
            return copy;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode copy = JsonTree.F.arrayNode();
            a.forEach(e -> copy.add(withoutNulls(e)));
            return copy;
        }
        return n;
    }

    // ---- Go's %#v of the values kube reports -------------------------------------------------------------------

    /** %#v of a []string: {@code []string{"v1"}}, {@code []string(nil)} for none. */
    private static ErrorList.GoValue goStrings(@Nullable List<String> values) {
        if (values == null) {
            return new ErrorList.GoValue("[]string(nil)");
        }
        return new ErrorList.GoValue(values.stream().map(GoQuote::quote)
                .collect(Collectors.joining(", ", "[]string{", "}")));
    }

    /**
     * %#v of the internal []CustomResourceDefinitionVersion, after the conversion cleared the hoisted fields. Go
     * prints a set pointer as its address, which is meaningless outside the server; Kubus prints 0xc000000000 there.
     */
    private static ErrorList.GoValue goVersions(@Nullable JsonNode versions, Hoisted top) {
        String type = "apiextensions.CustomResourceDefinitionVersion";
        if (!(versions instanceof ArrayNode list)) {
            return new ErrorList.GoValue("[]" + type + "(nil)");
        }
        List<String> items = new ArrayList<>();
        for (JsonNode v : list) {
            JsonNode columns = top.hoistsColumns || !(v instanceof ObjectNode o) ? null : Hoisted.columnsOf(o);
            items.add(type + "{Name:" + GoQuote.quote(JsonTree.text(v, "name"))
                    + ", Served:" + v.path("served").asBoolean(false)
                    + ", Storage:" + v.path("storage").asBoolean(false)
                    + ", Deprecated:" + v.path("deprecated").asBoolean(false)
                    + ", DeprecationWarning:" + goPointer("string", isSet(v.get("deprecationWarning")))
                    + ", Schema:" + goPointer("apiextensions.CustomResourceValidation",
                    !top.hoistsSchema && isSet(v.get("schema")))
                    + ", Subresources:" + goPointer("apiextensions.CustomResourceSubresources",
                    !top.hoistsSubresources && isSet(v.get("subresources")))
                    + ", AdditionalPrinterColumns:" + goColumns(columns)
                    + ", SelectableFields:"
                    + goSelectableFields(top.hoistsSelectableFields ? null : v.get("selectableFields")) + "}");
        }
        return new ErrorList.GoValue("[]" + type + "{" + String.join(", ", items) + "}");
    }

    private static String goPointer(String type, boolean set) {
        return "(*" + type + ")(" + (set ? "0xc000000000" : "nil") + ")";
    }

    private static String goColumns(@Nullable JsonNode columns) {
        String type = "apiextensions.CustomResourceColumnDefinition";
        if (columns == null || columns.isEmpty()) {
            return "[]" + type + "(nil)";
        }
        List<String> items = new ArrayList<>();
        for (JsonNode c : columns) {
            items.add(type + "{Name:" + GoQuote.quote(JsonTree.text(c, "name"))
                    + ", Type:" + GoQuote.quote(JsonTree.text(c, "type"))
                    + ", Format:" + GoQuote.quote(JsonTree.text(c, "format"))
                    + ", Description:" + GoQuote.quote(JsonTree.text(c, "description"))
                    + ", Priority:" + c.path("priority").asInt(0)
                    + ", JSONPath:" + GoQuote.quote(JsonTree.text(c, "jsonPath")) + "}");
        }
        return "[]" + type + "{" + String.join(", ", items) + "}";
    }

    /** A version's selectableFields (not validated by Kubus yet) as the conversion leaves them. */
    private static String goSelectableFields(@Nullable JsonNode fields) {
        String type = "apiextensions.SelectableField";
        if (!(fields instanceof ArrayNode a) || a.isEmpty()) {
            return "[]" + type + "(nil)";
        }
        List<String> items = new ArrayList<>();
        a.forEach(f -> items.add(type + "{JSONPath:" + GoQuote.quote(JsonTree.text(f, "jsonPath")) + "}"));
        return "[]" + type + "{" + String.join(", ", items) + "}";
    }
}
