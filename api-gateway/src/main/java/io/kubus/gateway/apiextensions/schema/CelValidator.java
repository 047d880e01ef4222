package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelErrorCode;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.kubus.schema.validation.FieldProblem;
import io.kubus.schema.validation.GoQuote;
import io.micronaut.core.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a custom object's x-kubernetes-validations as apiextensions' cel.Validator does: at every node whose
 * schema has rules, rules first, then the map's values (additionalProperties), the object's fields, the list's items;
 * {@code self} is the node's value, {@code oldSelf} the old object's value at the same node where the two correlate
 * (object fields and map values by key, items of a {@code map} list by their keys, other list items never). Null
 * values are not validated. Transition rules (those naming oldSelf) are skipped without an old value, unless
 * {@code optionalOldSelf} makes oldSelf an optional that is then empty.
 */
final class CelValidator {
    /** Go's field.Path String of a nil path: the resource root's rules report there. */
    private static final String NIL_PATH = "<nil>";
    /** apiserver's MaxEvaluatedMessageExpressionSizeBytes. */
    private static final int MAX_MESSAGE_BYTES = 5 * 1024;
    private static final Pattern NEWLINES = Pattern.compile("\n+");
    private static final Pattern EVAL_POSITION = Pattern.compile("^evaluation error at <input>:\\d+: ");
    private static final Pattern MISSING_KEY = Pattern.compile("key '(.*)' is not present in map\\.");

    private final List<FieldProblem> errors = new ArrayList<>();
    /** The per-call limit was hit: kube stops all validation of the object there. */
    private boolean exhausted;

    private CelValidator() {
    }

    /** Validator.Validate(ctx, nil, schema, object, old, budget) for a whole custom object; {@code old} on update. */
    static List<FieldProblem> validate(JsonNode object, @Nullable JsonNode old, StructuralSchema schema) {
        CelValidator v = new CelValidator();
        v.validate(null, schema, true, object, old);
        return v.errors;
    }

    private void validate(@Nullable String path, @Nullable StructuralSchema s, boolean root, @Nullable JsonNode obj,
                          @Nullable JsonNode old) {
        if (s == null || obj == null || obj.isNull() || exhausted) {
            return;
        }
        if (old != null && old.isNull()) {
            old = null;
        }
        expressions(path, s, root, obj, old);
        if (obj.isArray()) {
            List<JsonNode> oldItems = correlatableItems(s, old);
            for (int i = 0; i < obj.size(); i++) {
                JsonNode item = obj.get(i);
                validate(FieldPaths.index(path, i), s.items, false, item, oldItems == null ? null : match(s, oldItems, item));
            }
        } else if (obj.isObject()) {
            // MapIsCorrelatable: granular and atomic maps (and objects) correlate by key
            JsonNode oldMap = s.mapType == null || s.mapType.equals("granular") || s.mapType.equals("atomic") ? old : null;
            if (s.additionalProperties != null) {
                obj.properties().forEach(e -> validate(FieldPaths.key(path, e.getKey()), s.additionalProperties, false,
                        e.getValue(), oldMap == null ? null : oldMap.get(e.getKey())));
            }
            obj.properties().forEach(e -> {
                StructuralSchema p = s.properties.get(e.getKey());
                if (p != null) {
                    validate(FieldPaths.child(path, e.getKey()), p, false, e.getValue(),
                            oldMap == null ? null : oldMap.get(e.getKey()));
                }
            });
        }
    }

    /** Only a {@code map} list's items correlate with old items (by their keys); null when they do not. */
    private static @Nullable List<JsonNode> correlatableItems(StructuralSchema s, @Nullable JsonNode old) {
        if (old == null || !old.isArray() || !"map".equals(s.listType) || s.listMapKeys.isEmpty()) {
            return null;
        }
        List<JsonNode> items = new ArrayList<>();
        old.forEach(items::add);
        return items;
    }

    private static @Nullable JsonNode match(StructuralSchema s, List<JsonNode> oldItems, JsonNode item) {
        for (JsonNode o : oldItems) {
            if (s.listMapKeys.stream().allMatch(k -> Objects.equals(o.get(k), item.get(k)))) {
                return o;
            }
        }
        return null;
    }

    /** validateExpressions: the node's rules in order, each error at the node's path or the rule's fieldPath. */
    private void expressions(@Nullable String path, StructuralSchema s, boolean root, JsonNode obj, @Nullable JsonNode old) {
        List<CelRules.Compiled> rules = s.celRules(root);
        if (rules.isEmpty()) {
            return;
        }
        String at = path == null ? NIL_PATH : path;
        Map<String, Object> vars = new HashMap<>();
        vars.put(CelRules.SELF, value(s, obj));
        if (old != null) {
            vars.put(CelRules.OLD_SELF, value(s, old));
        }
        // validationActivationWithOldSelf: the optionalOldSelf rules' oldSelf, set even without an old value
        Map<String, Object> optionalVars = new HashMap<>(vars);
        optionalVars.put(CelRules.OLD_SELF, Optional.ofNullable(vars.get(CelRules.OLD_SELF)));
        for (CelRules.Compiled c : rules) {
            ValidationRule rule = c.rule();
            if (c.error() != null) {
                errors.add(invalid(at, s, "rule compile error: " + c.error()));
                continue;
            }
            boolean optionalOldSelf = Boolean.TRUE.equals(rule.optionalOldSelf());
            if (c.program() == null || (c.usesOldSelf() && old == null && !optionalOldSelf)) {
                continue; // an empty rule; a transition rule with nothing to compare against
            }
            Object result;
            try {
                result = c.program().eval(optionalOldSelf ? optionalVars : vars);
            } catch (CelEvaluationException e) {
                if (e.getErrorCode() == CelErrorCode.ITERATION_BUDGET_EXCEEDED) {
                    // kube's per-call cost limit; as there, no further rule anywhere in the object is run
                    errors.add(invalid(at, s, "'operation cancelled: actual cost limit exceeded': no further validation"
                            + " rules will be run due to call cost exceeds limit for rule: " + ruleErrorString(rule)));
                    exhausted = true;
                    return;
                }
                errors.add(invalid(at, s, runtimeError(e, rule)));
                continue;
            }
            if (Boolean.TRUE.equals(result)) {
                continue;
            }
            String errPath = c.fieldPath() == null ? at : FieldPaths.child(path, c.fieldPath());
            String detail = c.message() == null ? null : message(c.message(), optionalOldSelf ? optionalVars : vars);
            errors.add(forReason(errPath, s, detail != null ? detail : ruleMessageOrDefault(rule), rule.reason()));
        }
    }

