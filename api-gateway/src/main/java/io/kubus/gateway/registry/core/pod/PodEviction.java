package io.kubus.gateway.registry.core.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.kubus.gateway.admission.StrictDecoder;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.api.ApiPath;
import io.kubus.gateway.api.ApiRequest;
import io.kubus.gateway.api.ApiResponse;
import io.kubus.gateway.api.DeleteRequest;
import io.kubus.gateway.api.GenericRegistry;
import io.kubus.gateway.api.RequestBodies;
import io.kubus.gateway.api.Subresource;
import io.kubus.gateway.registry.Conditions;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.LabelSelectors;
import io.kubus.gateway.store.ObjectStore;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.pod.PodPhases;
import io.kubus.schema.policy.DisruptionBudgets;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code POST pods/NAME/eviction} (kube-apiserver's EvictionREST, Kubernetes 1.32): deletes the pod, as its
 * DeleteOptions ask, unless that would take more of its application down than its PodDisruptionBudget allows; then
 * 429 TooManyRequests, which kubectl drain retries. An allowed eviction takes one from the budget's
 * {@code status.disruptionsAllowed} and records the pod in {@code status.disruptedPods}, in the same store
 * transaction as the pod's deletion: two evictions can never both spend the budget's last disruption. The pod gets
 * the {@code DisruptionTarget} condition in that write.
 *
 * <p>Kubernetes decrements the budget and then deletes the pod in two writes, retrying on conflicts; here the pod is
 * read, the budgets found, and then pod and budget are locked, checked again and written together. A pod that
 * changed in between (a new status report, a label) makes the eviction start over.
 */
@Singleton
public class PodEviction implements Subresource {
    /** EvictionREST's MaxDisruptedPodSize: evictions the disruption controller has not confirmed yet. */
    static final int MAX_DISRUPTED_PODS = 2000;
    private static final Set<String> API_VERSIONS = Set.of("policy/v1", "policy/v1beta1");
    private static final String BUDGET_VIOLATED = "Cannot evict pod as it would violate the pod's disruption budget.";
    /** EvictionsRetry allows 20 attempts. */
    private static final int ATTEMPTS = 20;

    private final GenericRegistry registry;
    private final RequestBodies bodies;
    private final Clock clock;
    private final StrictDecoder decoder = new StrictDecoder();

    public PodEviction(GenericRegistry registry, RequestBodies bodies, Clock clock) {
        this.registry = registry;
        this.bodies = bodies;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "eviction";
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("POST")) {
            throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        ObjectNode eviction = eviction(request);
        boolean dryRun = GenericRegistry.isDryRun(request.query());
        DeleteRequest options = DeleteRequest.of(JsonTree.objOrNull(eviction, "deleteOptions"), request.query());
        evict(request.path(), options, dryRun || options.dryRun());
        return registry.created(request.format());
    }

    /** The Eviction of the body, decoded and checked against the URL as the create handler and EvictionREST do. */
    private ObjectNode eviction(ApiRequest request) {
        ApiPath path = request.path();
        JsonNode node = bodies.json(request.contentType(), request.body());
        if (!(node instanceof ObjectNode eviction)) {
            throw ApiException.badRequest("the body must be a JSON object describing an Eviction, not "
                    + node.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        String apiVersion = eviction.path("apiVersion").asText("");
        String kind = eviction.path("kind").asText("");
        if (!apiVersion.isEmpty() && !API_VERSIONS.contains(apiVersion)) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (policy/v1)");
        }
        if (!kind.isEmpty() && !kind.equals("Eviction")) {
            throw ApiException.badRequest(kind + " in version \"" + apiVersion + "\" cannot be handled as a Eviction: "
                    + "the kind in the body is not Eviction");
        }
        decoder.decode("Eviction", apiVersion.isEmpty() ? "v1" : apiVersion.substring(apiVersion.indexOf('/') + 1),
                eviction, Eviction.class);
        ObjectNode meta = GenericRegistry.metadata(eviction);
        GenericRegistry.bindNamespace(path, meta);
        if (!path.name().equals(meta.path("name").asText(""))) {
            throw ApiException.badRequest("name in URL does not match name in Eviction object");
        }
        return eviction;
    }

    /** Evicts as {@link #attempt} decides, starting over while the pod or its budget changes under it. */
    private void evict(ApiPath path, DeleteRequest options, boolean dryRun) {
        String budget = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            try {
                attempt(path.namespace(), path.name(), options, dryRun);
                return;
            } catch (RuntimeException e) {
                Changed changed = changed(e);
                if (changed == null) {
                    throw e;
                }
                budget = changed.budget;
            }
        }
        // errors.NewTimeoutError, as EvictionREST gives up after its retries
        throw ApiException.of(504, "Timeout", "Timeout: " + (budget == null
                ? "couldn't evict pod \"" + path.name() + "\" due to conflicts"
                : "couldn't update PodDisruptionBudget \"" + budget + "\" due to conflicts"),
                new StatusDetailsBuilder().withRetryAfterSeconds(10).build());
    }

    private void attempt(String namespace, String name, DeleteRequest options, boolean dryRun) {
        ObjectStore store = registry.store();
        ObjectNode pod = store.get(ResourceTypes.PODS, namespace, name)
                .orElseThrow(() -> ApiException.notFound(ResourceTypes.PODS, name));
        List<ObjectStore.Write> writes = new ArrayList<>();
        writes.add(new ObjectStore.Write(ResourceTypes.PODS, namespace, name, current -> {
            if (current == null) {
                throw ApiException.notFound(ResourceTypes.PODS, name);
            }
            options.checkPreconditions(ResourceTypes.PODS, name, current);
            if (!version(current).equals(version(pod))) {
                throw new Changed(null);
            }
            return dryRun ? WriteOutcome.keep()
                    : registry.deletion(ResourceTypes.PODS, withDisruptionTarget(current), options);
        }));
        // A pod that is finished, pending or already going has caused its disruption: no budget is consulted.
        if (!canIgnoreBudget(pod)) {
            List<ObjectNode> budgets = budgetsOf(pod, store.list(ResourceTypes.PODDISRUPTIONBUDGETS, namespace).items());
            if (budgets.size() > 1) {
                throw ApiException.of(500, null, "This pod has more than one PodDisruptionBudget, which the eviction "
                        + "subresource does not support.", null);
            }
            if (budgets.size() == 1) {
                String budget = budgets.getFirst().path("metadata").path("name").asText();
                writes.add(new ObjectStore.Write(ResourceTypes.PODDISRUPTIONBUDGETS, namespace, budget,
                        current -> spend(current, pod, budget, dryRun)));
            }
        }
        // The pod's write comes first: a budget that refuses rolls the pod's deletion back with it.
        store.writeAll(writes);
    }

    /**
     * What the eviction does to the pod's budget, on the budget as stored now: nothing for an unready pod the budget
     * lets go (unhealthyPodEvictionPolicy), else one disruption taken from it (EvictionREST's checkAndDecrement), or
     * a refusal.
     */
    private WriteOutcome spend(@Nullable ObjectNode pdb, ObjectNode pod, String budget, boolean dryRun) {
        if (pdb == null || budgetsOf(pod, List.of(pdb)).isEmpty()) {
            throw new Changed(budget);
        }
        JsonNode status = pdb.path("status");
        if (!isReady(pod)) {
            if ("AlwaysAllow".equals(pdb.path("spec").path("unhealthyPodEvictionPolicy").asText())) {
                return WriteOutcome.keep();
            }
            // IfHealthyBudget: an unready pod counts for nothing, so it goes while the application is not disrupted
            long desired = status.path("desiredHealthy").asLong(0);
            if (status.path("currentHealthy").asLong(0) >= desired && desired > 0) {
                return WriteOutcome.keep();
            }
        }
        if (status.path("observedGeneration").asLong(0) < pdb.path("metadata").path("generation").asLong(0)) {
            throw tooManyRequests("The disruption budget " + budget + " is still being processed by the server.", 10);
        }
        long allowed = status.path("disruptionsAllowed").asLong(0);
        if (allowed < 0) {
            throw forbidden(budget, "pdb disruptions allowed is negative");
        }
        if (status.path("disruptedPods").size() > MAX_DISRUPTED_PODS) {
            throw forbidden(budget, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
        }
        if (allowed == 0) {
            throw tooManyRequests("The disruption budget " + budget + " needs " + status.path("desiredHealthy").asLong(0)
                    + " healthy pods and has " + status.path("currentHealthy").asLong(0) + " currently", 0);
        }
        if (dryRun) {
            return WriteOutcome.keep();
        }
        Instant now = Instant.now(clock);
        ObjectNode next = pdb.deepCopy();
        ObjectNode nextStatus = JsonTree.obj(next, "status");
        nextStatus.put("disruptionsAllowed", allowed - 1);
        if (allowed - 1 == 0) {
            DisruptionBudgets.updateDisruptionAllowedCondition(nextStatus, now);
        }
        // The disruption controller counts the pod as gone from now on, and forgets it if it is not deleted in time.
        JsonTree.obj(nextStatus, "disruptedPods").put(pod.path("metadata").path("name").asText(),
                now.truncatedTo(ChronoUnit.SECONDS).toString());
        return WriteOutcome.put(next);
    }

    /** The budgets in the pod's namespace whose selector selects it (a budget without a selector selects nothing). */
    private static List<ObjectNode> budgetsOf(ObjectNode pod, List<ObjectNode> budgets) {
        var labels = LabelSelectors.labels(pod.path("metadata").get("labels"));
        return budgets.stream().filter(b -> LabelSelectors.of(b.path("spec").get("selector")).matches(labels)).toList();
    }

    /** canIgnorePDB. */
    private static boolean canIgnoreBudget(ObjectNode pod) {
        String phase = pod.path("status").path("phase").asText("");
        return PodPhases.isTerminal(phase) || phase.equals("Pending")
                || pod.path("metadata").hasNonNull("deletionTimestamp");
    }

    private static boolean isReady(ObjectNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return "True".equals(c.path("status").asText());
            }
        }
        return false;
    }

    /** The pod with the condition an eviction leaves on it (addConditionAndDeletePod). */
    private ObjectNode withDisruptionTarget(ObjectNode pod) {
        ObjectNode next = pod.deepCopy();
        Conditions.set(next, "DisruptionTarget", "True", "EvictionByEvictionAPI", "Eviction API: evicting",
                registry.now(), true);
        return next;
    }

    private static String version(JsonNode object) {
        return object.path("metadata").path("resourceVersion").asText("");
    }

    private static ApiException tooManyRequests(String cause, int retryAfterSeconds) {
        return ApiException.of(429, "TooManyRequests", BUDGET_VIOLATED, new StatusDetailsBuilder()
                .withRetryAfterSeconds(retryAfterSeconds == 0 ? null : retryAfterSeconds)
                .withCauses(ApiException.cause("DisruptionBudget", null, cause)).build());
    }

    /** errors.NewForbidden of the resource "poddisruptionbudget" (singular, as EvictionREST names it). */
    private static ApiException forbidden(String budget, String why) {
        return ApiException.of(403, "Forbidden", "poddisruptionbudget.policy \"" + budget + "\" is forbidden: " + why,
                new StatusDetailsBuilder().withName(budget).withGroup("policy").withKind("poddisruptionbudget").build());
    }

    /** The Changed behind a failed attempt, through the store's transaction wrapper; null for a real failure. */
    private static @Nullable Changed changed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Changed c) {
                return c;
            }
        }
        return null;
    }

    /**
     * Thrown in the transaction when the pod or its budget ({@code budget}, null for the pod) is not what the eviction
     * was decided on: the transaction rolls back and the eviction starts over.
     */
    private static final class Changed extends RuntimeException {
        private final @Nullable String budget;

        Changed(@Nullable String budget) {
            super(null, null, false, false);
            this.budget = budget;
        }
    }
}
