package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;
import io.kubus.schema.validation.GoQuote;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Validates a value against a structural schema as kube-apiserver does for custom resources: kube-openapi's
 * SchemaValidator (its validators, in its order, with go-openapi's messages such as
 * {@code spec.replicas in body must be of type integer: "string"}) and apiextensions'
 * kubeOpenAPIResultToFieldErrors, which turns each into a field error (Required, Unsupported value, Too long,
 * Too many, or Invalid value with the go-openapi message as detail). Field paths are go-openapi's: dotted names and
 * {@code [i]} indices, map keys dotted too ({@code spec.labels.app}). Errors that name no field (anyOf, oneOf, allOf,
 * not) are reported on the validator's own path, which kube leaves nil for a whole object: {@code <nil>}, as kubectl
 * shows it.
 */
public final class SchemaValidator {
    private static final String IN = "body";
    /** Go's field.Path String of a nil path. */
    private static final String NIL_PATH = "<nil>";

    private final @Nullable String fieldPath;

    private SchemaValidator(@Nullable String fieldPath) {
        this.fieldPath = fieldPath;
    }

    /**
     * ValidateCustomResource(nil, object, validator): the whole object against the CRD version's schema, including
     * the root metadata's name/generateName restrictions the schema may state.
     */
    public static List<FieldProblem> validate(JsonNode value, StructuralSchema schema) {
        return validate(null, value, schema);
    }

    /**
     * As {@link #validate(JsonNode, StructuralSchema)} for a value found at {@code fieldPath} (kube's status update
     * validates {@code status} against its subschema; a schema's defaults are validated at their {@code .default}).
     */
    public static List<FieldProblem> validate(@Nullable String fieldPath, JsonNode value, StructuralSchema schema) {
        return new SchemaValidator(fieldPath).check("", schema, value).errors;
    }

    /**
     * All kube-apiserver checks a custom object's schema makes of it on create, in kube's order (the CR strategy's
     * Validate): the OpenAPI validation above, then the embedded resources' type and object meta, then the list
     * types' uniqueness, then the x-kubernetes-validations rules. The problems go into the strategy's
     * {@link ErrorList}, answered as one 422 Status.
     */
    public static void validateObject(JsonNode object, StructuralSchema schema, ErrorList errs) {
        validateObject(object, null, schema, errs);
    }

    /**
     * As {@link #validateObject(JsonNode, StructuralSchema, ErrorList)}, on update when {@code old} is given (the
     * strategy's ValidateUpdate): transition rules compare with it. CEL runs only when the schema has rules and the
     * errors before leave the object typed as the rules expect (hasBlockingErr).
     */
    public static void validateObject(JsonNode object, @Nullable JsonNode old, StructuralSchema schema, ErrorList errs) {
        errs.addAll(validate(object, schema));
        errs.addAll(EmbeddedResources.validate(object, schema, null));
        errs.addAll(ListTypes.validate(object, schema));
        if (!hasRules(schema)) {
            return;
        }
        if (errs.problems().stream().anyMatch(p -> BLOCKING.contains(p.reason()))) {
            errs.add(new FieldProblem(NIL_PATH, FieldProblem.INVALID, "Invalid value: null: some validation rules were"
                    + " not checked because the object was invalid; correct the existing errors to complete validation"));
        } else {
            errs.addAll(CelValidator.validate(object, old, schema));
        }
    }

    /** The errors after which kube does not run CEL: the value may not have the type the rules were compiled for. */
    private static final List<String> BLOCKING = List.of(FieldProblem.NOT_SUPPORTED, FieldProblem.REQUIRED,
            FieldProblem.TOO_LONG, FieldProblem.TOO_MANY, FieldProblem.TYPE_INVALID);

    /** hasXValidations: kube builds a CEL validator only for a schema with rules somewhere in its tree. */
    private static boolean hasRules(@Nullable StructuralSchema s) {
        return s != null && (!s.validations.isEmpty() || hasRules(s.items) || hasRules(s.additionalProperties)
                || s.properties.values().stream().anyMatch(SchemaValidator::hasRules));
    }

