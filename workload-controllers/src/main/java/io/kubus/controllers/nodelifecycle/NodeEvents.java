package io.kubus.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.kubus.client.api.KubusApi;

/** Records an Event about a node or pod; a failure to record never fails the reconcile. */
final class NodeEvents {
    private static final System.Logger LOG = System.getLogger(NodeEvents.class.getName());

    private final KubusApi api;
    private final String component;

    NodeEvents(KubusApi api, String component) {
        this.api = api;
        this.component = component;
    }

    void record(HasMetadata involved, String type, String reason, String message) {
        try {
            api.createEvent(new ObjectReferenceBuilder().withApiVersion(involved.getApiVersion())
                    .withKind(involved.getKind()).withNamespace(involved.getMetadata().getNamespace())
                    .withName(involved.getMetadata().getName()).withUid(involved.getMetadata().getUid()).build(),
                    type, reason, message, component);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "event " + reason + " about " + involved.getMetadata().getName()
                    + " not recorded: " + e);
        }
    }
}
