package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;

import java.util.Optional;

/** A node's conditions as controllers read them (the node lifecycle controller, the service load balancer). */
public final class NodeStates {
    private NodeStates() {
    }

    public static Optional<NodeCondition> condition(Node node, String type) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return node.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** The Ready condition's status: True, False or Unknown; empty when the node never reported one. */
    public static Optional<String> ready(Node node) {
        return condition(node, "Ready").map(NodeCondition::getStatus);
    }

    public static boolean isReady(Node node) {
        return ready(node).filter("True"::equals).isPresent();
    }
}