    /** kube-openapi's Result: its errors, and how much of the schema matched (anyOf/oneOf report the best attempt). */
    private static final class Result {
        final List<FieldProblem> errors = new ArrayList<>();
        int matchCount;

        boolean valid() {
            return errors.isEmpty();
        }

        void merge(Result other) {
            errors.addAll(other.errors);
            matchCount += other.matchCount;
        }
    }

    private enum Kind { STRING, INT, FLOAT, BOOL, ARRAY, OBJECT }

    /** SchemaValidator.Validate: the validators that apply to the value's kind, in kube-openapi's order. */
    private Result check(String path, StructuralSchema s, JsonNode data) {
        Result res = new Result();
        List<String> types = s.intOrString ? List.of("integer", "string") : s.type.isEmpty() ? List.of() : List.of(s.type);
        String format = Formats.effective(types.size() == 1 ? s.type : "", s.format);
        if (data.isNull()) {
            // only the type and enum validators look at a null
            if (!types.isEmpty() && !s.nullable) {
                typeInvalid(res, path, String.join(",", types), "null");
            }
            enumCheck(res, path, s, data);
            return res;
        }
        Kind kind = kindOf(data);
        if (!types.isEmpty() || !format.isEmpty()) {
            typeCheck(res, path, types, format, kind, data);
            res.matchCount++;
        }
        res.merge(junctors(path, s, data));
        res.matchCount++;
        if (kind == Kind.STRING) {
            stringCheck(res, path, s, data.textValue());
            res.matchCount++;
            if (!format.isEmpty() && Formats.isStringFormat(format)) {
                if (!Formats.valid(format, data.textValue())) {
                    typeInvalid(res, path, format, data.textValue());
                }
                res.matchCount++;
            }
        }
        if (kind == Kind.INT || kind == Kind.FLOAT) {
            numberCheck(res, path, s, types, format, data);
            res.matchCount++;
        }
        if (kind == Kind.ARRAY) {
            sliceCheck(res, path, s, data);
            res.matchCount++;
        }
        enumCheck(res, path, s, data);
        res.matchCount++;
        if (kind == Kind.OBJECT) {
            objectCheck(res, path, s, data);
            res.matchCount++;
        }
        res.matchCount++;
        return res;
    }

    private static Kind kindOf(JsonNode v) {
        if (v.isTextual()) {
            return Kind.STRING;
        }
        if (v.isNumber()) {
            return GoValues.isInt(v) ? Kind.INT : Kind.FLOAT;
        }
        if (v.isBoolean()) {
            return Kind.BOOL;
        }
        return v.isArray() ? Kind.ARRAY : Kind.OBJECT;
    }

    /** typeValidator: the value's JSON type (and Go's int64/float64 "format") against the schema's type and format. */
    private void typeCheck(Result res, String path, List<String> types, String format, Kind kind, JsonNode data) {
        String schType = switch (kind) {
            case STRING -> "string";
            case INT -> "integer";
            case FLOAT -> "number";
            case BOOL -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
        };
        String goFormat = kind == Kind.INT ? "int64" : kind == Kind.FLOAT ? "float64" : "";
        // a float64 holding a whole number passes as an integer, an int64 as a number
        boolean floatInt = kind == Kind.FLOAT && isJsonInteger(data.doubleValue()) && types.contains("integer");
        boolean intFloat = kind == Kind.INT && types.contains("number");
        boolean typeOk = types.contains(schType) || floatInt || intFloat;
        if (kind != Kind.STRING && kind != Kind.ARRAY && !format.isEmpty() && !(typeOk || goFormat.equals(format))) {
            typeInvalid(res, path, format, goFormat);
            return;
        }
        if (!(types.contains("number") || types.contains("integer")) && !format.isEmpty()
                && (kind == Kind.STRING || kind == Kind.ARRAY)) {
            return;
        }
        if (!typeOk) {
            typeInvalid(res, path, String.join(",", types), schType);
        }
    }

