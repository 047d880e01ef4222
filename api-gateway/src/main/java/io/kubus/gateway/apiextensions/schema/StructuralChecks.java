package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;
import io.kubus.schema.validation.GoQuote;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks kube-apiserver makes of a CRD version's {@code openAPIV3Schema} before it stores the CRD
 * (validateCustomResourceDefinitionValidation for apiextensions.k8s.io/v1): the schema must be structural
 * (ValidateStructural: a type everywhere, nothing but value validations inside allOf/anyOf/oneOf/not, root metadata
 * only restricting name and generateName, ...), its defaults must validate and be pruned (ValidateDefaults), and
 * the OpenAPI rules CRDs add must hold (ValidateCustomResourceDefinitionOpenAPISchema: no $ref, no uniqueItems,
 * additionalProperties and properties exclusive, list and map types well formed, x-kubernetes-validations entries
 * well formed). Errors name the schema's fields under the given path
 * ({@code spec.versions[0].schema.openAPIV3Schema.properties[spec].type}). CEL rules are compiled last, once the
 * schema has no other errors, and refused for their estimated cost ({@link CelCost}).
 */
public final class StructuralChecks {
    private static final List<String> OPENAPI_V3_TYPES = List.of("array", "boolean", "integer", "number", "object", "string");
    private static final Set<String> META_FIELDS = Set.of("metadata", "kind", "apiVersion");
    private static final List<String> VALIDATION_REASONS = List.of("FieldValueDuplicate", "FieldValueForbidden",
            "FieldValueInvalid", "FieldValueRequired");
    /** The CEL grammar's line breaks. */
    private static final Pattern NEWLINES = Pattern.compile("[\n\r]+");

    private enum Level { ROOT, ITEM, FIELD }

    private StructuralChecks() {
    }

    /**
     * All problems of {@code schema}, found at {@code path}: structural ones first (sorted as kube sorts them), then
     * defaults (only for a structural schema), then the OpenAPI rules; a schema kube could not even convert to a
     * structural one (an items array, an unsupported keyword) is reported as such only when nothing else is wrong.
     */
    public static List<FieldProblem> check(StructuralSchema schema, String path) {
        ErrorList errs = new ErrorList();
        if (schema.nullable) {
            errs.forbidden(path + ".nullable", "nullable cannot be true at the root");
        }
        String notConvertible = notConvertible(schema);
        if (notConvertible == null) {
            List<FieldProblem> structural = new ArrayList<>(structural(schema, path));
            if (!structural.isEmpty()) {
                errs.addAll(structural);
            } else {
                defaults(schema, path, schema, false, errs);
            }
        }
        openApi(schema, path, new Context(true, "", false), true, errs);
        if (errs.isEmpty() && notConvertible != null) {
            errs.invalid(path, "", notConvertible);
        }
        if (errs.isEmpty()) {
            // as kube, rules are compiled only against a schema without errors: its CEL types are sound then
            CelCost.Total total = new CelCost.Total();
            cel(schema, path, true, null, 1L, total, errs);
            if (total.total > CelCost.CRD_LIMIT) {
                for (Map.Entry<String, Long> expensive : total.mostExpensive) {
                    errs.forbidden(expensive.getKey(),
                            "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema");
                }
                errs.forbidden(path, CelCost.exceedsMessage(
                        "x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema",
                        total.total, CelCost.CRD_LIMIT));
            }
        }
        return errs.problems();
    }

