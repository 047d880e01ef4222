package io.kubus.gateway.patch;

import io.kubus.gateway.testing.Registry;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import org.junit.jupiter.api.Test;

import static io.kubus.gateway.patch.PatchTestSupport.assertJson;
import static io.kubus.gateway.patch.PatchTestSupport.json;

/**
 * Strategic merge patches of ServiceAccounts and RBAC objects with their kinds' schemas: a ServiceAccount's secrets
 * merge by name (patchStrategy merge), its imagePullSecrets and every RBAC list (atomic) are replaced.
 */
class RbacPatchTest {
    private static PatchSchema schema(ResourceType type) {
        return Registry.strategy(type).patchSchema();
    }

    @Test
    void serviceAccountSecretsMergeByName() {
        // a new element comes before the live ones the patch does not name, as kube's mergeSortedSlice orders them
        assertJson("{'secrets':[{'name':'b'},{'name':'a'}],'imagePullSecrets':[{'name':'new'}]}",
                StrategicMergePatch.apply(json("{'secrets':[{'name':'a'}],'imagePullSecrets':[{'name':'old'}]}"),
                        json("{'secrets':[{'name':'b'}],'imagePullSecrets':[{'name':'new'}]}"),
                        schema(ResourceTypes.SERVICEACCOUNTS)));
        assertJson("{'secrets':[{'name':'b'}]}", StrategicMergePatch.apply(json("{'secrets':[{'name':'a'},{'name':'b'}]}"),
                json("{'secrets':[{'name':'a','$patch':'delete'}]}"), schema(ResourceTypes.SERVICEACCOUNTS)));
    }

    @Test
    void rbacListsAreReplaced() {
        assertJson("{'rules':[{'verbs':['list']}]}", StrategicMergePatch.apply(json("{'rules':[{'verbs':['get']}]}"),
                json("{'rules':[{'verbs':['list']}]}"), schema(ResourceTypes.CLUSTERROLES)));
        assertJson("{'subjects':[{'kind':'User','name':'joe'}]}", StrategicMergePatch.apply(
                json("{'subjects':[{'kind':'User','name':'jane'}]}"), json("{'subjects':[{'kind':'User','name':'joe'}]}"),
                schema(ResourceTypes.ROLEBINDINGS)));
    }
}
