package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.core.annotation.Nullable;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** LabelSelector checks: well-formed, and whether it selects a set of labels. */
final class Selectors {
    private static final List<String> OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist");

    private Selectors() {
    }

    static void validate(ObjectNode selector, String path, Errors errs) {
        MetadataValidation.labels(Json.objOrNull(selector, "matchLabels"), path + ".matchLabels", errs);
        List<ObjectNode> exprs = Json.objects(selector, "matchExpressions");
        for (int i = 0; i < exprs.size(); i++) {
            String p = path + ".matchExpressions[" + i + "]";
            String op = Json.text(exprs.get(i), "operator");
            int values = exprs.get(i).path("values").size();
            if (!OPERATORS.contains(op)) {
                errs.invalid(p + ".operator", op, "not a valid selector operator");
            } else if ((op.equals("In") || op.equals("NotIn")) && values == 0) {
                errs.required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
            } else if ((op.equals("Exists") || op.equals("DoesNotExist")) && values > 0) {
                errs.forbidden(p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
            }
            for (String msg : Names.qualifiedName(Json.text(exprs.get(i), "key"))) {
                errs.invalid(p + ".key", Json.text(exprs.get(i), "key"), msg);
            }
        }
    }

    static boolean isEmpty(@Nullable ObjectNode selector) {
        return selector == null || selector.path("matchLabels").isEmpty() && selector.path("matchExpressions").isEmpty();
    }

    static boolean matches(ObjectNode selector, @Nullable ObjectNode labels) {
        ObjectNode l = labels == null ? Json.F.objectNode() : labels;
        ObjectNode matchLabels = Json.objOrNull(selector, "matchLabels");
        if (matchLabels != null) {
            for (Map.Entry<String, JsonNode> e : matchLabels.properties()) {
                if (!e.getValue().asText().equals(Json.text(l, e.getKey())) || !l.has(e.getKey())) {
                    return false;
                }
            }
        }
        for (ObjectNode expr : Json.objects(selector, "matchExpressions")) {
            String key = Json.text(expr, "key");
            Set<String> values = new HashSet<>();
            expr.path("values").forEach(v -> values.add(v.asText()));
            boolean has = l.has(key);
            boolean ok = switch (Json.text(expr, "operator")) {
                case "In" -> has && values.contains(Json.text(l, key));
                case "NotIn" -> !has || !values.contains(Json.text(l, key));
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Go's %#v of a map[string]string, as the apiserver prints template labels. */
    static String goMap(@Nullable ObjectNode labels) {
        if (labels == null) {
            return "map[string]string(nil)";
        }
        return labels.properties().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> Errors.show(e.getKey()) + ":" + Errors.show(e.getValue().asText()))
                .collect(Collectors.joining(", ", "map[string]string{", "}"));
    }
}
