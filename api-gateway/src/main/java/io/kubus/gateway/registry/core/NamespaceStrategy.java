package io.kubus.gateway.registry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.gateway.api.ApiException;
import io.kubus.gateway.auth.UserInfo;
import io.kubus.gateway.patch.PatchSchema;
import io.kubus.gateway.patch.PatchSchemas;
import io.kubus.gateway.registry.DeleteIntent;
import io.kubus.gateway.registry.Deletion;
import io.kubus.gateway.registry.Deletions;
import io.kubus.gateway.registry.JsonTree;
import io.kubus.gateway.registry.Strategy;
import io.kubus.gateway.store.WriteOutcome;
import io.kubus.gateway.table.KindPrinter;
import io.kubus.gateway.table.TablePrinter;
import io.kubus.gateway.table.TablePrinters;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.Names;
import io.kubus.gateway.store.ObjectStore;
import jakarta.inject.Singleton;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

import static io.kubus.gateway.registry.JsonTree.isEmpty;
import static io.kubus.gateway.registry.JsonTree.obj;
import static io.kubus.gateway.registry.JsonTree.objOrNull;
import static io.kubus.gateway.registry.JsonTree.text;
import static io.kubus.gateway.table.Cells.name;

/**
 * Namespaces (pkg/registry/core/namespace): a new one carries the {@code kubernetes} finalizer, which only the
 * finalize subresource removes ({@link NamespaceFinalize}); a deleted one turns Terminating until the namespace
 * controller has emptied it, and three system namespaces may never be deleted.
 */
@Singleton
public class NamespaceStrategy implements Strategy {
    /** The namespaces kube-apiserver's NamespaceLifecycle admission never lets anyone delete. */
    private static final Set<String> IMMORTAL = Set.of("default", "kube-system", "kube-public");
    private static final PatchSchema SCHEMA = PatchSchemas.object(PatchSchema.EMPTY, PatchSchemas.CONDITIONS_STATUS);
    private static final TablePrinter PRINTER = new KindPrinter(
            KindPrinter.columns("Status", "string", "The status of the namespace", "Age", "string", TablePrinters.AGE),
            (o, now) -> List.of(name(o), text(o.path("status"), "phase"), TablePrinters.age(o, now)));

    private final NamespaceContents contents;

    public NamespaceStrategy(NamespaceContents contents) {
        this.contents = contents;
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.NAMESPACES;
    }

    /** The default ServiceAccount and the CA bundle come with the namespace, in its transaction. */
    @Override
    public void beginCreate(ObjectNode ns, ObjectStore store) {
        contents.ensure(text(objOrNull(ns, "metadata"), "name"), store);
    }

    /** Namespaces become DNS labels (a Service's name is NAME.NAMESPACE.svc). */
    @Override
    public List<String> validateName(String name) {
        return Names.dns1123Label(name);
    }

    /** SetDefaults_Namespace: the immutable name label that lets selectors pick namespaces by name. */
    @Override
    public void defaults(ObjectNode ns) {
        String name = text(objOrNull(ns, "metadata"), "name");
        if (!name.isEmpty()) {
            obj(obj(ns, "metadata"), "labels").put("kubernetes.io/metadata.name", name);
        }
    }

    @Override
    public void prepareForCreate(ObjectNode ns, UserInfo creator) {
        obj(ns, "spec").set("finalizers", JsonTree.F.arrayNode().add("kubernetes"));
        ns.putObject("status").put("phase", "Active");
    }

    @Override
    public void validate(ObjectNode ns, ErrorList errs) {
        List<JsonNode> finalizers = ns.path("spec").path("finalizers").valueStream().toList();
        for (int i = 0; i < finalizers.size(); i++) {
            String f = finalizers.get(i).asText();
            errs.invalidEach("spec.finalizers[" + i + "]", f, Names.qualifiedName(f));
        }
    }

    /** Only the finalize subresource changes spec.finalizers, and only the status subresource the status. */
    @Override
    public void prepareForUpdate(ObjectNode ns, ObjectNode old) {
        Strategy.super.prepareForUpdate(ns, old);
        ObjectNode spec = obj(ns, "spec");
        JsonNode finalizers = old.path("spec").path("finalizers");
        if (finalizers.isArray()) {
            spec.set("finalizers", finalizers.deepCopy());
        } else {
            spec.remove("finalizers");
        }
    }

    /**
     * A namespace goes only once its content is gone: it turns Terminating and keeps its {@code kubernetes} finalizer
     * until the namespace controller has deleted everything in it and finalized it.
     */
    @Override
    public Deletion deletion() {
        return this::delete;
    }

    private WriteOutcome delete(ObjectNode current, DeleteIntent intent) {
        ObjectNode next = current.deepCopy();
        ObjectNode meta = obj(next, "metadata");
        String name = meta.path("name").asText();
        if (IMMORTAL.contains(name)) {
            throw ApiException.forbidden(type(), name, "namespaces \"" + name + "\" is forbidden: this namespace may not be deleted");
        }
        if (meta.hasNonNull("deletionTimestamp")) {
            if (!isEmpty(next.path("spec").path("finalizers"))) {
                throw ApiException.conflict(type(), name, "The system is ensuring all content is removed from this "
                        + "namespace.  Upon completion, this namespace will automatically be purged by the system.");
            }
            return WriteOutcome.keep(); // waits for the garbage collector's finalizers
        }
        Deletions.setGcFinalizers(meta, intent.propagationPolicy(), defaultGarbageCollectionPolicy());
        if (isEmpty(next.path("spec").path("finalizers")) && isEmpty(meta.path("finalizers"))) {
            return WriteOutcome.remove();
        }
        meta.put("deletionTimestamp", intent.now().truncatedTo(ChronoUnit.SECONDS).toString());
        meta.put("deletionGracePeriodSeconds", 0);
        obj(next, "status").put("phase", "Terminating");
        return WriteOutcome.put(next);
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
    public Set<String> selectableFields() {
        return Set.of("status.phase");
    }

    @Override
    public boolean returnDeletedObject() {
        return true;
    }
}
