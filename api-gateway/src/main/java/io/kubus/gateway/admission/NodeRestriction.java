package io.kubus.gateway.admission;

import io.kubus.gateway.auth.NodeAuthorizer;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

/**
 * Kubernetes' NodeRestriction admission plugin, for what the Node authorizer cannot see because a create names its
 * object in the body: a node's identity creates only its own Node and its own Lease, and no pods (kube lets a kubelet
 * create mirror pods of its static pods; Kubus's agents have none). The rest of the rule (a node changes only its own
 * Node and Lease and its pods' status) is the Node authorizer's, which sees the name in the path.
 */
@Singleton
public class NodeRestriction implements AdmissionPlugin {
    @Override
    public void validate(AdmissionRequest request) {
        if (!NodeAuthorizer.Nodes.isNode(request.user())) {
            return;
        }
        NodeAuthorizer.Nodes node = NodeAuthorizer.Nodes.of(request.user());
        String name = request.object().path("metadata").path("name").asText("");
        if (request.type() == ResourceTypes.LEASES && !node.covers(name)) {
            throw request.forbidden("can only access node lease with the same name as the requesting node");
        }
        if (request.type() == ResourceTypes.NODES && request.isCreate() && !node.covers(name)) {
            throw request.forbidden("node \"" + node + "\" is not allowed to modify node \"" + name + "\"");
        }
        if (request.type() == ResourceTypes.PODS && request.isCreate()) {
            throw request.forbidden("pod does not have \"kubernetes.io/config.mirror\" annotation, node \"" + node
                    + "\" can only create mirror pods");
        }
    }
}
