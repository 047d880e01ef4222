package io.kubus.controllers.clusterroleaggregation;

import io.fabric8.kubernetes.api.model.rbac.AggregationRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.selector.LabelSelector;
import io.kubus.schema.selector.SelectorException;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kubernetes' clusterrole-aggregation controller (pkg/controller/clusterroleaggregation): a ClusterRole with an
 * aggregationRule gets as its rules those of the ClusterRoles its selectors pick — selector by selector, the picked
 * roles in name order, each rule once — so that {@code admin}, {@code edit} and {@code view} grow with the roles
 * labelled to join them. Any ClusterRole's change may change what an aggregated one gathers, so every aggregated
 * role is looked at again on each change, as kube's controller does.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class ClusterRoleAggregationController implements Reconciler, ManagedController {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRoleAggregationController.class);

    private final KubusApi api;
    private final Informer<ClusterRole> clusterRoles;
    private final Controller controller;

    public ClusterRoleAggregationController(SharedInformers shared, KubusApi api, ControllersSettings settings) {
        this.api = api;
        this.clusterRoles = shared.informer(ResourceTypes.CLUSTERROLES, ClusterRole.class);
        this.controller = settings.newController("clusterrole-aggregation", this);
        controller.primary(clusterRoles);
        controller.watch(clusterRoles, changed -> aggregated());
    }

    private List<String> aggregated() {
        return clusterRoles.list().stream().filter(r -> r.getAggregationRule() != null).map(Informer::keyOf).toList();
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String name) {
        ClusterRole role = clusterRoles.get(name).orElse(null);
        if (role == null || role.getAggregationRule() == null) {
            return Result.done();
        }
        List<PolicyRule> rules;
        try {
            rules = gather(role.getMetadata().getName(), role.getAggregationRule());
        } catch (SelectorException e) {
            // validation refuses such selectors; one stored before that cannot be evaluated until it is fixed
            LOG.warn("ClusterRole {}: invalid aggregation selector: {}", name, e.getMessage());
            return Result.done();
        }
        if (sameRules(rules, list(role.getRules()))) {
            return Result.done();
        }
        ClusterRole next = role.toBuilder().withRules(rules).build();
        try {
            api.update(ResourceTypes.CLUSTERROLES, next); // a conflict is retried from the cache, updated meanwhile
        } catch (KubusApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        return Result.done();
    }

    /** The rules of the roles the selectors pick, other than the aggregated role itself, each once, in order. */
    private List<PolicyRule> gather(String self, AggregationRule aggregation) {
        List<PolicyRule> rules = new ArrayList<>();
        for (var selector : list(aggregation.getClusterRoleSelectors())) {
            LabelSelector matches = LabelSelector.of(selector);
            List<ClusterRole> picked = clusterRoles.list().stream()
                    .filter(r -> matches.matches(Objects.requireNonNullElse(r.getMetadata().getLabels(), Map.of())))
                    .sorted(Comparator.comparing(r -> r.getMetadata().getName()))
                    .toList();
            for (ClusterRole r : picked) {
                if (r.getMetadata().getName().equals(self)) {
                    continue;
                }
                for (PolicyRule rule : list(r.getRules())) {
                    if (rules.stream().noneMatch(have -> sameRule(have, rule))) {
                        rules.add(rule);
                    }
                }
            }
        }
        return rules;
    }

    private static boolean sameRules(List<PolicyRule> a, List<PolicyRule> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!sameRule(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** equality.Semantic.DeepEqual: an absent list equals an empty one. */
    private static boolean sameRule(PolicyRule a, PolicyRule b) {
        return list(a.getVerbs()).equals(list(b.getVerbs()))
                && list(a.getApiGroups()).equals(list(b.getApiGroups()))
                && list(a.getResources()).equals(list(b.getResources()))
                && list(a.getResourceNames()).equals(list(b.getResourceNames()))
                && list(a.getNonResourceURLs()).equals(list(b.getNonResourceURLs()));
    }

    private static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : values;
    }
}
