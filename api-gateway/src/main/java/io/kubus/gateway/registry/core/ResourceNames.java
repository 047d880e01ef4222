package io.kubus.gateway.registry.core;

import io.kubus.schema.quantity.QuantityFormatException;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.quota.QuotaEvaluator;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.Names;
import io.micronaut.core.annotation.Nullable;

import java.math.BigDecimal;
import java.util.Set;

/**
 * The rules for resource names and amounts that resource lists share (containers' requests and limits, a quota's
 * hard limits, a LimitRange's bounds), as pkg/apis/core/helper and the validateResourceName family of
 * pkg/apis/core/validation state them, with their messages.
 */
public final class ResourceNames {
    private static final Set<String> STANDARD_CONTAINER = Set.of("cpu", "memory", "ephemeral-storage");
    private static final Set<String> STANDARD_QUOTA = Set.of("cpu", "memory", "ephemeral-storage", "requests.cpu",
            "requests.memory", "requests.storage", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
            "limits.ephemeral-storage", "pods", "resourcequotas", "services", "replicationcontrollers", "secrets",
            "persistentvolumeclaims", "configmaps", "services.nodeports", "services.loadbalancers");
    private static final Set<String> STANDARD = Set.of("cpu", "memory", "ephemeral-storage", "requests.cpu",
            "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
            "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
            "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports", "services.loadbalancers");
    private static final Set<String> INTEGER = Set.of("pods", "resourcequotas", "services", "replicationcontrollers",
            "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers");
    private static final Set<String> LIMIT_TYPES = Set.of("Pod", "Container", "PersistentVolumeClaim");

    private ResourceNames() {
    }

    /** validateResourceName: a qualified name, and a standard resource unless it is fully qualified (has a '/'). */
    public static boolean resourceName(String name, String path, ErrorList errs) {
        return qualifiedThen(name, path, errs, STANDARD.contains(name) || isQuotaHugePage(name),
                "must be a standard resource type or fully qualified");
    }

    /** ValidateResourceQuotaResourceName: a resource name, and one quota tracks unless fully qualified. */
    public static void quotaResourceName(String name, String path, ErrorList errs) {
        resourceName(name, path, errs);
        if (!name.contains("/") && !isStandardQuota(name)) {
            errs.invalid(path, name, "must be a standard resource for quota");
        }
    }

    /** validateContainerResourceName: what a container may request, or a well-formed extended resource. */
    public static void containerResourceName(String name, String path, ErrorList errs) {
        resourceName(name, path, errs);
        if (!name.contains("/")) {
            if (!STANDARD_CONTAINER.contains(name) && !name.startsWith("hugepages-")) {
                errs.invalid(path, name, "must be a standard resource for containers");
            }
        } else if (!QuotaEvaluator.isNative(name) && !QuotaEvaluator.isExtended(name)) {
            errs.invalid(path, name, "doesn't follow extended resource name standard");
        }
    }

    /** validateLimitRangeTypeName: Pod, Container, PersistentVolumeClaim, or a fully qualified type. */
    public static void limitType(String type, String path, ErrorList errs) {
        qualifiedThen(type, path, errs, LIMIT_TYPES.contains(type), "must be a standard limit type or fully qualified");
    }

    private static boolean qualifiedThen(String value, String path, ErrorList errs, boolean standard, String notStandard) {
        var msgs = Names.qualifiedName(value);
        if (!msgs.isEmpty()) {
            errs.invalidEach(path, value, msgs);
            return false;
        }
        if (!value.contains("/") && !standard) {
            errs.invalid(path, value, notStandard);
            return false;
        }
        return true;
    }

    /** IsStandardQuotaResourceName. */
    public static boolean isStandardQuota(String name) {
        return STANDARD_QUOTA.contains(name) || isQuotaHugePage(name);
    }

    private static boolean isQuotaHugePage(String name) {
        return name.startsWith("hugepages-") || name.startsWith("requests.hugepages-");
    }

    /** IsOvercommitAllowed: requests may stay below limits except for hugepages and extended resources. */
    public static boolean isOvercommitAllowed(String name) {
        return QuotaEvaluator.isNative(name) && !name.startsWith("hugepages-");
    }

    /**
     * ValidateResourceQuantityValue: an amount that parses, is not negative and, for resources counted in whole
     * units (pods, services, extended resources), has no fraction. The parsed amount, or null when it is not one.
     */
    public static @Nullable ResourceQuantity quantityValue(String resource, String text, String path, ErrorList errs) {
        ResourceQuantity q = quantity(text, path, errs);
        if (q == null) {
            return null;
        }
        if (q.isNegative()) {
            errs.invalid(path, q.toString(), "must be greater than or equal to 0");
        }
        if ((INTEGER.contains(resource) || QuotaEvaluator.isExtended(resource))
                && q.value().remainder(BigDecimal.ONE).signum() != 0) {
            errs.invalid(path, new GoValue(q.toString()), "must be an integer");
        }
        return q;
    }

    /** A quantity, or null when the text is not one (which validation reports where the field is checked). */
    public static @Nullable ResourceQuantity quantity(String text) {
        try {
            return ResourceQuantity.parse(text);
        } catch (QuantityFormatException e) {
            return null;
        }
    }

    /**
     * A quantity as the decoder reads it: one that does not parse is refused naming the field (kube-apiserver refuses
     * it while decoding the body, with the same message). Null when it is not one.
     */
    public static @Nullable ResourceQuantity quantity(String text, String path, ErrorList errs) {
        try {
            return ResourceQuantity.parse(text);
        } catch (QuantityFormatException e) {
            errs.invalid(path, text, e.getMessage());
            return null;
        }
    }
}
