package io.kubus.gateway.apiextensions.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.GoQuote;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * How a value of a custom object prints in kube's messages: field.Error shows strings quoted, numbers and bools with
 * Go's {@code %v}, anything else as Go's json.Marshal (map keys sorted); go-openapi's messages print bounds with
 * {@code %v} of a float64. Unstructured JSON in Go holds integers as int64 and other numbers as float64.
 */
final class GoValues {
    private GoValues() {
    }

    /** The value to hand {@link ErrorList}: a String (quoted there) or an already printed {@link ErrorList.GoValue}. */
    static Object show(JsonNode v) {
        return v.isTextual() ? v.textValue() : new ErrorList.GoValue(json(v));
    }

    /** Go's json.Marshal of an unstructured value: object keys sorted, numbers as Go writes int64 and float64. */
    static String json(JsonNode v) {
        if (v.isObject()) {
            List<String> keys = new ArrayList<>();
            v.fieldNames().forEachRemaining(keys::add);
            keys.sort(null);
            StringBuilder sb = new StringBuilder("{");
            for (String k : keys) {
                if (sb.length() > 1) {
                    sb.append(',');
                }
                sb.append(GoQuote.quote(k)).append(':').append(json(v.get(k)));
            }
            return sb.append('}').toString();
        }
        if (v.isArray()) {
            StringBuilder sb = new StringBuilder("[");
            for (Iterator<JsonNode> it = v.elements(); it.hasNext(); ) {
                sb.append(json(it.next())).append(it.hasNext() ? "," : "");
            }
            return sb.append(']').toString();
        }
        if (v.isNumber()) {
            return isInt(v) ? v.asText() : goFloat(v.doubleValue());
        }
        return v.isTextual() ? GoQuote.quote(v.textValue()) : v.asText(); // bool, null
    }

    /** A number Go decodes as int64 (unstructured JSON keeps other numbers as float64). */
    static boolean isInt(JsonNode v) {
        return v.isIntegralNumber() && v.canConvertToLong();
    }

    /**
     * Go's {@code %v} of a float64: the shortest digits that read back the same, in exponent form when the decimal
     * exponent is below -4 or from 21 up ({@code 1e+21}, {@code 1e-05}).
     */
    static String goFloat(double d) {
        if (d == 0) {
            return "0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = bd.precision() - bd.scale() - 1;
        if (exp >= -4 && exp < 21) {
            return bd.toPlainString();
        }
        String digits = bd.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = String.format("%02d", Math.abs(exp));
        return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + e;
    }

    /** reflect.DeepEqual of two decoded JSON values: an int64 never equals a float64, maps compare by key. */
    static boolean deepEqual(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            if (isInt(a) != isInt(b)) {
                return false;
            }
            return isInt(a) ? a.longValue() == b.longValue() : a.doubleValue() == b.doubleValue();
        }
        if (a.getNodeType() != b.getNodeType() || a.size() != b.size()) {
            return false;
        }
        if (a.isArray()) {
            for (int i = 0; i < a.size(); i++) {
                if (!deepEqual(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject()) {
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!b.has(k) || !deepEqual(a.get(k), b.get(k))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /**
     * go-openapi's enum match: the value converted to the enum value's Go type, then DeepEqual; numbers convert into
     * each other (a float64 truncated to an int64), a null matches nothing.
     */
    static boolean enumEqual(JsonNode data, JsonNode enumValue) {
        if (data.isNull() || enumValue.isNull()) {
            return false;
        }
        if (data.isNumber() && enumValue.isNumber()) {
            return isInt(enumValue) ? (isInt(data) ? data.longValue() : (long) data.doubleValue()) == enumValue.longValue()
                    : data.doubleValue() == enumValue.doubleValue();
        }
        return deepEqual(data, enumValue);
    }
}