    /**
     * The CEL checks of every node's x-kubernetes-validations, children first as kube's recursion reports them: each
     * rule compiles to bool against the node's type, its messageExpression to string; oldSelf only where old values
     * correlate; optionalOldSelf only with oldSelf. {@code uncorrelatable} is the path of the nearest list (or
     * non-correlating map) above whose elements have no old counterpart. {@code cardinality} is how often the node
     * can occur (null: unbounded), by which each rule's estimated cost is multiplied and summed into {@code total}.
     */
    private static void cel(@Nullable StructuralSchema s, String path, boolean root, @Nullable String uncorrelatable,
                            @Nullable Long cardinality, CelCost.Total total, ErrorList errs) {
        if (s == null) {
            return;
        }
        boolean mapCorrelates = s.mapType == null || s.mapType.equals("granular") || s.mapType.equals("atomic");
        String forChildren = uncorrelatable != null || mapCorrelates ? uncorrelatable : path;
        Long childCardinality = CelCost.childCardinality(cardinality, s);
        cel(s.additionalProperties, path + ".additionalProperties", false, forChildren, childCardinality, total, errs);
        s.properties.forEach((k, v) -> cel(v, FieldPaths.key(path + ".properties", k), false, forChildren,
                childCardinality, total, errs));
        cel(s.items, path + ".items", false,
                uncorrelatable != null || "map".equals(s.listType) ? uncorrelatable : path, childCardinality, total, errs);
        List<CelRules.Compiled> compiled = s.celRules(root);
        CelCost.Decl sizes = compiled.isEmpty() ? null : CelCost.decl(s, root || s.embeddedResource);
        for (int i = 0; i < compiled.size(); i++) {
            CelRules.Compiled c = compiled.get(i);
            String at = FieldPaths.index(path + ".x-kubernetes-validations", i);
            if (c.ast() != null && sizes != null) {
                // kube reports the cost before the rule's other errors, and counts every rule into the total
                long cost = CelCost.expressionCost(CelCost.maxCost(c.ast(), sizes), cardinality, sizes);
                if (cost > CelCost.PER_EXPRESSION_LIMIT) {
                    errs.forbidden(at + ".rule",
                            CelCost.exceedsMessage("estimated rule cost", cost, CelCost.PER_EXPRESSION_LIMIT));
                }
                total.observe(at + ".rule", cost);
            }
            if (c.error() != null) {
                errs.invalid(at + ".rule", goJson(c.rule()), c.error());
            }
            if (c.messageError() != null) {
                errs.invalid(at + ".messageExpression", goJson(c.rule()), c.messageError());
            } else if (c.messageAst() != null && sizes != null) {
                // kube takes a messageExpression's cost as it is, not times the node's cardinality
                long cost = CelCost.maxCost(c.messageAst(), sizes);
                if (cost > CelCost.PER_EXPRESSION_LIMIT) {
                    errs.forbidden(at + ".messageExpression",
                            CelCost.exceedsMessage("estimated messageExpression cost", cost, CelCost.PER_EXPRESSION_LIMIT));
                }
                total.observe(at + ".messageExpression", cost);
            }
            if (c.usesOldSelf() && uncorrelatable != null) {
                errs.invalid(at + ".rule", c.rule().rule(),
                        "oldSelf cannot be used on the uncorrelatable portion of the schema within " + uncorrelatable);
            } else if (!c.usesOldSelf() && c.error() == null && c.rule().optionalOldSelf() != null) {
                errs.invalid(at + ".optionalOldSelf", new ErrorList.GoValue(c.rule().optionalOldSelf().toString()),
                        "may not be set if oldSelf is not used in rule");
            }
        }
    }

    /** field.Invalid's rendering of apiextensions' internal ValidationRule: Go's JSON of a struct without tags. */
    private static ErrorList.GoValue goJson(ValidationRule r) {
        return new ErrorList.GoValue("{\"Rule\":" + goJsonString(r.rule()) + ",\"Message\":" + goJsonString(r.message())
                + ",\"MessageExpression\":" + goJsonString(r.messageExpression())
                + ",\"Reason\":" + (r.reason() == null ? "null" : goJsonString(r.reason()))
                + ",\"FieldPath\":" + goJsonString(r.fieldPath())
                + ",\"OptionalOldSelf\":" + (r.optionalOldSelf() == null ? "null" : r.optionalOldSelf()) + "}");
    }

