package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.util.List;

import static io.kubus.gateway.table.Cells.name;

/**
 * ServiceAccounts (pkg/registry/core/serviceaccount). ValidateServiceAccount checks only the metadata (the name is a
 * DNS subdomain, the default rule); the secrets and image pull secrets a ServiceAccount names are stored as given,
 * without checking that they exist, as Kubernetes does.
 */
@Singleton
public class ServiceAccountStrategy implements Strategy {
    /** ServiceAccount.secrets is tagged patchStrategy merge, patchMergeKey name; imagePullSecrets is not. */
    private static final PatchSchema SCHEMA = PatchSchema.builder()
            .object("metadata", PatchSchemas.OBJECT_META)
            .mergeList("secrets", "name")
            .build();
    private static final TablePrinter PRINTER = new KindPrinter(KindPrinter.columns(
            "Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this "
                    + "ServiceAccount are allowed to use.",
            "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), (long) o.path("secrets").size(), TablePrinters.age(o, now)));

    @Override
    public ResourceType type() {
        return ResourceTypes.SERVICEACCOUNTS;
    }

    @Override
    public void prepareForCreate(ObjectNode serviceAccount, UserInfo creator) {
        cleanSecretReferences(serviceAccount);
    }

    @Override
    public void prepareForUpdate(ObjectNode serviceAccount, ObjectNode old) {
        cleanSecretReferences(serviceAccount);
    }

    /**
     * A secret reference is a name in the ServiceAccount's own namespace: the rest of an ObjectReference (another
     * namespace, a uid, a kind) is dropped, as kube-apiserver's cleanSecretReferences does, so it cannot point
     * elsewhere.
     */
    private static void cleanSecretReferences(ObjectNode serviceAccount) {
        if (!(serviceAccount.get("secrets") instanceof ArrayNode secrets)) {
            return;
        }
        for (int i = 0; i < secrets.size(); i++) {
            if (secrets.get(i) instanceof ObjectNode reference) {
                ObjectNode cleaned = JsonTree.F.objectNode();
                JsonNode name = reference.get("name");
                if (name != null) {
                    cleaned.set("name", name);
                }
                secrets.set(i, cleaned);
            }
        }
    }

    @Override
    public TablePrinter printer() {
        return PRINTER;
    }

    @Override
    public PatchSchema patchSchema() {
        return SCHEMA;
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}
