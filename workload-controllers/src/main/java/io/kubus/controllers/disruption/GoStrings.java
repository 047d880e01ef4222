package io.kubus.controllers.disruption;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Go's {@code %v} of the API types Kubernetes' messages print, as their generated String() methods write them. */
final class GoStrings {
    private GoStrings() {
    }

    /** {@code &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}}. */
    static String labelSelector(LabelSelector selector) {
        if (selector == null) {
            return "nil";
        }
        StringBuilder s = new StringBuilder("&LabelSelector{MatchLabels:map[string]string{");
        Map<String, String> labels = selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
        new TreeMap<>(labels).forEach((k, v) -> s.append(k).append(": ").append(v).append(','));
        s.append("},MatchExpressions:[]LabelSelectorRequirement{");
        List<LabelSelectorRequirement> exprs = selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        for (LabelSelectorRequirement r : exprs) {
            s.append("LabelSelectorRequirement{Key:").append(r.getKey()).append(",Operator:").append(r.getOperator())
                    .append(",Values:[").append(String.join(" ", r.getValues() == null ? List.of() : r.getValues()))
                    .append("],},");
        }
        return s.append("},}").toString();
    }
}
