package io.kubus.gateway.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kubus.gateway.table.TableTestSupport.CREATED;
import static io.kubus.gateway.table.TableTestSupport.assertColumns;
import static io.kubus.gateway.table.TableTestSupport.json;
import static io.kubus.gateway.table.TableTestSupport.printer;
import static io.kubus.gateway.table.TableTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The columns of ServiceAccounts and the RBAC kinds as Kubernetes 1.32 prints them. */
class RbacPrintersTest {
    private static final String META = "'metadata':{'name':'web','namespace':'default','creationTimestamp':'" + CREATED + "'}";

    @Test
    void serviceAccountsCountTheirSecrets() {
        assertColumns(ResourceTypes.SERVICEACCOUNTS, "Name", "Secrets", "Age");
        assertEquals(List.of("web", 2L, "60m"), row(ResourceTypes.SERVICEACCOUNTS,
                json("{" + META + ",'secrets':[{'name':'a'},{'name':'b'}]}")));
        assertEquals(0L, row(ResourceTypes.SERVICEACCOUNTS, json("{" + META + "}")).get(1));
    }

    /** printers.go has no Role columns: kube-apiserver's default table convertor prints the creation time. */
    @Test
    void rolesShowWhenTheyWereCreated() {
        assertSame(TablePrinters.DEFAULT, printer(ResourceTypes.ROLES));
        assertSame(TablePrinters.DEFAULT, printer(ResourceTypes.CLUSTERROLES));
        assertColumns(ResourceTypes.ROLES, "Name", "Created At");
        assertEquals("date", printer(ResourceTypes.ROLES).columns().get(1).type());
        assertEquals(List.of("web", "2026-11-22T11:00:00Z"), row(ResourceTypes.ROLES, json("{" + META + ",'rules':[]}")));
        assertEquals(List.of("admin", "2026-11-22T11:00:00Z"), row(ResourceTypes.CLUSTERROLES,
                json("{'metadata':{'name':'admin','creationTimestamp':'2026-11-22T11:00:00.250Z'}}")));
        assertEquals("0001-01-01T00:00:00Z", row(ResourceTypes.CLUSTERROLES, json("{'metadata':{'name':'x'}}")).get(1));
    }

    @Test
    void bindingsShowTheirRoleAndSubjects() {
        for (var type : List.of(ResourceTypes.ROLEBINDINGS, ResourceTypes.CLUSTERROLEBINDINGS)) {
            assertColumns(type, "Name", "Role", "Age", "Users*", "Groups*", "ServiceAccounts*");
        }
        assertEquals("Users in the roleBinding", printer(ResourceTypes.ROLEBINDINGS).columns().get(3).description());
        assertEquals("ServiceAccounts in the clusterRoleBinding",
                printer(ResourceTypes.CLUSTERROLEBINDINGS).columns().get(5).description());
        ObjectNode binding = json("{" + META + ",'roleRef':{'apiGroup':'rbac.authorization.k8s.io','kind':'ClusterRole',"
                + "'name':'view'},'subjects':[{'kind':'User','name':'jane'},{'kind':'ServiceAccount','name':'builder',"
                + "'namespace':'ci'},{'kind':'User','name':'joe'},{'kind':'Group','name':'ops'},"
                + "{'kind':'ServiceAccount','name':'deployer'}]}");
        assertEquals(List.of("web", "ClusterRole/view", "60m", "jane, joe", "ops", "ci/builder, /deployer"),
                row(ResourceTypes.ROLEBINDINGS, binding));
        assertEquals(List.of("web", "ClusterRole/view", "60m", "", "", ""),
                row(ResourceTypes.CLUSTERROLEBINDINGS, json("{" + META + ",'roleRef':{'kind':'ClusterRole','name':'view'}}")));
    }
}
