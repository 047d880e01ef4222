package io.kubus.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.quota.QuotaEvaluator;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Kubernetes' ResourceQuota admission plugin (k8s.io/apiserver/pkg/admission/plugin/resourcequota): a new object is
 * measured as the quota controller measures it ({@link QuotaEvaluator}), every quota of its namespace that covers it
 * is checked, and the object is refused with kube-apiserver's message when it would take a quota past its hard limit
 * ({@code pods "web" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2}). Otherwise
 * its usage is charged to each such quota's {@code status.used} in the create's own transaction: the charge commits
 * with the object or not at all, so two creates can never both take the last unit, and a create that fails later
 * leaves no charge behind. The quota controller recomputes the usage from what exists, which releases what deletes
 * free. A quota whose status the controller has not filled in yet limits nothing, as in Kubernetes.
 */
@Singleton
public class ResourceQuotaAdmission implements AdmissionPlugin {
    private final Clock clock;

    public ResourceQuotaAdmission(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void admitInTransaction(AdmissionRequest request, ObjectStore store) {
        ResourceType type = request.type();
        ObjectNode object = request.object();
        if (!QuotaEvaluator.counts(type)) {
            return;
        }
        String namespace = object.path("metadata").path("namespace").asText("");
        List<ObjectNode> quotas = store.listCommitted(ResourceTypes.RESOURCEQUOTAS, namespace);
        if (quotas.isEmpty()) {
            return;
        }
        // Refusals that concern the object whatever the usage come first, over all quotas, as in Kubernetes.
        List<String> covering = new ArrayList<>();
        for (ObjectNode quota : quotas) {
            if (applicable(request, quota)) {
                covering.add(quota.path("metadata").path("name").asText());
            }
        }
        ResourceAmounts usage = nonZero(QuotaEvaluator.usage(type, object, Instant.now(clock)));
        if (usage.isEmpty()) {
            return;
        }
        // Each quota is charged under its row lock, in name order, so that creates on several gateways queue on the
        // quotas they share instead of deadlocking, and each checks the usage the one before it left.
        for (String name : new TreeSet<>(covering)) {
            store.write(ResourceTypes.RESOURCEQUOTAS, namespace, name,
                    current -> current == null || !applicable(request, current) ? WriteOutcome.keep()
                            : charge(request, current, usage));
        }
    }

    /**
     * Whether the quota limits what the object uses, refusing the object when it states too little for the quota
     * (a pod without a cpu request under a requests.cpu quota) or when the quota's usage is not known yet.
     */
    private static boolean applicable(AdmissionRequest request, JsonNode quota) {
        ResourceType type = request.type();
        if (!QuotaEvaluator.matches(type, quota, request.object())) {
            return false;
        }
        String name = quota.path("metadata").path("name").asText();
        JsonNode status = quota.path("status");
        List<String> limited = QuotaEvaluator.matchingResources(type, names(status.path("hard")));
        String unmet = QuotaEvaluator.unmetConstraints(type, limited, request.object());
        if (!unmet.isEmpty()) {
            throw request.forbidden("failed quota: " + name + ": " + unmet);
        }
        if (!names(status.path("used")).containsAll(limited)) {
            throw request.forbidden("status unknown for quota: " + name + ", resources: "
                    + String.join(",", new TreeSet<>(limited)));
        }
        return true;
    }

    /** The quota with the object's usage added to status.used, or a refusal when that passes a hard limit. */
    private static WriteOutcome charge(AdmissionRequest request, ObjectNode quota, ResourceAmounts usage) {
        ResourceAmounts hard = ResourceAmounts.fromJson(quota.path("status").path("hard"));
        ResourceAmounts used = ResourceAmounts.fromJson(quota.path("status").path("used"));
        ResourceAmounts requested = mask(usage, hard.asMap().keySet());
        if (requested.isEmpty()) {
            return WriteOutcome.keep();
        }
        ResourceAmounts newUsed = used.plus(requested);
        List<String> exceeded = new ArrayList<>();
        for (String r : requested.asMap().keySet()) {
            if (newUsed.get(r).compareTo(hard.get(r)) > 0) {
                exceeded.add(r);
            }
        }
        if (!exceeded.isEmpty()) {
            throw request.forbidden("exceeded quota: " + quota.path("metadata").path("name").asText()
                    + ", requested: " + pretty(mask(requested, exceeded)) + ", used: " + pretty(mask(used, exceeded))
                    + ", limited: " + pretty(mask(hard, exceeded)));
        }
        ObjectNode charged = quota.deepCopy();
        ObjectNode usedJson = JsonTree.obj(charged, "status").putObject("used");
        newUsed.asMap().forEach((r, q) -> usedJson.put(r, q.toString()));
        return WriteOutcome.put(charged);
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static ResourceAmounts nonZero(ResourceAmounts amounts) {
        Map<String, ResourceQuantity> out = new TreeMap<>();
        amounts.asMap().forEach((r, q) -> {
            if (!q.isZero()) {
                out.put(r, q);
            }
        });
        return ResourceAmounts.copyOf(out);
    }

    /** quota.Mask: only the named resources. */
    private static ResourceAmounts mask(ResourceAmounts amounts, Collection<String> names) {
        Map<String, ResourceQuantity> out = new TreeMap<>();
        for (String r : names) {
            if (amounts.contains(r)) {
                out.put(r, amounts.get(r));
            }
        }
        return ResourceAmounts.copyOf(out);
    }

    /** prettyPrint: {@code name=amount} pairs in name order. */
    private static String pretty(ResourceAmounts amounts) {
        return amounts.asMap().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
