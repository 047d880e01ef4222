package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.quota.QuotaEvaluator;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.FieldProblem;
import io.kubus.schema.validation.GoQuote;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static io.kubus.gateway.table.Cells.name;

/**
 * ResourceQuotas (pkg/registry/core/resourcequota): the spec states the hard limits; the status, which only the
 * status subresource writes, is what the quota controller observed and the ResourceQuota admission charged.
 */
@Singleton
public class ResourceQuotaStrategy implements Strategy {
    /** Scopes that only say whether a pod is in them: their selector requirement must be Exists. */
    private static final Set<String> EXISTS_ONLY = Set.of("BestEffort", "NotBestEffort", "Terminating", "NotTerminating",
            "CrossNamespacePodAffinity");
    private static final List<Set<String>> CONFLICTING = List.of(Set.of("BestEffort", "NotBestEffort"),
            Set.of("Terminating", "NotTerminating"));
    /** Pod scopes and the quota resources they may narrow (helper.IsResourceQuotaScopeValidForResource). */
    private static final Set<String> POD_COUNT = Set.of("pods");
    private static final Set<String> POD_COMPUTE = Set.of("pods", "cpu", "memory", "limits.cpu", "limits.memory",
            "requests.cpu", "requests.memory");
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Age", "string", TablePrinters.AGE,
            "Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume.",
            "Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of "
                    + "contention on the node."),
            (o, now) -> {
                // Every hard limit as used/hard, those on limits.* in the Limit column, the rest in Request.
                List<String> request = new ArrayList<>();
                List<String> limit = new ArrayList<>();
                JsonNode hard = o.path("status").path("hard");
                JsonNode used = o.path("status").path("used");
                for (String resource : new TreeSet<>(texts(hard.fieldNames()))) {
                    String cell = resource + ": " + canonical(used.path(resource)) + "/" + canonical(hard.path(resource));
                    (resource.startsWith("limits.") ? limit : request).add(cell);
                }
                return List.of(name(o), TablePrinters.age(o, now), String.join(", ", request), String.join(", ", limit));
            });

    @Override
    public ResourceType type() {
        return ResourceTypes.RESOURCEQUOTAS;
    }

    /** ValidateResourceQuota: the spec's limits and scopes, and the status (written by the status subresource). */
    @Override
    public void validate(ObjectNode quota, ErrorList errs) {
        JsonNode spec = quota.path("spec");
        resourceList(spec.path("hard"), "spec.hard", errs);
        scopes(spec, errs);
        scopeSelector(spec, errs);
        resourceList(quota.path("status").path("hard"), "status.hard", errs);
        resourceList(quota.path("status").path("used"), "status.used", errs);
    }

    /** The scopes a quota counts in are fixed once it exists. */
    @Override
    public void validateUpdate(ObjectNode quota, ObjectNode old, ErrorList errs) {
        if (!new TreeSet<>(JsonTree.texts(quota.path("spec").path("scopes"))).equals(new TreeSet<>(JsonTree.texts(old.path("spec").path("scopes"))))) {
            errs.invalid("spec.scopes", scopesValue(quota.path("spec")), "field is immutable");
        }
    }

    private static void resourceList(JsonNode list, String path, ErrorList errs) {
        for (Map.Entry<String, JsonNode> e : list.properties()) {
            String p = path + "[" + e.getKey() + "]";
            ResourceNames.quotaResourceName(e.getKey(), p, errs);
            ResourceNames.quantityValue(e.getKey(), e.getValue().asText(), p, errs);
        }
    }

    private static void scopes(JsonNode spec, ErrorList errs) {
        List<String> scopes = JsonTree.texts(spec.path("scopes"));
        if (scopes.isEmpty()) {
            return;
        }
        GoValue value = scopesValue(spec);
        ErrorList found = new ErrorList();
        for (String scope : scopes) {
            if (!QuotaEvaluator.SCOPES.contains(scope)) {
                found.invalid("spec.scopes", value, "unsupported scope");
            }
            if (narrowsWrongResource(scope, spec)) {
                found.invalid("spec.scopes", value, "unsupported scope applied to resource");
            }
        }
        conflicts(Set.copyOf(scopes), "spec.scopes", value, found);
        addOnce(found, errs);
    }

    private static void scopeSelector(JsonNode spec, ErrorList errs) {
        JsonNode selector = spec.path("scopeSelector");
        if (!selector.isObject()) {
            return;
        }
        String path = "spec.scopeSelector.matchExpressions";
        ErrorList found = new ErrorList();
        Set<String> named = new TreeSet<>();
        for (JsonNode req : selector.path("matchExpressions")) {
            String scope = req.path("scopeName").asText("");
            String operator = req.path("operator").asText("");
            if (!QuotaEvaluator.SCOPES.contains(scope)) {
                found.invalid(path + ".scopeName", scope, "unsupported scope");
            }
            if (narrowsWrongResource(scope, spec)) {
                found.invalid(path, new GoValue(goScopeSelector(selector)), "unsupported scope applied to resource");
            }
            if (EXISTS_ONLY.contains(scope) && !operator.equals("Exists")) {
                found.invalid(path + ".operator", operator, "must be 'Exists' when scope is any of "
                        + "ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, "
                        + "ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity");
            }
            switch (operator) {
                case "In", "NotIn" -> {
                    if (req.path("values").isEmpty()) {
                        found.required(path + ".values",
                                "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector");
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!req.path("values").isEmpty()) {
                        found.invalid(path + ".values", new GoValue(goStrings("[]string", req.path("values"))),
                                "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector");
                    }
                }
                default -> found.invalid(path + ".operator", operator, "not a valid selector operator");
            }
            named.add(scope);
        }
        // Kubernetes names the spec's scopes as the value here, whatever the selector says.
        conflicts(named, path, scopesValue(spec), found);
        addOnce(found, errs);
    }

    /** A pod scope on a quota that also limits what it cannot narrow (configmaps under BestEffort, say). */
    private static boolean narrowsWrongResource(String scope, JsonNode spec) {
        Set<String> allowed = switch (scope) {
            case "Terminating", "NotTerminating", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity" -> POD_COMPUTE;
            case "BestEffort" -> POD_COUNT;
            default -> null;
        };
        if (allowed == null) {
            return false;
        }
        for (String resource : new TreeSet<>(texts(spec.path("hard").fieldNames()))) {
            if (ResourceNames.isStandardQuota(resource) && !allowed.contains(resource)) {
                return true;
            }
        }
        return false;
    }

    private static void conflicts(Set<String> scopes, String path, GoValue value, ErrorList errs) {
        for (Set<String> pair : CONFLICTING) {
            if (scopes.containsAll(pair)) {
                errs.invalid(path, value, "conflicting scopes");
            }
        }
    }

    /** Like field.ErrorList's aggregate: the same problem twice is reported once. */
    private static void addOnce(ErrorList found, ErrorList errs) {
        Set<FieldProblem> seen = new LinkedHashSet<>(found.problems());
        errs.addAll(seen);
    }

    private static GoValue scopesValue(JsonNode spec) {
        return new GoValue(goStrings("[]core.ResourceQuotaScope", spec.path("scopes")));
    }

    /** Go's %#v of a string slice: {@code []T(nil)} when absent, else {@code []T{"a", "b"}}. */
    private static String goStrings(String type, JsonNode list) {
        if (!list.isArray()) {
            return type + "(nil)";
        }
        return type + "{" + JsonTree.texts(list).stream().map(GoQuote::quote).collect(Collectors.joining(", ")) + "}";
    }

    /** Go's %#v of the internal ScopeSelector, as kube-apiserver shows it in a validation message. */
    private static String goScopeSelector(JsonNode selector) {
        JsonNode exprs = selector.path("matchExpressions");
        String inner;
        if (!exprs.isArray()) {
            inner = "[]core.ScopedResourceSelectorRequirement(nil)";
        } else {
            List<String> items = new ArrayList<>();
            for (JsonNode r : exprs) {
                items.add("core.ScopedResourceSelectorRequirement{ScopeName:" + GoQuote.quote(r.path("scopeName").asText(""))
                        + ", Operator:" + GoQuote.quote(r.path("operator").asText(""))
                        + ", Values:" + goStrings("[]string", r.path("values")) + "}");
            }
            inner = "[]core.ScopedResourceSelectorRequirement{" + String.join(", ", items) + "}";
        }
        return "core.ScopeSelector{MatchExpressions:" + inner + "}";
    }

    private static List<String> texts(Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    /** A stored quantity as Kubernetes prints it ({@code 0} when there is none yet). */
    private static String canonical(JsonNode quantity) {
        try {
            return ResourceQuantity.parse(quantity.asText("0")).toString();
        } catch (IllegalArgumentException e) {
            return quantity.asText();
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}