    /** swag.IsFloat64AJSONInteger: a whole number within the range JSON numbers keep exactly. */
    private static boolean isJsonInteger(double d) {
        return d == Math.rint(d) && Math.abs(d) <= 9007199254740991d;
    }

    /** stringValidator: maxLength, then minLength, then pattern; the first failure is the only one reported. */
    private void stringCheck(Result res, String path, StructuralSchema s, String data) {
        long length = data.codePointCount(0, data.length());
        if (s.maxLength != null && length > s.maxLength) {
            long max = s.maxLength;
            res.errors.add(new FieldProblem(errPath(path), FieldProblem.TOO_LONG,
                    "Too long: may not be more than " + max + (max == 1 ? " byte" : " bytes")));
            return;
        }
        if (s.minLength != null && length < s.minLength) {
            invalid(res, path, data, path + " in " + IN + " should be at least " + s.minLength + " chars long");
            return;
        }
        if (!s.pattern.isEmpty()) {
            try {
                if (!s.regex().matcher(data).find()) {
                    invalid(res, path, data, path + " in " + IN + " should match '" + s.pattern + "'");
                }
            } catch (PatternSyntaxException e) {
                invalid(res, path, data, path + " in " + IN + " should match '" + s.pattern
                        + ", but pattern is invalid: " + e.getDescription() + "'");
            }
        }
    }

    /**
     * numberValidator: the value within its integer/number format's range, then multipleOf, minimum and maximum.
     * An int64 is compared with the bound truncated to an integer, as kube-openapi does.
     */
    private void numberCheck(Result res, String path, StructuralSchema s, List<String> types, String format, JsonNode data) {
        String typeName = types.size() == 1 && (s.type.equals("integer") || s.type.equals("number")) ? s.type : "";
        if (!inRange(data, typeName, format)) {
            String detail = format.isEmpty()
                    ? "Checked value must be of type " + typeName + " (default format) in " + path
                    : "Checked value must be of type " + typeName + " with format " + format + " in " + path;
            composite(res, detail);
        }
        boolean isInt = GoValues.isInt(data);
        if (s.multipleOf != null) {
            double factor = s.multipleOf;
            if (isInt ? (long) factor <= 0 : factor <= 0) {
                invalid(res, path, bound(factor, isInt), "factor MultipleOf declared for " + path + " must be positive: "
                        + bound(factor, isInt).text());
            } else if (isInt ? data.longValue() % (long) factor != 0 : !isJsonInteger(multiple(data.doubleValue(), factor))) {
                invalid(res, path, GoValues.show(data), path + " in " + IN + " should be a multiple of "
                        + bound(factor, isInt).text());
            }
        }
        if (s.minimum != null) {
            boolean below = isInt
                    ? (s.exclusiveMinimum ? data.longValue() <= (long) s.minimum.doubleValue() : data.longValue() < (long) s.minimum.doubleValue())
                    : (s.exclusiveMinimum ? data.doubleValue() <= s.minimum : data.doubleValue() < s.minimum);
            if (below) {
                invalid(res, path, GoValues.show(data), path + " in " + IN + " should be greater than "
                        + (s.exclusiveMinimum ? "" : "or equal to ") + bound(s.minimum, isInt).text());
            }
        }
        if (s.maximum != null) {
            boolean above = isInt
                    ? (s.exclusiveMaximum ? data.longValue() >= (long) s.maximum.doubleValue() : data.longValue() > (long) s.maximum.doubleValue())
                    : (s.exclusiveMaximum ? data.doubleValue() >= s.maximum : data.doubleValue() > s.maximum);
            if (above) {
                invalid(res, path, GoValues.show(data), path + " in " + IN + " should be less than "
                        + (s.exclusiveMaximum ? "" : "or equal to ") + bound(s.maximum, isInt).text());
            }
        }
    }

    private static double multiple(double data, double factor) {
        return factor < 1 ? 1 / factor * data : data / factor;
    }

    /** A schema bound as the message prints it: as an int64 when compared with an int64, else Go's float64 %v. */
    private static ErrorList.GoValue bound(double b, boolean asInt) {
        return new ErrorList.GoValue(asInt ? Long.toString((long) b) : GoValues.goFloat(b));
    }

