package io.kubus.gateway.auth.rbac;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.store.ObjectList;
import io.kubus.gateway.watch.StoreFollower;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.event.WatchEventType;
import io.kubus.schema.validation.GoQuote;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Roles, ClusterRoles, RoleBindings and ClusterRoleBindings in memory, and the rules they give a user
 * (pkg/registry/rbac/validation/rule.go's DefaultRuleResolver over informer listers).
 *
 * <p>Authorization asks on every request, so the bindings are filed by the subjects they name: a user's candidate
 * bindings are those filed under the user's name and each of the user's groups (a ServiceAccount subject is filed
 * under its user name, {@code system:serviceaccount:NS:NAME}), in the namespace asked about and cluster-wide.
 * Readers take no lock: the maps hold immutable values, replaced whole by the one writer (the follower).
 */
@Singleton
@Requires(env = GatewayApplication.ENVIRONMENT)
public class RbacPolicy implements StoreFollower.View {
    private static final Comparator<Binding> BY_NAME = Comparator.comparing(Binding::name);

    /** Rules of Roles by "namespace/name", of ClusterRoles by name. */
    private final Map<String, List<PolicyRule>> roles = new ConcurrentHashMap<>();
    private final Map<String, List<PolicyRule>> clusterRoles = new ConcurrentHashMap<>();
    /** Bindings by "namespace/name" ("" namespace for ClusterRoleBindings). */
    private final Map<String, Binding> bindings = new ConcurrentHashMap<>();
    /** Bindings by scope ("" cluster-wide, else the RoleBindings' namespace) and subject key, sorted by name. */
    private final Map<String, List<Binding>> bySubject = new ConcurrentHashMap<>();
    private final Set<ResourceType> loaded = ConcurrentHashMap.newKeySet();

    /** Receives the rules a user has, with where each comes from, or the error of a binding that gives none. */
    public interface RuleVisitor {
        /** @return false to stop visiting */
        boolean visit(RuleSource source, PolicyRule rule, String error);
    }

    /** The binding and the subject of it that a rule was granted through (rule.go's describers). */
    public record RuleSource(Binding binding, Subject subject) {
        /** kube's text: {@code ClusterRoleBinding "x" of ClusterRole "y" to User "z"}. */
        public String describe() {
            boolean cluster = binding.namespace().isEmpty();
            String name = cluster ? binding.name() : binding.name() + "/" + binding.namespace();
            return (cluster ? "ClusterRoleBinding " : "RoleBinding ") + GoQuote.quote(name) + " of "
                    + binding.roleRef().getKind() + " " + GoQuote.quote(binding.roleRef().getName()) + " to "
                    + describeSubject();
        }

        private String describeSubject() {
            String name = subject.getName();
            if ("ServiceAccount".equals(subject.getKind())) {
                name = name + "/" + (isEmpty(subject.getNamespace()) ? binding.namespace() : subject.getNamespace());
            }
            return subject.getKind() + " " + GoQuote.quote(name);
        }
    }

    /** A RoleBinding (namespace set) or a ClusterRoleBinding (namespace ""). */
    public record Binding(String namespace, String name, RoleRef roleRef, List<Subject> subjects) {
    }

    /** True once every one of the four kinds was loaded. */
    public boolean isLoaded() {
        return loaded.size() == RbacPolicyFollower.KINDS.size();
    }

    /** Replaces what is held of one kind by a list of it. */
    @Override
    public synchronized void replace(ResourceType type, ObjectList list) {
        Set<String> keep = new HashSet<>();
        for (ObjectNode o : list.items()) {
            keep.add(key(o));
            put(type, o);
        }
        List<String> gone = new ArrayList<>();
        if (type == ResourceTypes.ROLES) {
            roles.keySet().stream().filter(k -> !keep.contains(k)).forEach(gone::add);
        } else if (type == ResourceTypes.CLUSTERROLES) {
            clusterRoles.keySet().stream().filter(k -> !keep.contains("/" + k)).forEach(k -> gone.add("/" + k));
        } else {
            boolean cluster = type == ResourceTypes.CLUSTERROLEBINDINGS;
            bindings.values().stream().filter(b -> b.namespace().isEmpty() == cluster)
                    .map(b -> b.namespace() + "/" + b.name()).filter(k -> !keep.contains(k)).forEach(gone::add);
        }
        gone.forEach(k -> remove(type, k));
        loaded.add(type);
    }

    /** Applies one change of one of the four kinds. */
    @Override
    public synchronized void apply(ResourceType type, WatchEventType change, ObjectNode object) {
        if (change == WatchEventType.DELETED) {
            remove(type, key(object));
        } else {
            put(type, object);
        }
    }

    private void put(ResourceType type, ObjectNode object) {
        String key = key(object);
        if (type == ResourceTypes.ROLES) {
            roles.put(key, copy(convert(object, Role.class).getRules()));
        } else if (type == ResourceTypes.CLUSTERROLES) {
            clusterRoles.put(key.substring(1), copy(convert(object, ClusterRole.class).getRules()));
        } else if (type == ResourceTypes.ROLEBINDINGS) {
            RoleBinding rb = convert(object, RoleBinding.class);
            putBinding(key, new Binding(rb.getMetadata().getNamespace(), rb.getMetadata().getName(), rb.getRoleRef(),
                    copy(rb.getSubjects())));
        } else if (type == ResourceTypes.CLUSTERROLEBINDINGS) {
            ClusterRoleBinding crb = convert(object, ClusterRoleBinding.class);
            putBinding(key, new Binding("", crb.getMetadata().getName(), crb.getRoleRef(),
                    copy(crb.getSubjects())));
        }
    }

    private void remove(ResourceType type, String key) {
        if (type == ResourceTypes.ROLES) {
            roles.remove(key);
        } else if (type == ResourceTypes.CLUSTERROLES) {
            clusterRoles.remove(key.substring(1));
        } else {
            Binding old = bindings.remove(key);
            if (old != null) {
                unfile(old);
            }
        }
    }

    private void putBinding(String key, Binding binding) {
        Binding old = bindings.put(key, binding);
        if (old != null) {
            unfile(old);
        }
        for (String subject : subjectKeys(binding)) {
            bySubject.compute(binding.namespace() + "|" + subject, (k, list) -> {
                List<Binding> next = list == null ? new ArrayList<>() : new ArrayList<>(list);
                next.add(binding);
                next.sort(BY_NAME);
                return List.copyOf(next);
            });
        }
    }

    private void unfile(Binding binding) {
        for (String subject : subjectKeys(binding)) {
            bySubject.computeIfPresent(binding.namespace() + "|" + subject, (k, list) -> {
                List<Binding> next = list.stream().filter(b -> b != binding).toList();
                return next.isEmpty() ? null : next;
            });
        }
    }

    /** The keys a binding is filed under: "u:" and a user name, "g:" and a group. */
    private static Set<String> subjectKeys(Binding binding) {
        Set<String> keys = new HashSet<>();
        for (Subject s : binding.subjects()) {
            switch (Objects.requireNonNullElse(s.getKind(), "")) {
                case "User" -> keys.add("u:" + s.getName());
                case "Group" -> keys.add("g:" + s.getName());
                case "ServiceAccount" -> {
                    String ns = isEmpty(s.getNamespace()) ? binding.namespace() : s.getNamespace();
                    if (!ns.isEmpty()) {
                        keys.add("u:" + UserInfo.SERVICE_ACCOUNT_PREFIX + ns + ":" + s.getName());
                    }
                }
                default -> {
                    // an unknown kind applies to no one (appliesToUser)
                }
            }
        }
        return keys;
    }

    /**
     * VisitRulesFor: the rules of the ClusterRoleBindings that apply to the user, then, for a namespace, those of its
     * RoleBindings; each binding's in name order, through the first of its subjects that applies. A binding whose
     * role is missing is reported as an error and gives nothing.
     */
    public void visitRulesFor(UserInfo user, String namespace, RuleVisitor visitor) {
        if (!visit(user, "", visitor)) {
            return;
        }
        if (!namespace.isEmpty()) {
            visit(user, namespace, visitor);
        }
    }

    private boolean visit(UserInfo user, String scope, RuleVisitor visitor) {
        for (Binding binding : candidates(user, scope)) {
            Subject subject = firstApplying(user, binding);
            if (subject == null) {
                continue;
            }
            List<PolicyRule> rules = roleRules(scope, binding.roleRef()).orElse(null);
            if (rules == null) {
                if (!visitor.visit(null, null, roleRefError(binding.roleRef()))) {
                    return false;
                }
                continue;
            }
            RuleSource source = new RuleSource(binding, subject);
            for (PolicyRule rule : rules) {
                if (!visitor.visit(source, rule, null)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The bindings filed under the user's name or groups, once each, by name. */
    private List<Binding> candidates(UserInfo user, String scope) {
        List<Binding> byUser = bySubject.getOrDefault(scope + "|u:" + user.name(), List.of());
        List<List<Binding>> lists = new ArrayList<>(1 + user.groups().size());
        lists.add(byUser);
        for (String group : user.groups()) {
            List<Binding> l = bySubject.get(scope + "|g:" + group);
            if (l != null) {
                lists.add(l);
            }
        }
        if (lists.size() == 1) {
            return byUser;
        }
        List<Binding> all = new ArrayList<>();
        lists.forEach(all::addAll);
        all.sort(BY_NAME);
        List<Binding> unique = new ArrayList<>(all.size());
        for (Binding b : all) {
            if (unique.isEmpty() || unique.getLast() != b) {
                unique.add(b);
            }
        }
        return unique;
    }

    /** appliesTo: the first subject naming the user, one of its groups, or its service account. */
    private static Subject firstApplying(UserInfo user, Binding binding) {
        for (Subject s : binding.subjects()) {
            boolean applies = switch (Objects.requireNonNullElse(s.getKind(), "")) {
                case "User" -> user.name().equals(s.getName());
                case "Group" -> user.inGroup(s.getName());
                case "ServiceAccount" -> {
                    String ns = isEmpty(s.getNamespace()) ? binding.namespace() : s.getNamespace();
                    yield !ns.isEmpty() && user.name().equals(UserInfo.SERVICE_ACCOUNT_PREFIX + ns + ":" + s.getName());
                }
                default -> false;
            };
            if (applies) {
                return s;
            }
        }
        return null;
    }

    /** GetRoleReferenceRules: the rules of the role a binding in {@code namespace} ("" cluster-wide) refers to. */
    public Optional<List<PolicyRule>> roleRules(String namespace, RoleRef ref) {
        return Optional.ofNullable(switch (Objects.requireNonNullElse(ref.getKind(), "")) {
            case "Role" -> roles.get(namespace + "/" + ref.getName());
            case "ClusterRole" -> clusterRoles.get(ref.getName());
            default -> null;
        });
    }

    /** GetRoleReferenceRules' errors, as kube-apiserver words them. */
    static String roleRefError(RoleRef ref) {
        return switch (Objects.requireNonNullElse(ref.getKind(), "")) {
            case "Role" -> "roles.rbac.authorization.k8s.io " + GoQuote.quote(ref.getName()) + " not found";
            case "ClusterRole" -> "clusterroles.rbac.authorization.k8s.io " + GoQuote.quote(ref.getName()) + " not found";
            default -> "unsupported role reference kind: " + GoQuote.quote(ref.getKind());
        };
    }

    private static String key(ObjectNode object) {
        return object.path("metadata").path("namespace").asText("") + "/" + object.path("metadata").path("name").asText();
    }

    private static <T> T convert(ObjectNode object, Class<T> type) {
        return KubusJson.json().convertValue(object, type);
    }

    /** An absent list ("rules": null, as an aggregated ClusterRole may have) is an empty one. */
    private static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
