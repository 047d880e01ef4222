package io.kubus.controllers.common;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.kubus.client.informer.Index;
import io.kubus.client.informer.Informer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the endpoints and EndpointSlice controllers both ask of a Service and its pods (Kubernetes'
 * endpointslice/util and podutil.FindPort): which pods a Service selects, which of them belong in its endpoints,
 * their address and the port a service port reaches on each.
 */
public final class ServicePods {
    /** The label both controllers put on a headless Service's Endpoints and slices. */
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

    private ServicePods() {
    }

    /** The keys of the Services that select {@code pod}: what a pod's change means to both controllers. */
    public static List<String> servicesSelecting(Informer<Service> services, Pod pod) {
        List<String> keys = new ArrayList<>();
        for (Service s : services.byIndex(Index.NAMESPACE, pod.getMetadata().getNamespace())) {
            if (selects(s, pod)) {
                keys.add(Informer.keyOf(s));
            }
        }
        return keys;
    }

    /**
     * The Service's selector, or empty when it has none: such a Service's endpoints are the user's. An empty map
     * counts as none, as it does once kube-apiserver stored it (protobuf has no empty map).
     */
    public static Optional<Map<String, String>> selector(Service service) {
        Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        return selector == null || selector.isEmpty() ? Optional.empty() : Optional.of(selector);
    }

    /** Whether the controllers make endpoints for this Service: it has a selector and is not an ExternalName. */
    public static boolean hasManagedEndpoints(Service service) {
        return selector(service).isPresent() && !"ExternalName".equals(service.getSpec().getType());
    }

    public static boolean selects(Service service, Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        return selector(service).map(s -> labels.entrySet().containsAll(s.entrySet())).orElse(false);
    }

    public static boolean isHeadless(Service service) {
        return "None".equals(service.getSpec().getClusterIP());
    }

    public static boolean publishNotReady(Service service) {
        return Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    }

    /**
     * ShouldPodBeInEndpoints: a pod with an address, not being deleted (unless terminating pods are included), and
     * not finished for good under its restart policy.
     */
    public static boolean belongsInEndpoints(Pod pod, boolean includeTerminating) {
        boolean noAddress = pod.getStatus() == null || (isEmpty(pod.getStatus().getPodIP())
                && (pod.getStatus().getPodIPs() == null || pod.getStatus().getPodIPs().isEmpty()));
        if (noAddress) {
            return false;
        }
        if (!includeTerminating && pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        String phase = pod.getStatus().getPhase();
        return switch (Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always")) {
            case "Never" -> !"Failed".equals(phase) && !"Succeeded".equals(phase);
            case "OnFailure" -> !"Succeeded".equals(phase);
            default -> true;
        };
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    /** The Service's first IP family: the family of the pod address its endpoints carry. */
    public static String ipFamily(Service service) {
        List<String> families = service.getSpec().getIpFamilies();
        return families == null || families.isEmpty() ? "IPv4" : families.getFirst();
    }

    /** The pod's address of that family (status.podIPs, or podIP alone), if it has one. */
    public static Optional<String> address(Pod pod, String family) {
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        List<String> ips = new ArrayList<>();
        if (pod.getStatus().getPodIPs() != null) {
            pod.getStatus().getPodIPs().stream().map(PodIP::getIp).filter(Objects::nonNull).forEach(ips::add);
        }
        if (ips.isEmpty() && pod.getStatus().getPodIP() != null) {
            ips.add(pod.getStatus().getPodIP());
        }
        boolean v6 = family.equals("IPv6");
        return ips.stream().filter(ip -> !ip.isEmpty() && ip.contains(":") == v6).findFirst();
    }

    /**
     * podutil.FindPort: the port a service port reaches on this pod, a number as it is or a name looked up among
     * the ports of its containers (and sidecars) of the same protocol; empty when the pod has no such port.
     */
    public static OptionalInt targetPort(Pod pod, ServicePort port) {
        IntOrString target = port.getTargetPort();
        if (target == null) {
            return OptionalInt.of(port.getPort());
        }
        if (target.getStrVal() == null) {
            return OptionalInt.of(target.getIntVal());
        }
        String protocol = Objects.requireNonNullElse(port.getProtocol(), "TCP");
        List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            pod.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy()))
                    .forEach(containers::add);
        }
        for (Container c : containers) {
            for (ContainerPort p : Objects.requireNonNullElse(c.getPorts(), List.<ContainerPort>of())) {
                if (target.getStrVal().equals(p.getName())
                        && protocol.equals(Objects.requireNonNullElse(p.getProtocol(), "TCP"))) {
                    return OptionalInt.of(p.getContainerPort());
                }
            }
        }
        return OptionalInt.empty();
    }

    /** ShouldSetHostname: a pod of a headless Service's subdomain is known by its hostname there. */
    public static Optional<String> hostname(Pod pod, Service service) {
        String hostname = pod.getSpec().getHostname();
        return hostname != null && !hostname.isEmpty() && service.getMetadata().getName().equals(pod.getSpec().getSubdomain())
                && isHeadless(service) ? Optional.of(hostname) : Optional.empty();
    }

    /** The reference an endpoint carries to its pod (no resourceVersion, so a pod's other changes change nothing). */
    public static ObjectReference podReference(Pod pod) {
        return new ObjectReferenceBuilder().withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build();
    }
}