    /**
     * IsValueValidAgainstRange: the value printed as Go does and parsed back as the schema's type and format; for
     * an integer that fails on a fraction or beyond int32/int64, for a float format beyond float32.
     */
    private static boolean inRange(JsonNode data, String typeName, String format) {
        if (typeName.equals("integer")) {
            double v = data.doubleValue();
            if (format.equals("int32")) {
                return (GoValues.isInt(data) || isJsonInteger(v)) && v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            }
            return GoValues.isInt(data) || data.isIntegralNumber() ? data.canConvertToLong()
                    : v == Math.rint(v) && v >= Long.MIN_VALUE && v < Long.MAX_VALUE;
        }
        return !format.equals("float") || Math.abs(data.doubleValue()) <= Float.MAX_VALUE;
    }

    /** schemaSliceValidator: every item against items, then minItems, maxItems and uniqueItems. */
    private void sliceCheck(Result res, String path, StructuralSchema s, JsonNode data) {
        int size = data.size();
        if (s.items != null) {
            for (int i = 0; i < size; i++) {
                res.merge(check(path + "[" + i + "]", s.items, data.get(i)));
            }
        }
        if (s.minItems != null && size < s.minItems) {
            invalid(res, path, new ErrorList.GoValue(Integer.toString(size)),
                    path + " in " + IN + " should have at least " + s.minItems + " items");
        }
        if (s.maxItems != null && size > s.maxItems) {
            tooMany(res, path, size, s.maxItems);
        }
        if (s.uniqueItems) {
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < i; j++) {
                    if (GoValues.deepEqual(data.get(i), data.get(j))) {
                        invalid(res, path, "", path + " in " + IN + " shouldn't contain duplicates");
                        return;
                    }
                }
            }
        }
    }

    /** basicCommonValidator: the value is one of the enum's, compared as Go compares decoded JSON. */
    private void enumCheck(Result res, String path, StructuralSchema s, JsonNode data) {
        if (s.enumValues == null || s.enumValues.isEmpty()) {
            return;
        }
        for (JsonNode e : s.enumValues) {
            if (GoValues.enumEqual(data, e)) {
                return;
            }
        }
        String supported = s.enumValues.stream()
                .map(e -> GoQuote.quote(e.isTextual() ? e.textValue() : GoValues.json(e)))
                .collect(Collectors.joining(", "));
        res.errors.add(new FieldProblem(errPath(path), FieldProblem.NOT_SUPPORTED,
                "Unsupported value: " + ErrorList.show(GoValues.show(data)) + ": supported values: " + supported));
    }

    /**
     * objectValidator: min/maxProperties; with additionalProperties false, every key not a property is forbidden,
     * otherwise such keys are checked against the additionalProperties schema; then the properties, then required.
     */
    private void objectCheck(Result res, String path, StructuralSchema s, JsonNode data) {
        int size = data.size();
        if (s.minProperties != null && size < s.minProperties) {
            invalid(res, path, new ErrorList.GoValue(Integer.toString(size)),
                    path + " in " + IN + " should have at least " + s.minProperties + " properties");
        }
        if (s.maxProperties != null && size > s.maxProperties) {
            tooMany(res, path, size, s.maxProperties);
        }
        for (Map.Entry<String, JsonNode> e : data.properties()) {
            if (s.properties.containsKey(e.getKey())) {
                continue;
            }
            if (Boolean.FALSE.equals(s.additionalPropertiesAllowed)) {
                invalid(res, path, e.getKey(), path + "." + e.getKey() + " in " + IN + " is a forbidden property");
            } else if (s.additionalProperties != null) {
                res.merge(check(path + "." + e.getKey(), s.additionalProperties, e.getValue()));
            }
        }
        for (Map.Entry<String, StructuralSchema> p : s.properties.entrySet()) {
            JsonNode v = data.get(p.getKey());
            if (v != null) {
                res.merge(check(path.isEmpty() ? p.getKey() : path + "." + p.getKey(), p.getValue(), v));
            }
        }
        for (String r : s.required) {
            if (!data.has(r)) {
                res.errors.add(FieldProblem.required(errPath(path + "." + r), ""));
            }
        }
    }

    /** schemaPropsValidator: anyOf, oneOf, allOf and not, each alternative validated at the same path. */
    private Result junctors(String path, StructuralSchema s, JsonNode data) {
        Result main = new Result();
        if (!s.anyOf.isEmpty()) {
            Result best = null;
            Result firstSuccess = null;
            for (StructuralSchema alt : s.anyOf) {
                Result r = check(path, alt, data);
                if (r.valid()) {
                    firstSuccess = r;
                    best = null;
                    break;
                }
                if (best == null || r.matchCount > best.matchCount) {
                    best = r;
                }
            }
            if (firstSuccess == null) {
                composite(main, GoQuote.quote(path) + " must validate at least one schema (anyOf)");
            }
            main.merge(best != null ? best : firstSuccess);
        }
        if (!s.oneOf.isEmpty()) {
            Result best = null;
            Result firstSuccess = null;
            int validated = 0;
            for (StructuralSchema alt : s.oneOf) {
                Result r = check(path, alt, data);
                if (r.valid()) {
                    validated++;
                    best = null;
                    if (firstSuccess == null) {
                        firstSuccess = r;
                    }
                } else if (validated == 0 && (best == null || r.matchCount > best.matchCount)) {
                    best = r;
                }
            }
            if (validated != 1) {
                composite(main, GoQuote.quote(path) + " must validate one and only one schema (oneOf). "
                        + (validated == 0 ? "Found none valid" : "Found " + validated + " valid alternatives"));
                if (best != null) {
                    main.merge(best);
                }
            } else {
                main.merge(firstSuccess);
            }
        }
        if (!s.allOf.isEmpty()) {
            int validated = 0;
            for (StructuralSchema alt : s.allOf) {
                Result r = check(path, alt, data);
                if (r.valid()) {
                    validated++;
                }
                main.merge(r);
            }
            if (validated != s.allOf.size()) {
                composite(main, GoQuote.quote(path) + " must validate all the schemas (allOf)"
                        + (validated == 0 ? ". None validated" : ""));
            }
        }
        if (s.not != null && check(path, s.not, data).valid()) {
            composite(main, GoQuote.quote(path) + " must not validate the schema (not)");
        }
        return main;
    }

    /** go-openapi's InvalidType with its value, a string: kube reports it as a TypeInvalid of that string. */
    private void typeInvalid(Result res, String path, String typeName, String value) {
        res.errors.add(new FieldProblem(errPath(path), FieldProblem.TYPE_INVALID, "Invalid value: " + GoQuote.quote(value)
                + ": " + path + " in " + IN + " must be of type " + typeName + ": " + GoQuote.quote(value)));
    }

    private void invalid(Result res, String path, Object value, String detail) {
        res.errors.add(new FieldProblem(errPath(path), FieldProblem.INVALID,
                "Invalid value: " + ErrorList.show(value) + ": " + detail));
    }

    private void tooMany(Result res, String path, long actual, long max) {
        res.errors.add(new FieldProblem(errPath(path), FieldProblem.TOO_MANY,
                "Too many: " + actual + ": must have at most " + max + (max == 1 ? " item" : " items")));
    }

    /** An error go-openapi gives without a field (the junctors, a range check): Invalid "" on the validator's path. */
    private void composite(Result res, String detail) {
        res.errors.add(new FieldProblem(fieldPath == null ? NIL_PATH : fieldPath, FieldProblem.INVALID,
                "Invalid value: \"\": " + detail));
    }

    /** kubeOpenAPIResultToFieldErrors: the go-openapi name, without its leading dot, under the validator's path. */
    private String errPath(String name) {
        String child = name.startsWith(".") ? name.substring(1) : name;
        if (name.isEmpty() || name.equals(".")) {
            return fieldPath == null ? NIL_PATH : fieldPath;
        }
        return fieldPath == null ? child : fieldPath + "." + child;
    }
}