    /**
     * A rule's evaluation error as kube words it: cel-go's text for the errors both implementations have (cel-java's
     * own words otherwise, without its source position), then the rule.
     */
    private static String runtimeError(CelEvaluationException e, ValidationRule rule) {
        String message = EVAL_POSITION.matcher(String.valueOf(e.getMessage())).replaceFirst("");
        String goText = switch (e.getErrorCode()) {
            case OVERLOAD_NOT_FOUND -> null;
            case ATTRIBUTE_NOT_FOUND -> {
                Matcher m = MISSING_KEY.matcher(message);
                yield m.matches() ? "no such key: " + m.group(1) : message;
            }
            case DIVIDE_BY_ZERO -> message.startsWith("%") ? "modulus by zero" : "division by zero";
            case INDEX_OUT_OF_BOUNDS -> message.replaceFirst("^Index out of bounds", "index out of bounds");
            case NUMERIC_OVERFLOW -> "integer overflow";
            default -> message;
        };
        if (goText == null) {
            // int-or-string and preserve-unknown values are dyn: only evaluation finds the operator has no overload
            return "'no such overload': call arguments did not match a supported operator, function or macro"
                    + " signature for rule: " + ruleErrorString(rule);
        }
        return goText + " evaluating rule: " + ruleErrorString(rule);
    }

    /**
     * evalMessageExpression: the message, trimmed; null when it fails, is empty, too long or has line breaks (kube
     * then logs why and uses the rule's message).
     */
    private static @Nullable String message(CelRuntime.Program program, Map<String, Object> vars) {
        try {
            if (program.eval(vars) instanceof String m) {
                String trimmed = m.strip();
                if (!trimmed.isEmpty() && trimmed.getBytes(StandardCharsets.UTF_8).length <= MAX_MESSAGE_BYTES
                        && !NEWLINES.matcher(trimmed).find()) {
                    return trimmed;
                }
            }
        } catch (CelEvaluationException e) {
            // as kube: a message expression that fails falls back to the rule's message
        }
        return null;
    }

    /** fieldErrorForReason: the rule's reason picks the error type; the value shown is the schema's type. */
    private static FieldProblem forReason(String path, StructuralSchema s, String detail, @Nullable String reason) {
        if (FieldProblem.FORBIDDEN.equals(reason)) {
            return FieldProblem.forbidden(path, detail);
        }
        if (FieldProblem.REQUIRED.equals(reason)) {
            return FieldProblem.required(path, detail);
        }
        if (FieldProblem.DUPLICATE.equals(reason)) {
            return new FieldProblem(path, FieldProblem.DUPLICATE, "Duplicate value" + shownValue(s));
        }
        return invalid(path, s, detail);
    }

    private static FieldProblem invalid(String path, StructuralSchema s, String detail) {
        return new FieldProblem(path, FieldProblem.INVALID, "Invalid value" + shownValue(s) + ": " + detail);
    }

    /** Objects and arrays are shown without a value (field.OmitValueType), anything else by its schema type. */
    private static String shownValue(StructuralSchema s) {
        return s.type.equals("object") || s.type.equals("array") ? "" : ": " + GoQuote.quote(s.type);
    }

    private static String ruleMessageOrDefault(ValidationRule rule) {
        return rule.message().isEmpty() ? "failed rule: " + ruleErrorString(rule) : rule.message().strip();
    }

    private static String ruleErrorString(ValidationRule rule) {
        return rule.message().isEmpty() ? rule.rule().strip() : rule.message().strip();
    }

    /**
     * UnstructuredToVal: JSON as CEL sees it. Objects become maps (a struct-typed select reads them by key, a missing
     * field being "no such key" as in kube), a {@code number} schema makes whole numbers doubles.
     */
    private static Object value(@Nullable StructuralSchema s, JsonNode v) {
        if (v.isNull()) {
            return NullValue.NULL_VALUE;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            boolean number = s != null && s.type.equals("number");
            return number || !GoValues.isInt(v) ? (Object) v.doubleValue() : (Object) v.longValue();
        }
        if (v.isArray()) {
            List<Object> items = new ArrayList<>(v.size());
            v.forEach(item -> items.add(value(s == null ? null : s.items, item)));
            return items;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        v.properties().forEach(e -> {
            StructuralSchema p = s == null ? null
                    : s.properties.containsKey(e.getKey()) ? s.properties.get(e.getKey()) : s.additionalProperties;
            fields.put(e.getKey(), value(p, e.getValue()));
        });
        return fields;
    }
}