    /** encoding/json's string: HTML-safe (<, >, & escaped) as json.Marshal writes it. */
    private static String goJsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) ch));
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** NewStructural's refusals, the first one found: what its conversion cannot carry. */
    private static @Nullable String notConvertible(@Nullable StructuralSchema s) {
        if (s == null) {
            return null;
        }
        if (s.itemsIsArray) {
            return "OpenAPIV3Schema 'items' must be a schema, but is an array";
        }
        if (Boolean.FALSE.equals(s.preserveUnknownFields)) {
            return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
        }
        if (!s.unsupported.isEmpty()) {
            String key = s.unsupported.iterator().next();
            return "OpenAPIV3Schema '" + (key.equals("$schema") ? "schema" : key) + "' is not supported";
        }
        List<StructuralSchema> children = new ArrayList<>(s.properties.values());
        children.add(s.items);
        children.add(s.additionalProperties);
        children.addAll(s.allOf);
        children.addAll(s.anyOf);
        children.addAll(s.oneOf);
        children.add(s.not);
        return children.stream().map(StructuralChecks::notConvertible).filter(Objects::nonNull).findFirst().orElse(null);
    }

    // ---- ValidateStructural ------------------------------------------------------------------------------------

    /** ValidateStructural: the invariants and the completeness, sorted by their printed form as kube sorts them. */
    static List<FieldProblem> structural(StructuralSchema root, String path) {
        ErrorList errs = new ErrorList();
        invariants(root, Level.ROOT, path, errs);
        // kube checks completeness of the root's value validations only
        valueValidationCompleteness(root, root, path, path, errs);
        List<FieldProblem> sorted = new ArrayList<>(errs.problems());
        sorted.sort(Comparator.comparing(FieldProblem::toString));
        return sorted;
    }

    private static void invariants(@Nullable StructuralSchema s, Level lvl, String path, ErrorList errs) {
        if (s == null) {
            return;
        }
        if (s.type.equals("array") && s.items == null) {
            errs.required(path + ".items", "must be specified");
        }
        invariants(s.items, Level.ITEM, path + ".items", errs);
        s.properties.forEach((k, v) -> invariants(v, Level.FIELD, FieldPaths.key(path + ".properties", k), errs));
        boolean hasAdditional = s.additionalProperties != null || s.additionalPropertiesAllowed != null;
        if (hasAdditional) {
            if (lvl == Level.ROOT) {
                errs.forbidden(path + ".additionalProperties", "must not be used at the root");
            }
            invariants(s.additionalProperties, Level.FIELD, path + ".additionalProperties", errs);
        }
        if (s.intOrString && Boolean.TRUE.equals(s.preserveUnknownFields)) {
            errs.invalid(path + ".x-kubernetes-preserve-unknown-fields", new ErrorList.GoValue("true"),
                    "must be false if x-kubernetes-int-or-string is true");
        }
        if (s.intOrString && s.embeddedResource) {
            errs.invalid(path + ".x-kubernetes-embedded-resource", new ErrorList.GoValue("true"),
                    "must be false if x-kubernetes-int-or-string is true");
        }
        valueValidation(s, isIntOrStringAnyOf(s.anyOf), isIntOrStringAllOf(s), path, errs);

        boolean checkMetadata = lvl == Level.ROOT || s.embeddedResource;
        boolean preserve = Boolean.TRUE.equals(s.preserveUnknownFields);
        if (s.embeddedResource && !s.type.equals("object")) {
            if (s.type.isEmpty()) {
                errs.required(path + ".type", "must be object if x-kubernetes-embedded-resource is true");
            } else {
                errs.invalid(path + ".type", s.type, "must be object if x-kubernetes-embedded-resource is true");
            }
        } else if (s.type.isEmpty() && !s.intOrString && !preserve) {
            errs.required(path + ".type", switch (lvl) {
                case ROOT -> "must not be empty at the root";
                case ITEM -> "must not be empty for specified array items";
                case FIELD -> "must not be empty for specified object fields";
            });
        }
        if (s.embeddedResource && hasAdditional) {
            errs.forbidden(path + ".additionalProperties", "must not be used if x-kubernetes-embedded-resource is set");
        }
        if (lvl == Level.ROOT && !s.type.isEmpty() && !s.type.equals("object")) {
            errs.invalid(path + ".type", s.type, "must be object at the root");
        }
        for (String typeMeta : List.of("kind", "apiVersion")) {
            StructuralSchema p = s.properties.get(typeMeta);
            if (p != null && checkMetadata && !p.type.equals("string")) {
                errs.invalid(FieldPaths.key(path + ".properties", typeMeta) + ".type", p.type, "must be string");
            }
        }
        StructuralSchema metadata = s.properties.get("metadata");
        if (metadata != null) {
            String metaPath = FieldPaths.key(path + ".properties", "metadata");
            if (checkMetadata && !metadata.type.equals("object")) {
                errs.invalid(metaPath + ".type", metadata.type, "must be object");
            }
            if (lvl == Level.ROOT && !onlyNameRestrictions(metadata)) {
                errs.forbidden(metaPath, "must not specify anything other than name and generateName, but metadata is "
                        + "implicitly specified");
            }
        }
        if (s.embeddedResource && !preserve && s.properties.isEmpty()) {
            errs.required(path + ".properties",
                    "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields");
        }
    }

    /**
     * The root metadata schema says nothing but its type, a default (refused elsewhere) and schemas for name and
     * generateName: kube blanks those and requires the rest to be empty.
     */
    private static boolean onlyNameRestrictions(StructuralSchema metadata) {
        Set<String> props = metadata.properties.keySet();
        boolean onlyNames = Set.of("name", "generateName").containsAll(props);
        StructuralSchema rest = copyWithout(metadata);
        return onlyNames && isEmpty(rest);
    }

    /** The metadata schema without what kube ignores in it (type, default, name/generateName properties). */
    private static StructuralSchema copyWithout(StructuralSchema m) {
        StructuralSchema c = shallowCopy(m);
        c.type = "";
        c.defaultValue = null;
        c.properties.clear();
        return c;
    }

    /** valueValidation: the junctors' nested schemas, and the pattern, which must compile. */
    private static void valueValidation(StructuralSchema v, boolean skipAnyOf, boolean skipFirstAllOfAnyOf, String path,
                                        ErrorList errs) {
        if (!skipAnyOf) {
            for (int i = 0; i < v.anyOf.size(); i++) {
                nested(v.anyOf.get(i), false, false, FieldPaths.index(path + ".anyOf", i), errs);
            }
        }
        for (int i = 0; i < v.allOf.size(); i++) {
            nested(v.allOf.get(i), skipFirstAllOfAnyOf && i == 0, false, FieldPaths.index(path + ".allOf", i), errs);
        }
        for (int i = 0; i < v.oneOf.size(); i++) {
            nested(v.oneOf.get(i), false, false, FieldPaths.index(path + ".oneOf", i), errs);
        }
        if (v.not != null) {
            nested(v.not, false, false, path + ".not", errs);
        }
        if (!v.pattern.isEmpty()) {
            String fault = re2Refusal(v.pattern);
            if (fault == null) {
                try {
                    Pattern.compile(v.pattern);
                } catch (PatternSyntaxException e) {
                    // Go's regexp names the same fault in its own words
                    fault = e.getDescription() + ": `" + v.pattern + "`";
                }
            }
            if (fault != null) {
                errs.invalid(path + ".pattern", v.pattern, "must be a valid regular expression, but isn't: "
                        + "error parsing regexp: " + fault);
            }
        }
    }

    /**
     * What Go's RE2 refuses though Java's regex takes it, so that such a pattern is refused as kube refuses it rather
     * than run: lookaround and atomic groups, backreferences and possessive quantifiers, with RE2's message.
     */
    static @Nullable String re2Refusal(String p) {
        boolean inClass = false;
        boolean afterQuantifier = false;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            boolean quantifier = false;
            if (c == '\\' && i + 1 < p.length()) {
                char next = p.charAt(++i);
                // RE2 reads \1 to \7 followed by an octal digit as an octal escape, any other digit as a backreference
                boolean octal = next <= '7' && i + 1 < p.length() && p.charAt(i + 1) >= '0' && p.charAt(i + 1) <= '7';
                if (next >= '1' && next <= '9' && !octal) {
                    return "invalid escape sequence: `\\" + next + "`";
                }
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
                // a leading ']' (after an optional '^') is a literal
                if (i + 1 < p.length() && p.charAt(i + 1) == '^') {
                    i++;
                }
                if (i + 1 < p.length() && p.charAt(i + 1) == ']') {
                    i++;
                }
            } else if (c == '(' && p.startsWith("(?", i) && i + 2 < p.length() && "=!<>".indexOf(p.charAt(i + 2)) >= 0) {
                boolean namedGroup = p.charAt(i + 2) == '<' && i + 3 < p.length() && "=!".indexOf(p.charAt(i + 3)) < 0;
                if (!namedGroup) {
                    return "invalid or unsupported Perl syntax: `" + p.substring(i, i + 3) + "`";
                }
            } else if (c == '*' || c == '+' || c == '?') {
                if (c == '+' && afterQuantifier) {
                    return "invalid nested repetition operator: `" + p.charAt(i - 1) + "+`";
                }
                // a '?' after a quantifier makes it lazy, which RE2 takes; nothing may follow that
                quantifier = !(c == '?' && afterQuantifier);
            }
            afterQuantifier = quantifier;
        }
        return null;
    }

    /** validateNestedValueValidation: inside a junctor only value validations may be given. */
    private static void nested(StructuralSchema v, boolean skipAnyOf, boolean skipAllOfAnyOf, String path, ErrorList errs) {
        valueValidation(v, skipAnyOf, skipAllOfAnyOf, path, errs);
        if (v.items != null) {
            nested(v.items, false, false, path + ".items", errs);
        }
        v.properties.forEach((k, p) -> nested(p, false, false, FieldPaths.key(path + ".properties", k), errs));
        if (!v.type.isEmpty()) {
            errs.forbidden(path + ".type", "must be empty to be structural");
        }
        if (v.additionalProperties != null || v.additionalPropertiesAllowed != null) {
            errs.forbidden(path + ".additionalProperties", "must be undefined to be structural");
        }
        if (v.defaultValue != null) {
            errs.forbidden(path + ".default", "must be undefined to be structural");
        }
        if (!v.title.isEmpty()) {
            errs.forbidden(path + ".title", "must be empty to be structural");
        }
        if (!v.description.isEmpty()) {
            errs.forbidden(path + ".description", "must be empty to be structural");
        }
        if (v.nullable) {
            errs.forbidden(path + ".nullable", "must be false to be structural");
        }
        if (Boolean.TRUE.equals(v.preserveUnknownFields)) {
            errs.forbidden(path + ".x-kubernetes-preserve-unknown-fields", "must be false to be structural");
        }
        if (v.embeddedResource) {
            errs.forbidden(path + ".x-kubernetes-embedded-resource", "must be false to be structural");
        }
        if (v.intOrString) {
            errs.forbidden(path + ".x-kubernetes-int-or-string", "must be false to be structural");
        }
        if (!v.listMapKeys.isEmpty()) {
            errs.forbidden(path + ".x-kubernetes-list-map-keys", "must be empty to be structural");
        }
        if (v.listType != null) {
            errs.forbidden(path + ".x-kubernetes-list-type", "must be undefined to be structural");
        }
        if (v.mapType != null) {
            errs.forbidden(path + ".x-kubernetes-map-type", "must be undefined to be structural");
        }
        if (!v.validations.isEmpty()) {
            errs.forbidden(path + ".x-kubernetes-validations", "must be empty to be structural");
        }
        if (v.properties.containsKey("metadata")) {
            errs.forbidden(FieldPaths.key(path + ".properties", "metadata"), "must not be specified in a nested context");
        }
    }

    /** The int-or-string exception: {@code anyOf: [{type: integer}, {type: string}]}, with nothing else in either. */
    private static boolean isIntOrStringAnyOf(List<StructuralSchema> anyOf) {
        return anyOf.size() == 2 && onlyType(anyOf.get(0), "integer") && onlyType(anyOf.get(1), "string");
    }

    /** The other one: that anyOf as the first allOf entry. */
    private static boolean isIntOrStringAllOf(StructuralSchema s) {
        return !s.allOf.isEmpty() && isIntOrStringAnyOf(s.allOf.getFirst().anyOf);
    }

    private static boolean onlyType(StructuralSchema s, String type) {
        StructuralSchema rest = shallowCopy(s);
        rest.type = "";
        return s.type.equals(type) && isEmpty(rest);
    }

    /** Completeness: every property or items a junctor names is specified structurally at the same place. */
    private static void valueValidationCompleteness(StructuralSchema v, @Nullable StructuralSchema s, String sPath,
                                                    String vPath, ErrorList errs) {
        if (v.not != null) {
            nestedCompleteness(v.not, s, sPath, vPath + ".not", errs);
        }
        for (int i = 0; i < v.allOf.size(); i++) {
            nestedCompleteness(v.allOf.get(i), s, sPath, FieldPaths.index(vPath + ".allOf", i), errs);
        }
        for (int i = 0; i < v.anyOf.size(); i++) {
            nestedCompleteness(v.anyOf.get(i), s, sPath, FieldPaths.index(vPath + ".anyOf", i), errs);
        }
        for (int i = 0; i < v.oneOf.size(); i++) {
            nestedCompleteness(v.oneOf.get(i), s, sPath, FieldPaths.index(vPath + ".oneOf", i), errs);
        }
    }

    private static void nestedCompleteness(@Nullable StructuralSchema v, @Nullable StructuralSchema s, String sPath,
                                           String vPath, ErrorList errs) {
        if (v == null) {
            return;
        }
        if (s == null) {
            errs.required(sPath, "because it is defined in " + vPath);
            return;
        }
        valueValidationCompleteness(v, s, sPath, vPath, errs);
        nestedCompleteness(v.items, s.items, sPath + ".items", vPath + ".items", errs);
        for (Map.Entry<String, StructuralSchema> p : v.properties.entrySet()) {
            String k = p.getKey();
            StructuralSchema sProp = s.properties.get(k);
            if (sProp == null) {
                errs.required(FieldPaths.key(sPath + ".properties", k),
                        "because it is defined in " + FieldPaths.key(vPath + ".properties", k));
            } else {
                nestedCompleteness(p.getValue(), sProp, FieldPaths.key(sPath + ".properties", k),
                        FieldPaths.key(vPath + ".properties", k), errs);
            }
        }
    }

    // ---- ValidateDefaults --------------------------------------------------------------------------------------

    /**
     * ValidateDefaults: every default outside object meta must survive pruning unchanged and validate against its
     * own schema (named at {@code <path>.default}). Items and properties are followed, additionalProperties not:
     * defaults are forbidden there.
     */
    private static void defaults(StructuralSchema s, String path, StructuralSchema root, boolean insideMeta, ErrorList errs) {
        boolean meta = insideMeta && !s.embeddedResource;
        if (s.defaultValue != null && !meta) {
            JsonNode pruned = s.defaultValue.deepCopy();
            Pruning.pruneOnly(pruned, s, s.embeddedResource || s == root);
            if (!GoValues.deepEqual(pruned, s.defaultValue)) {
                errs.invalid(path + ".default", GoValues.show(s.defaultValue), "must not have unknown fields");
            } else {
                List<FieldProblem> embedded = EmbeddedResources.validate(s.defaultValue, s, path + ".default");
                errs.addAll(embedded.isEmpty() ? SchemaValidator.validate(path + ".default", s.defaultValue, s) : embedded);
            }
        }
        if (s.items != null) {
            defaults(s.items, path + ".items", root, meta, errs);
        }
        s.properties.forEach((k, p) -> defaults(p, FieldPaths.key(path + ".properties", k), root,
                meta || ((s.embeddedResource || s == root) && META_FIELDS.contains(k)), errs));
    }

    // ---- ValidateCustomResourceDefinitionOpenAPISchema ---------------------------------------------------------

    /** specStandardValidatorV3's state as it goes down: where defaults are refused, and whether inside object meta. */
    private record Context(boolean allowDefaults, String disallowDefaultsReason, boolean insideResourceMeta) {
        Context withForbiddenDefaults(String reason) {
            return new Context(false, reason, insideResourceMeta);
        }

        Context withInsideResourceMeta() {
            return new Context(allowDefaults, disallowDefaultsReason, true);
        }
    }

    private static void openApi(@Nullable StructuralSchema s, String path, Context ctx, boolean isRoot, ErrorList errs) {
        if (s == null) {
            return;
        }
        standard(s, path, ctx, errs);
        if (s.uniqueItems) {
            errs.forbidden(path + ".uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic");
        }
        if (s.additionalProperties != null || s.additionalPropertiesAllowed != null) {
            if (!s.properties.isEmpty() && !Boolean.TRUE.equals(s.additionalPropertiesAllowed)) {
                errs.forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive");
            }
            // pruning a map applying to object metadata without its actual value is ambiguous
            Context sub = ctx.insideResourceMeta()
                    ? ctx.withForbiddenDefaults("inside additionalProperties applying to object metadata") : ctx;
            openApi(s.additionalProperties, path + ".additionalProperties", sub, false, errs);
        }
        for (Map.Entry<String, StructuralSchema> p : s.properties.entrySet()) {
            Context sub = ctx;
            if ((isRoot || s.embeddedResource) && META_FIELDS.contains(p.getKey())) {
                sub = sub.withInsideResourceMeta();
                if (isRoot) {
                    sub = sub.withForbiddenDefaults("in top-level " + p.getKey());
                }
            }
            openApi(p.getValue(), FieldPaths.key(path + ".properties", p.getKey()), sub, false, errs);
        }
        openApi(s.not, path + ".not", ctx, false, errs);
        for (int i = 0; i < s.allOf.size(); i++) {
            openApi(s.allOf.get(i), FieldPaths.index(path + ".allOf", i), ctx, false, errs);
        }
        for (int i = 0; i < s.oneOf.size(); i++) {
            openApi(s.oneOf.get(i), FieldPaths.index(path + ".oneOf", i), ctx, false, errs);
        }
        for (int i = 0; i < s.anyOf.size(); i++) {
            openApi(s.anyOf.get(i), FieldPaths.index(path + ".anyOf", i), ctx, false, errs);
        }
        openApi(s.items, path + ".items", ctx, false, errs);
        if (Boolean.FALSE.equals(s.preserveUnknownFields)) {
            errs.invalid(path + ".x-kubernetes-preserve-unknown-fields", new ErrorList.GoValue("false"), "must be true or undefined");
        }
        listAndMapTypes(s, path, errs);
        rules(s, path, errs);
    }

    /** specStandardValidatorV3.validate: what a CRD's OpenAPI schema may not use. */
    private static void standard(StructuralSchema s, String path, Context ctx, ErrorList errs) {
        if (!s.type.isEmpty() && !OPENAPI_V3_TYPES.contains(s.type)) {
            errs.notSupported(path + ".type", s.type, OPENAPI_V3_TYPES);
        }
        if (s.defaultValue != null && !ctx.allowDefaults()) {
            errs.forbidden(path + ".default", "must not be set"
                    + (ctx.disallowDefaultsReason().isEmpty() ? "" : " " + ctx.disallowDefaultsReason()));
        }
        for (String key : List.of("id", "additionalItems", "patternProperties", "definitions", "dependencies", "$ref")) {
            if (s.unsupported.contains(key)) {
                errs.forbidden(path + "." + key, key + " is not supported");
            }
        }
        if (s.type.equals("null")) {
            errs.forbidden(path + ".type", "type cannot be set to null, use nullable as an alternative");
        }
        if (s.itemsIsArray) {
            errs.forbidden(path + ".items", "items must be a schema object and not an array");
        }
        if (ctx.insideResourceMeta() && s.embeddedResource) {
            errs.forbidden(path + ".x-kubernetes-embedded-resource", "must not be used inside of resource meta");
        }
    }

    /** x-kubernetes-map-type, x-kubernetes-list-type and x-kubernetes-list-map-keys must fit the schema. */
    private static void listAndMapTypes(StructuralSchema s, String path, ErrorList errs) {
        if (s.mapType != null && !s.type.equals("object")) {
            typeMust(s, path, "must be object if x-kubernetes-map-type is specified", errs);
        }
        if (s.mapType != null && !s.mapType.equals("atomic") && !s.mapType.equals("granular")) {
            errs.notSupported(path + ".x-kubernetes-map-type", s.mapType, List.of("atomic", "granular"));
        }
        StructuralSchema items = s.items;
        if (s.listType != null && !s.type.equals("array")) {
            typeMust(s, path, "must be array if x-kubernetes-list-type is specified", errs);
        } else if ("set".equals(s.listType) && items != null) {
            // set items are compared whole: nested lists and maps must be atomic
            if (items.type.equals("array") && items.listType != null && !items.listType.equals("atomic")) {
                errs.invalid(path + ".items.x-kubernetes-list-type", items.listType,
                        "must be atomic as item of a list with x-kubernetes-list-type=set");
            } else if (items.type.equals("object") && !"atomic".equals(items.mapType)) {
                // kube names the items' list type as the bad value here
                errs.invalid(path + ".items.x-kubernetes-map-type", goPointer(items.listType),
                        "must be atomic as item of a list with x-kubernetes-list-type=set");
            }
        }
        if (s.listType != null && !List.of("atomic", "set", "map").contains(s.listType)) {
            errs.notSupported(path + ".x-kubernetes-list-type", s.listType, List.of("atomic", "set", "map"));
        }
        if (!s.listMapKeys.isEmpty()) {
            if (s.listType == null) {
                errs.required(path + ".x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty");
            } else if (!s.listType.equals("map")) {
                errs.invalid(path + ".x-kubernetes-list-type", s.listType, "must be map if x-kubernetes-list-map-keys is non-empty");
            }
        }
        if ("map".equals(s.listType)) {
            if (s.listMapKeys.isEmpty()) {
                errs.required(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map");
            }
            if (items == null && !s.itemsIsArray) {
                errs.required(path + ".items", "must have a schema if x-kubernetes-list-type is map");
            }
            if (s.itemsIsArray) {
                errs.invalid(path + ".items", new ErrorList.GoValue("[]"), "must only have a single schema if x-kubernetes-list-type is map");
            }
            if (items != null && !items.type.equals("object")) {
                errs.invalid(path + ".items.type", items.type, "must be object if parent array's x-kubernetes-list-type is map");
            }
            if (items != null && items.type.equals("object")) {
                Set<String> seen = new HashSet<>();
                ErrorList.GoValue keys = new ErrorList.GoValue(GoValues.json(JsonNodeFactory.instance.arrayNode()
                        .addAll(s.listMapKeys.stream().map(TextNode::valueOf).toList())));
                for (String k : s.listMapKeys) {
                    StructuralSchema key = items.properties.get(k);
                    if (key == null) {
                        errs.invalid(path + ".x-kubernetes-list-map-keys", keys, "entries must all be names of item properties");
                    } else if (key.type.equals("array") || key.type.equals("object")) {
                        // kube names the items' type as the bad value
                        errs.invalid(FieldPaths.key(path + ".items.properties", k) + ".type", items.type,
                                "must be a scalar type if parent array's x-kubernetes-list-type is map");
                    }
                    if (!seen.add(k)) {
                        errs.invalid(path + ".x-kubernetes-list-map-keys", keys, "must not contain duplicate entries");
                    }
                }
            }
        }
        // validateMapListKeysMapSet: items of sets and maps are never null, and map keys are always there
        if (items != null && ("set".equals(s.listType) || "map".equals(s.listType))) {
            if (items.nullable) {
                errs.forbidden(path + ".items.nullable", "cannot be nullable when x-kubernetes-list-type is " + s.listType);
            }
            if (s.listType.equals("map")) {
                for (String k : s.listMapKeys) {
                    StructuralSchema key = items.properties.get(k);
                    if (key == null) {
                        continue;
                    }
                    String keyPath = FieldPaths.key(path + ".items.properties", k);
                    if (!items.required.contains(k) && key.defaultValue == null) {
                        errs.required(keyPath + ".default",
                                "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property");
                    }
                    if (key.nullable) {
                        errs.forbidden(keyPath + ".nullable", "this property is in x-kubernetes-list-map-keys, so it cannot be nullable");
                    }
                }
            }
        }
    }

    private static void typeMust(StructuralSchema s, String path, String detail, ErrorList errs) {
        if (s.type.isEmpty()) {
            errs.required(path + ".type", detail);
        } else {
            errs.invalid(path + ".type", s.type, detail);
        }
    }

    /** A Go *string as field.Error prints it: JSON of the string, or null. */
    private static ErrorList.GoValue goPointer(@Nullable String s) {
        return new ErrorList.GoValue(s == null ? "null" : GoQuote.quote(s));
    }

    /** The static rules of x-kubernetes-validations entries (their CEL is compiled by {@link #cel}). */
    private static void rules(StructuralSchema s, String path, ErrorList errs) {
        for (int i = 0; i < s.validations.size(); i++) {
            ValidationRule r = s.validations.get(i);
            String at = FieldPaths.index(path + ".x-kubernetes-validations", i);
            String rule = r.rule().strip();
            String message = r.message().strip();
            if (rule.isEmpty()) {
                errs.required(at + ".rule", "rule is not specified");
            } else if (!r.message().isEmpty() && message.isEmpty()) {
                errs.invalid(at + ".message", r.message(), "must be non-empty if specified");
            } else if (NEWLINES.matcher(message).find()) {
                errs.invalid(at + ".message", r.message(), "must not contain line breaks");
            } else if (NEWLINES.matcher(rule).find() && message.isEmpty()) {
                errs.required(at + ".message", "message must be specified if rule contains line breaks");
            }
            if (!r.messageExpression().isEmpty() && r.messageExpression().isBlank()) {
                errs.required(at + ".messageExpression", "messageExpression must be non-empty if specified");
            }
            if (r.reason() != null && !VALIDATION_REASONS.contains(r.reason())) {
                errs.notSupported(at + ".reason", r.reason(), VALIDATION_REASONS);
            }
            if (!r.fieldPath().isEmpty() && r.fieldPath().isBlank()) {
                errs.invalid(at + ".fieldPath", r.fieldPath(), "must be non-empty if specified");
            }
            if (NEWLINES.matcher(r.fieldPath()).find()) {
                errs.invalid(at + ".fieldPath", r.fieldPath(), "must not contain line breaks");
            }
            if (!r.fieldPath().isEmpty() && CelRules.validFieldPath(r.fieldPath(), s) == null) {
                errs.invalid(at + ".fieldPath", r.fieldPath(), "must be a valid path");
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static StructuralSchema shallowCopy(StructuralSchema s) {
        StructuralSchema c = new StructuralSchema();
        c.type = s.type;
        c.format = s.format;
        c.description = s.description;
        c.title = s.title;
        c.nullable = s.nullable;
        c.defaultValue = s.defaultValue;
        c.properties.putAll(s.properties);
        c.items = s.items;
        c.itemsIsArray = s.itemsIsArray;
        c.additionalProperties = s.additionalProperties;
        c.additionalPropertiesAllowed = s.additionalPropertiesAllowed;
        c.required.addAll(s.required);
        c.enumValues = s.enumValues;
        c.maximum = s.maximum;
        c.exclusiveMaximum = s.exclusiveMaximum;
        c.minimum = s.minimum;
        c.exclusiveMinimum = s.exclusiveMinimum;
        c.maxLength = s.maxLength;
        c.minLength = s.minLength;
        c.pattern = s.pattern;
        c.maxItems = s.maxItems;
        c.minItems = s.minItems;
        c.uniqueItems = s.uniqueItems;
        c.multipleOf = s.multipleOf;
        c.maxProperties = s.maxProperties;
        c.minProperties = s.minProperties;
        c.allOf.addAll(s.allOf);
        c.anyOf.addAll(s.anyOf);
        c.oneOf.addAll(s.oneOf);
        c.not = s.not;
        c.preserveUnknownFields = s.preserveUnknownFields;
        c.embeddedResource = s.embeddedResource;
        c.intOrString = s.intOrString;
        c.listType = s.listType;
        c.listMapKeys.addAll(s.listMapKeys);
        c.mapType = s.mapType;
        c.validations.addAll(s.validations);
        c.unsupported.addAll(s.unsupported);
        return c;
    }

    /** Nothing at all is specified (kube's zero Structural with an empty ValueValidation). */
    private static boolean isEmpty(StructuralSchema s) {
        return s.type.isEmpty() && s.format.isEmpty() && s.description.isEmpty() && s.title.isEmpty() && !s.nullable
                && s.defaultValue == null && s.properties.isEmpty() && s.items == null && !s.itemsIsArray
                && s.additionalProperties == null && s.additionalPropertiesAllowed == null && s.required.isEmpty()
                && s.enumValues == null && s.maximum == null && !s.exclusiveMaximum && s.minimum == null
                && !s.exclusiveMinimum && s.maxLength == null && s.minLength == null && s.pattern.isEmpty()
                && s.maxItems == null && s.minItems == null && !s.uniqueItems && s.multipleOf == null
                && s.maxProperties == null && s.minProperties == null && s.allOf.isEmpty() && s.anyOf.isEmpty()
                && s.oneOf.isEmpty() && s.not == null && s.preserveUnknownFields == null && !s.embeddedResource
                && !s.intOrString && s.listType == null && s.listMapKeys.isEmpty() && s.mapType == null
                && s.validations.isEmpty() && s.unsupported.isEmpty();
    }
}
