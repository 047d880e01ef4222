package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import jakarta.inject.Singleton;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.kubus.gateway.registry.JsonTree.objects;

/**
 * LimitRanges (pkg/registry/core/limitrange): per namespace, the bounds and defaults of what a container, a pod or a
 * claim may ask for; the LimitRanger admission plugin applies them to new pods and claims. printers.go has no columns
 * for them: kube-apiserver's default table (name, created at) prints them.
 */
@Singleton
public class LimitRangeStrategy implements Strategy {
    private static final String CONTAINER = "Container";
    private static final String POD = "Pod";
    private static final String CLAIM = "PersistentVolumeClaim";
    @Override
    public ResourceType type() {
        return ResourceTypes.LIMITRANGES;
    }

    /**
     * SetDefaults_LimitRangeItem: a container's default limit is its max, its default request the default limit, or
     * else the min, for each resource the item bounds.
     */
    @Override
    public void defaults(ObjectNode limitRange) {
        for (ObjectNode item : objects(limitRange.path("spec"), "limits")) {
            if (!CONTAINER.equals(JsonTree.text(item, "type"))) {
                continue;
            }
            copyMissing(item, "max", "default");
            copyMissing(item, "default", "defaultRequest");
            copyMissing(item, "min", "defaultRequest");
        }
    }

    private static void copyMissing(ObjectNode item, String from, String to) {
        JsonNode source = item.path(from);
        if (source.isEmpty()) {
            return;
        }
        ObjectNode target = JsonTree.obj(item, to);
        source.properties().forEach(e -> {
            // an amount that is no quantity is refused where it was written, not also where it would be copied
            if (!target.has(e.getKey()) && ResourceNames.quantity(e.getValue().asText(), "", new ErrorList()) != null) {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        });
    }

    /** ValidateLimitRange. */
    @Override
    public void validate(ObjectNode limitRange, ErrorList errs) {
        Set<String> types = new HashSet<>();
        List<ObjectNode> items = objects(limitRange.path("spec"), "limits");
        for (int i = 0; i < items.size(); i++) {
            item(items.get(i), "spec.limits[" + i + "]", types, errs);
        }
    }

    private static void item(ObjectNode item, String path, Set<String> types, ErrorList errs) {
        String type = JsonTree.text(item, "type");
        ResourceNames.limitType(type, path + ".type", errs);
        if (!types.add(type)) {
            errs.duplicate(path + ".type", type);
        }
        Map<String, ResourceQuantity> max = bounds(item, "max", type, path, errs);
        Map<String, ResourceQuantity> min = bounds(item, "min", type, path, errs);
        Map<String, ResourceQuantity> defaults = new HashMap<>();
        Map<String, ResourceQuantity> defaultRequests = new HashMap<>();
        if (type.equals(POD)) {
            if (!item.path("default").isEmpty()) {
                errs.forbidden(path + ".default", "may not be specified when `type` is 'Pod'");
            }
            if (!item.path("defaultRequest").isEmpty()) {
                errs.forbidden(path + ".defaultRequest", "may not be specified when `type` is 'Pod'");
            }
        } else {
            defaults = bounds(item, "default", type, path, errs);
            defaultRequests = bounds(item, "defaultRequest", type, path, errs);
        }
        if (type.equals(CLAIM) && !item.path("min").has("storage") && !item.path("max").has("storage")) {
            errs.required(path + ".limits", "either minimum or maximum storage value is required, but neither was provided");
        }
        Map<String, ResourceQuantity> ratios = bounds(item, "maxLimitRequestRatio", type, path, errs);
        Set<String> keys = new TreeSet<>(max.keySet());
        keys.addAll(min.keySet());
        keys.addAll(defaults.keySet());
        keys.addAll(defaultRequests.keySet());
        keys.addAll(ratios.keySet());
        for (String k : keys) {
            compare(k, path, min.get(k), max.get(k), defaults.get(k), defaultRequests.get(k), ratios.get(k), errs);
        }
    }

    /** One map of the item (max, min, ...): its resource names checked for the item's type, its amounts parsed. */
    private static Map<String, ResourceQuantity> bounds(ObjectNode item, String field, String type, String path,
                                                        ErrorList errs) {
        Map<String, ResourceQuantity> out = new HashMap<>();
        item.path(field).properties().forEach(e -> {
            String p = path + "." + field + "[" + e.getKey() + "]";
            // validateLimitRangeResourceName: pods and containers take container resources, other types any
            if (type.equals(POD) || type.equals(CONTAINER)) {
                ResourceNames.containerResourceName(e.getKey(), p, errs);
            } else {
                ResourceNames.resourceName(e.getKey(), p, errs);
            }
            ResourceQuantity q = ResourceNames.quantity(e.getValue().asText(), p, errs);
            if (q != null) {
                out.put(e.getKey(), q);
            }
        });
        return out;
    }

    /** min <= defaultRequest <= default <= max, and a ratio of at least 1 that max/min leaves room for. */
    private static void compare(String k, String path, ResourceQuantity min, ResourceQuantity max, ResourceQuantity def,
                                ResourceQuantity defReq, ResourceQuantity ratio, ErrorList errs) {
        String key = "[" + k + "]";
        if (min != null && max != null && min.compareTo(max) > 0) {
            errs.invalid(path + ".min" + key, go(min), "min value " + min + " is greater than max value " + max);
        }
        if (defReq != null && min != null && min.compareTo(defReq) > 0) {
            errs.invalid(path + ".defaultRequest" + key, go(defReq),
                    "min value " + min + " is greater than default request value " + defReq);
        }
        if (defReq != null && max != null && defReq.compareTo(max) > 0) {
            errs.invalid(path + ".defaultRequest" + key, go(defReq),
                    "default request value " + defReq + " is greater than max value " + max);
        }
        if (defReq != null && def != null && defReq.compareTo(def) > 0) {
            errs.invalid(path + ".defaultRequest" + key, go(defReq),
                    "default request value " + defReq + " is greater than default limit value " + def);
        }
        if (def != null && min != null && min.compareTo(def) > 0) {
            errs.invalid(path + ".default" + key, go(min), "min value " + min + " is greater than default value " + def);
        }
        if (def != null && max != null && def.compareTo(max) > 0) {
            errs.invalid(path + ".default" + key, go(max), "default value " + def + " is greater than max value " + max);
        }
        if (ratio != null && ratio.compareTo(ResourceQuantity.ofLong(1)) < 0) {
            errs.invalid(path + ".maxLimitRequestRatio" + key, go(ratio), "ratio " + ratio + " is less than 1");
        }
        if (ratio != null && min != null && max != null && !min.isZero()) {
            BigDecimal room = max.value().divide(min.value(), MathContext.DECIMAL64);
            if (ratio.value().compareTo(room) > 0) {
                errs.invalid(path + ".maxLimitRequestRatio" + key, go(ratio), "ratio " + ratio
                        + " is greater than max/min = " + String.format(Locale.ROOT, "%f", room.doubleValue()));
            }
        }
        if (!ResourceNames.isOvercommitAllowed(k) && def != null && defReq != null && def.compareTo(defReq) != 0) {
            errs.invalid(path + ".defaultRequest" + key, go(defReq), "default value " + def
                    + " must equal to defaultRequest value " + defReq + " in " + k);
        }
    }

    /** A quantity as a field error shows it: its String(), unquoted. */
    private static GoValue go(ResourceQuantity q) {
        return new GoValue(q.toString());
    }
}
