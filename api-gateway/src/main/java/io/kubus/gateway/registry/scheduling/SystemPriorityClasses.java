package io.kubus.gateway.registry.scheduling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.micronaut.core.annotation.Nullable;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The priority classes every cluster has (pkg/apis/scheduling/v1/helpers.go): made at start, never deleted, and the
 * only ones whose names may start with {@code system-} or whose value exceeds what users may set.
 */
public final class SystemPriorityClasses {
    /** scheduling.SystemCriticalPriority: twice the highest value a user may give a class. */
    static final long SYSTEM_CRITICAL = 2 * PriorityClassStrategy.HIGHEST_USER_DEFINABLE;

    private record SystemClass(String name, long value, String description) {
    }

    private static final List<SystemClass> CLASSES = List.of(
            new SystemClass("system-node-critical", SYSTEM_CRITICAL + 1000,
                    "Used for system critical pods that must not be moved from their current node."),
            new SystemClass("system-cluster-critical", SYSTEM_CRITICAL,
                    "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."));

    public static final Set<String> NAMES = CLASSES.stream().map(SystemClass::name).collect(Collectors.toUnmodifiableSet());

    private SystemPriorityClasses() {
    }

    /**
     * IsKnownSystemPriorityClass: null when a class of this name, value and globalDefault is one of the system classes,
     * else why not, in Kubernetes' words.
     */
    static @Nullable String whyNotKnown(String name, long value, boolean globalDefault) {
        for (SystemClass c : CLASSES) {
            if (c.name().equals(name)) {
                if (c.value() != value) {
                    return "value of " + name + " PriorityClass must be " + c.value();
                }
                if (globalDefault) {
                    return "globalDefault of " + name + " PriorityClass must be false";
                }
                return null;
            }
        }
        return name + " is not a known system priority class";
    }

    /** The system classes as a client would create them (the server adds its metadata and defaults). */
    public static List<ObjectNode> objects() {
        return CLASSES.stream().map(c -> {
            ObjectNode pc = JsonTree.F.objectNode();
            pc.put("apiVersion", "scheduling.k8s.io/v1");
            pc.put("kind", "PriorityClass");
            pc.putObject("metadata").put("name", c.name());
            pc.put("value", c.value());
            pc.put("description", c.description());
            return pc;
        }).toList();
    }
}
