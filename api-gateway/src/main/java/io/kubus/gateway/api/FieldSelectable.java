package io.kubus.gateway.api;

import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Which fields a field selector may name, per kind, as kube-apiserver registers them. */
final class FieldSelectable {
    private static final Set<String> COMMON = Set.of("metadata.name", "metadata.namespace");
    private static final Map<ResourceType, Set<String>> EXTRA = Map.of(
            ResourceTypes.PODS, Set.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                    "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
                    "status.nominatedNodeName"),
            ResourceTypes.EVENTS, Set.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                    "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                    "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"),
            ResourceTypes.NODES, Set.of("spec.unschedulable"),
            ResourceTypes.SECRETS, Set.of("type"),
            ResourceTypes.NAMESPACES, Set.of("status.phase"),
            ResourceTypes.REPLICASETS, Set.of("status.replicas"),
            ResourceTypes.REPLICATIONCONTROLLERS, Set.of("status.replicas"),
            ResourceTypes.JOBS, Set.of("status.successful"));

    private FieldSelectable() {
    }

    static Set<String> fields(ResourceType type) {
        Set<String> all = new HashSet<>(COMMON);
        all.addAll(EXTRA.getOrDefault(type, Set.of()));
        return all;
    }
}
