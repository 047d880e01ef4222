package io.kubus.controllers.resourcequota;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.ResourceEventHandler;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.quantity.ResourceAmounts;
import io.kubus.schema.quantity.ResourceQuantity;
import io.kubus.schema.quota.QuotaEvaluator;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Kubernetes' resource quota controller (pkg/controller/resourcequota): each quota's {@code status.hard} is its spec's
 * and its {@code status.used} is what the objects of its namespace use, measured as the ResourceQuota admission
 * measures them ({@link QuotaEvaluator}). Level-triggered: a quota is recomputed when it changes, when an object of
 * its namespace appears, goes or changes what it uses (a pod that finished), and every resync period; so a delete
 * frees what it used, and nothing charged ever outlives what exists.
 *
 * <p>The usage is counted from live lists, and the status written with the quota's resourceVersion as read before
 * them: a create charged after that read changes the quota, so the write conflicts and is recomputed; one charged
 * before it is in the lists. A stale cache never takes a charge back.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class ResourceQuotaController implements Reconciler, ManagedController {
    private final KubusApi api;
    private final Informer<ResourceQuota> quotas;
    private final Controller controller;

    public ResourceQuotaController(SharedInformers shared, KubusApi api, ControllersSettings settings) {
        this.api = api;
        this.quotas = shared.informer(ResourceTypes.RESOURCEQUOTAS, ResourceQuota.class);
        quotas.addIndex(Index.NAMESPACE);
        this.controller = settings.newController("resourcequota", this);
        controller.primary(quotas);
        for (ResourceType type : ResourceTypes.stored()) {
            if (QuotaEvaluator.counts(type)) {
                replenish(shared.informer(type, type.type()), type);
            }
        }
    }

    /** The quotas of an object's namespace are looked at again when the object changes what it uses. */
    private <T extends HasMetadata> void replenish(Informer<T> informer, ResourceType type) {
        informer.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                enqueueQuotasOf(object);
            }

            @Override
            public void onUpdate(T old, T now) {
                if (quotasOf(now).isEmpty()) {
                    return;
                }
                Instant at = Instant.now();
                if (!QuotaEvaluator.usage(type, json(old), at).equals(QuotaEvaluator.usage(type, json(now), at))) {
                    enqueueQuotasOf(now);
                }
            }

            @Override
            public void onDelete(T last) {
                enqueueQuotasOf(last);
            }
        });
    }

    private void enqueueQuotasOf(HasMetadata object) {
        quotasOf(object).forEach(controller::enqueue);
    }

    private List<String> quotasOf(HasMetadata object) {
        return quotas.byIndex(Index.NAMESPACE, Objects.requireNonNullElse(object.getMetadata().getNamespace(), ""))
                .stream().map(Informer::keyOf).toList();
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String key) {
        if (quotas.get(key).isEmpty()) {
            return Result.done();
        }
        String namespace = key.substring(0, key.indexOf('/'));
        String name = key.substring(key.indexOf('/') + 1);
        ResourceQuota quota = api.get(ResourceTypes.RESOURCEQUOTAS, namespace, name, ResourceQuota.class).orElse(null);
        if (quota == null) {
            return Result.done();
        }
        JsonNode current = json(quota);
        ResourceAmounts hard = ResourceAmounts.fromJson(current.path("spec").path("hard"));
        ResourceAmounts measured = measure(namespace, current.path("spec"), hard);
        // syncResourceQuota: what was observed before stays for resources nothing here measures, within the hard ones
        Map<String, ResourceQuantity> used = new TreeMap<>();
        ResourceAmounts.fromJson(current.path("status").path("used")).asMap().forEach((r, q) -> {
            if (hard.contains(r)) {
                used.put(r, q);
            }
        });
        used.putAll(measured.asMap());
        JsonNode status = current.path("status");
        if (status.has("hard") && status.has("used")
                && same(hard, ResourceAmounts.fromJson(status.path("hard")))
                && same(ResourceAmounts.copyOf(used), ResourceAmounts.fromJson(status.path("used")))) {
            return Result.done();
        }
        quota.setStatus(new ResourceQuotaStatus(quantities(hard), quantities(ResourceAmounts.copyOf(used))));
        try {
            api.updateStatus(ResourceTypes.RESOURCEQUOTAS, quota); // a conflict is retried with the quota read afresh
        } catch (KubusApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        return Result.done();
    }

    /** CalculateUsage: for each kind that counts toward the quota, what its objects in the namespace use. */
    private ResourceAmounts measure(String namespace, JsonNode quotaSpec, ResourceAmounts hard) {
        Instant now = Instant.now();
        ResourceAmounts measured = ResourceAmounts.empty();
        for (Map.Entry<ResourceType, List<String>> kind : QuotaEvaluator.trackingKinds(hard.asMap().keySet()).entrySet()) {
            ResourceType type = kind.getKey();
            List<JsonNode> objects = new ArrayList<>();
            api.list(type, namespace, null, null, type.type()).items().forEach(o -> objects.add(json(o)));
            measured = measured.plus(QuotaEvaluator.used(type, kind.getValue(), quotaSpec, objects, now));
        }
        return measured;
    }

    /** quota.Equals: the same resources, with equal amounts (a zero is not the same as no entry). */
    private static boolean same(ResourceAmounts a, ResourceAmounts b) {
        return a.asMap().keySet().equals(b.asMap().keySet()) && a.equals(b);
    }

    private static Map<String, Quantity> quantities(ResourceAmounts amounts) {
        Map<String, Quantity> out = new LinkedHashMap<>();
        amounts.asMap().forEach((r, q) -> out.put(r, q.toQuantity()));
        return out;
    }

    private static JsonNode json(HasMetadata object) {
        return KubusJson.json().valueToTree(object);
    }
}
