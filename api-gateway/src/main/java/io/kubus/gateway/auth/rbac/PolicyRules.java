package io.kubus.gateway.auth.rbac;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kubus.gateway.auth.RequestAttributes;

import java.util.ArrayList;
import java.util.List;

/**
 * How one policy rule applies to a request (pkg/registry/rbac/validation/rule.go's RuleAllows and
 * pkg/apis/rbac/v1/evaluation_helpers.go), and whether some rules cover others (policy_comparator.go's Covers, used
 * to reconcile the bootstrap roles). Pure functions over fabric8's PolicyRule, whose absent lists are empty.
 */
public final class PolicyRules {
    static final String ALL = "*";

    private PolicyRules() {
    }

    /** RuleAllows: a resource request matches verb, group, resource (with subresource) and name; others the path. */
    public static boolean allows(RequestAttributes request, PolicyRule rule) {
        if (!verbMatches(rule, request.verb())) {
            return false;
        }
        if (!request.resourceRequest()) {
            return nonResourceUrlMatches(rule, request.path());
        }
        String combined = request.subresource().isEmpty() ? request.resource()
                : request.resource() + "/" + request.subresource();
        return hasOrAll(list(rule.getApiGroups()), request.apiGroup())
                && resourceMatches(rule, combined, request.subresource())
                && resourceNameMatches(rule, request.name());
    }

    static boolean verbMatches(PolicyRule rule, String verb) {
        return hasOrAll(list(rule.getVerbs()), verb);
    }

    /** A rule's resource matches "*", the exact resource or resource/subresource, or "*&#47;subresource". */
    static boolean resourceMatches(PolicyRule rule, String combined, String subresource) {
        for (String resource : list(rule.getResources())) {
            if (resource.equals(ALL) || resource.equals(combined)) {
                return true;
            }
            if (!subresource.isEmpty() && resource.length() == subresource.length() + 2
                    && resource.startsWith("*/") && resource.endsWith(subresource)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Names restrict a rule to requests for those objects: a rule with names never matches a request without one
     * (a list, a create), as in Kubernetes.
     */
    static boolean resourceNameMatches(PolicyRule rule, String name) {
        List<String> names = list(rule.getResourceNames());
        return names.isEmpty() || names.contains(name);
    }

    /** A non-resource URL matches exactly, or by prefix when the rule's URL ends in "*". */
    static boolean nonResourceUrlMatches(PolicyRule rule, String path) {
        for (String url : list(rule.getNonResourceURLs())) {
            if (url.equals(ALL) || url.equals(path) || urlCovers(url, path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean urlCovers(String owner, String path) {
        return owner.equals(path) || owner.endsWith("*") && path.startsWith(stripStars(owner));
    }

    /** Go's strings.TrimRight(s, "*"). */
    private static String stripStars(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '*') {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * Covers: the servant rules broken down into single-verb, single-resource (or single-URL) rules, each kept
     * when no owner rule covers it. Empty when the owner rules cover all of the servant's.
     */
    public static List<PolicyRule> uncovered(List<PolicyRule> owner, List<PolicyRule> servant) {
        List<PolicyRule> missing = new ArrayList<>();
        for (PolicyRule rule : servant) {
            for (PolicyRule sub : breakdown(rule)) {
                if (owner.stream().noneMatch(o -> covers(o, sub))) {
                    missing.add(sub);
                }
            }
        }
        return missing;
    }

    /** BreakdownRule: one rule per group, resource, verb and name; one per URL and verb. */
    static List<PolicyRule> breakdown(PolicyRule rule) {
        List<PolicyRule> out = new ArrayList<>();
        List<String> names = list(rule.getResourceNames());
        for (String group : list(rule.getApiGroups())) {
            for (String resource : list(rule.getResources())) {
                for (String verb : list(rule.getVerbs())) {
                    if (names.isEmpty()) {
                        out.add(rule(List.of(group), List.of(resource), List.of(), List.of(), List.of(verb)));
                    }
                    for (String name : names) {
                        out.add(rule(List.of(group), List.of(resource), List.of(name), List.of(), List.of(verb)));
                    }
                }
            }
        }
        for (String url : list(rule.getNonResourceURLs())) {
            for (String verb : list(rule.getVerbs())) {
                out.add(rule(List.of(), List.of(), List.of(), List.of(url), List.of(verb)));
            }
        }
        return out;
    }

    /** ruleCovers, for a broken-down rule. */
    private static boolean covers(PolicyRule owner, PolicyRule sub) {
        List<String> ownerNames = list(owner.getResourceNames());
        List<String> subNames = list(sub.getResourceNames());
        boolean names = ownerNames.isEmpty() || !subNames.isEmpty() && ownerNames.containsAll(subNames);
        return hasAllOrAll(list(owner.getVerbs()), list(sub.getVerbs()))
                && hasAllOrAll(list(owner.getApiGroups()), list(sub.getApiGroups()))
                && resourcesCover(list(owner.getResources()), list(sub.getResources()))
                && list(sub.getNonResourceURLs()).stream()
                        .allMatch(p -> list(owner.getNonResourceURLs()).stream().anyMatch(o -> urlCovers(o, p)))
                && names;
    }

    private static boolean resourcesCover(List<String> owner, List<String> resources) {
        if (owner.contains(ALL)) {
            return true;
        }
        for (String resource : resources) {
            int slash = resource.indexOf('/');
            if (!owner.contains(resource) && (slash < 0 || !owner.contains("*" + resource.substring(slash)))) {
                return false;
            }
        }
        return true;
    }

    static PolicyRule rule(List<String> apiGroups, List<String> resources, List<String> resourceNames,
                           List<String> urls, List<String> verbs) {
        return new PolicyRule(new ArrayList<>(apiGroups), new ArrayList<>(urls), new ArrayList<>(resourceNames),
                new ArrayList<>(resources), new ArrayList<>(verbs));
    }

    private static boolean hasOrAll(List<String> set, String value) {
        return set.contains(ALL) || set.contains(value);
    }

    private static boolean hasAllOrAll(List<String> set, List<String> values) {
        return set.contains(ALL) || set.containsAll(values);
    }

    static List<String> list(List<String> values) {
        return values == null ? List.of() : values;
    }
}
