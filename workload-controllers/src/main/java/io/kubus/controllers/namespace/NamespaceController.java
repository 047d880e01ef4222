package io.kubus.controllers.namespace;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.controller.Controller;
import io.kubus.client.controller.Reconciler;
import io.kubus.client.informer.CustomKinds;
import io.kubus.client.informer.Informer;
import io.kubus.client.informer.SharedInformers;
import io.kubus.controllers.ControllersApplication;
import io.kubus.controllers.garbagecollector.GarbageCollector;
import io.kubus.controllers.manager.ControllersSettings;
import io.kubus.controllers.manager.ManagedController;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes' namespace controller (pkg/controller/namespace): a namespace with a deletionTimestamp is emptied — every
 * namespaced object of every kind deleted, pods with their grace period so that their node stops them — and once
 * nothing is left, the {@code kubernetes} finalizer leaves its spec.finalizers through the finalize subresource and
 * the gateway deletes it. While content remains, the namespace's conditions say what and why.
 *
 * <p>The content is listed live, never from caches (a namespace must not go while something lags in a cache); the
 * informers only bring a terminating namespace back as soon as something in it changes or goes.
 */
@Singleton
@Requires(env = ControllersApplication.ENVIRONMENT)
public class NamespaceController implements Reconciler, ManagedController {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceController.class);
    /** The spec finalizer this controller owns (v1.FinalizerKubernetes). */
    static final String FINALIZER = "kubernetes";

    private final KubusApi api;
    private final Informer<Namespace> namespaces;
    private final CustomKinds kinds;
    private final Controller controller;

    public NamespaceController(SharedInformers shared, KubusApi api, ControllersSettings settings, CustomKinds kinds) {
        this.api = api;
        this.kinds = kinds;
        this.namespaces = shared.informer(ResourceTypes.NAMESPACES, Namespace.class);
        this.controller = settings.newController("namespace", this);
        controller.primary(namespaces);
        for (ResourceType type : GarbageCollector.kinds()) {
            if (type.namespaced()) {
                controller.watch(shared.informer(type, type.type()), this::terminatingNamespaceOf);
            }
        }
    }

    private List<String> terminatingNamespaceOf(HasMetadata object) {
        String ns = object.getMetadata().getNamespace();
        return namespaces.get(ns).filter(n -> n.getMetadata().getDeletionTimestamp() != null)
                .map(n -> List.of(ns)).orElse(List.of());
    }

    @Override
    public Controller controller() {
        return controller;
    }

    @Override
    public Result reconcile(String name) {
        Optional<Namespace> cached = namespaces.get(name);
        if (cached.isEmpty() || cached.get().getMetadata().getDeletionTimestamp() == null) {
            return Result.done();
        }
        // The latest state decides, as Kubernetes' deleter starts with a GET: others edit a terminating namespace too.
        Namespace ns = api.get(ResourceTypes.NAMESPACES, null, name, Namespace.class).orElse(null);
        if (ns == null || ns.getMetadata().getDeletionTimestamp() == null || !specFinalizers(ns).contains(FINALIZER)) {
            return Result.done();
        }
        NamespaceContent content = deleteContent(name);
        NamespaceStatus status = ns.getStatus() == null ? new NamespaceStatus() : ns.getStatus();
        if (content.applyTo(status, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())) {
            ns.setStatus(status);
            ns = api.updateStatus(ResourceTypes.NAMESPACES, ns);
        }
        if (content.hasErrors()) {
            throw new IllegalStateException("namespace " + name + ": deleting its content failed: " + content.errors());
        }
        if (!content.isEmpty()) {
            return Result.requeueAfter(Duration.ofSeconds(content.recheckSeconds()));
        }
        ns.getSpec().setFinalizers(specFinalizers(ns).stream().filter(f -> !f.equals(FINALIZER)).toList());
        try {
            api.finalize(ns);
            LOG.info("namespace {} is empty and finalized", name);
        } catch (KubusApiException e) {
            if (!e.isNotFound()) {
                throw e; // a conflict is retried with the namespace read afresh
            }
        }
        return Result.done();
    }

    /**
     * Deletes what the namespace holds, kind by kind (Background: the garbage collector must not orphan a Job's or a
     * ReplicationController's pods here), and counts what is still there afterwards. Custom kinds too: their
     * objects are as much the namespace's content.
     */
    private NamespaceContent deleteContent(String namespace) {
        NamespaceContent content = new NamespaceContent();
        for (ResourceType type : kinds.stored()) {
            if (!type.namespaced()) {
                continue;
            }
            try {
                List<? extends HasMetadata> items = api.list(type, namespace, null, null, type.type()).items();
                if (items.isEmpty()) {
                    continue;
                }
                for (HasMetadata item : items) {
                    if (item.getMetadata().getDeletionTimestamp() == null) {
                        api.deleteIfExists(type, namespace, item.getMetadata().getName(), null, "Background");
                    }
                }
                content.remaining(type, api.list(type, namespace, null, null, type.type()).items());
            } catch (KubusApiException | UncheckedIOException e) {
                content.failed(type, e.getMessage());
            }
        }
        return content;
    }

    private static List<String> specFinalizers(Namespace ns) {
        return ns.getSpec() == null || ns.getSpec().getFinalizers() == null ? List.of() : ns.getSpec().getFinalizers();
    }
}
