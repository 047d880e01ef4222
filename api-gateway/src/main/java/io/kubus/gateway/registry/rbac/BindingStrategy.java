package io.kubus.gateway.registry.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.ErrorList.GoValue;
import io.kubus.schema.validation.GoQuote;
import io.kubus.schema.validation.Names;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.kubus.gateway.registry.JsonTree.def;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.objects;
import static io.kubus.gateway.registry.JsonTree.text;
import static io.kubus.gateway.table.Cells.name;

/**
 * RoleBindings and ClusterRoleBindings: a roleRef naming the role whose rules the subjects (users, groups, service
 * accounts) get, which can never change (a different grant is a different binding), and the binding's columns.
 */
abstract class BindingStrategy extends RbacStrategy {
    private static final List<String> SUBJECT_KINDS = List.of("ServiceAccount", "User", "Group");

    private final List<String> roleKinds;
    private final TablePrinter printer;

    /**
     * @param roleKinds the kinds the roleRef may name
     * @param roleRefDoc the API documentation of the kind's roleRef, the Role column's description
     * @param kindName   how printers.go names the kind in the subject columns' descriptions
     */
    BindingStrategy(List<String> roleKinds, String roleRefDoc, String kindName) {
        this.roleKinds = roleKinds;
        this.printer = new KindPrinter(KindPrinter.columns(
                "Role", "string", roleRefDoc,
                "Age", "string", TablePrinters.AGE,
                "Users*", "string", "Users in the " + kindName,
                "Groups*", "string", "Groups in the " + kindName,
                "ServiceAccounts*", "string", "ServiceAccounts in the " + kindName),
                BindingStrategy::cells);
    }

    /** SetDefaults_RoleBinding and SetDefaults_Subject: the RBAC group wherever only it can be meant. */
    @Override
    public void defaults(ObjectNode binding) {
        def(obj(binding, "roleRef"), "apiGroup", GROUP);
        for (ObjectNode subject : objects(binding, "subjects")) {
            String kind = text(subject, "kind");
            if (kind.equals("User") || kind.equals("Group")) {
                def(subject, "apiGroup", GROUP);
            }
        }
    }

    @Override
    public void validate(ObjectNode binding, ErrorList errs) {
        ObjectNode roleRef = objOrNull(binding, "roleRef");
        String apiGroup = text(roleRef, "apiGroup");
        if (!apiGroup.equals(GROUP)) {
            errs.notSupported("roleRef.apiGroup", apiGroup, List.of(GROUP));
        }
        String kind = text(roleRef, "kind");
        if (!roleKinds.contains(kind)) {
            errs.notSupported("roleRef.kind", kind, roleKinds);
        }
        String name = text(roleRef, "name");
        if (name.isEmpty()) {
            errs.required("roleRef.name");
        } else {
            errs.invalidEach("roleRef.name", name, validateName(name));
        }
        JsonNode subjects = binding.path("subjects");
        for (int i = 0; i < subjects.size(); i++) {
            validateSubject(subjects.get(i), "subjects[" + i + "]", errs);
        }
    }

    /** ValidateRoleBindingSubject: a ServiceAccount names its namespace unless the binding's own is meant. */
    private void validateSubject(JsonNode subject, String path, ErrorList errs) {
        String name = text(subject, "name");
        String apiGroup = text(subject, "apiGroup");
        if (name.isEmpty()) {
            errs.required(path + ".name");
        }
        switch (text(subject, "kind")) {
            case "ServiceAccount" -> {
                if (!name.isEmpty()) {
                    errs.invalidEach(path + ".name", name, Names.dns1123Subdomain(name));
                }
                if (!apiGroup.isEmpty()) {
                    errs.notSupported(path + ".apiGroup", apiGroup, List.of(""));
                }
                if (!type().namespaced() && text(subject, "namespace").isEmpty()) {
                    errs.required(path + ".namespace");
                }
            }
            case "User", "Group" -> {
                if (!apiGroup.equals(GROUP)) {
                    errs.notSupported(path + ".apiGroup", apiGroup, List.of(GROUP));
                }
            }
            default -> errs.notSupported(path + ".kind", text(subject, "kind"), SUBJECT_KINDS);
        }
    }

    /** A binding grants one role for good: any change of its roleRef is refused. */
    @Override
    public void validateUpdate(ObjectNode binding, ObjectNode old, ErrorList errs) {
        String roleRef = goRoleRef(binding.path("roleRef"));
        if (!roleRef.equals(goRoleRef(old.path("roleRef")))) {
            errs.invalid("roleRef", new GoValue(roleRef), "cannot change roleRef");
        }
    }

    /** The roleRef as field.Invalid prints it: Go's %#v of the struct, which has no String method. */
    private static String goRoleRef(JsonNode roleRef) {
        return "rbac.RoleRef{APIGroup:" + GoQuote.quote(text(roleRef, "apiGroup")) + ", Kind:"
                + GoQuote.quote(text(roleRef, "kind")) + ", Name:" + GoQuote.quote(text(roleRef, "name")) + "}";
    }

    @Override
    public TablePrinter printer() {
        return printer;
    }

    /** printRoleBinding: the role as Kind/Name, then the subjects of each kind (rbac.SubjectsStrings). */
    private static List<Object> cells(ObjectNode binding, Instant now) {
        List<String> users = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<String> serviceAccounts = new ArrayList<>();
        for (JsonNode subject : binding.path("subjects")) {
            switch (text(subject, "kind")) {
                case "ServiceAccount" -> serviceAccounts.add(text(subject, "namespace") + "/" + text(subject, "name"));
                case "User" -> users.add(text(subject, "name"));
                case "Group" -> groups.add(text(subject, "name"));
                default -> {
                    // other kinds are not printed
                }
            }
        }
        JsonNode roleRef = binding.path("roleRef");
        return List.of(name(binding), text(roleRef, "kind") + "/" + text(roleRef, "name"), TablePrinters.age(binding, now),
                String.join(", ", users), String.join(", ", groups), String.join(", ", serviceAccounts));
    }
}
