package io.kubus.agent.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the node agent needs from a container engine, in the shape of Kubernetes' CRI: a pod sandbox that holds the
 * pod's network namespace, and containers that join it. Implementations: Docker (docker-java) and a simulated
 * runtime for scale tests. Every container and sandbox carries the {@link RuntimeLabels}, so that a restarted agent
 * finds what it started by listing.
 */
public interface ContainerRuntime extends AutoCloseable {

    /** Runtime name and version as nodeInfo.containerRuntimeVersion shows it, e.g. {@code docker://24.0.7}. */
    String versionString();

    /** Starts the sandbox of a pod (for Docker: a pause container); returns its id and IP. */
    SandboxInfo runSandbox(SandboxSpec spec) throws RuntimeException;

    /** Stops and removes a sandbox; absent is fine. */
    void removeSandbox(String sandboxId);

    /** Whether the image is present locally. */
    boolean hasImage(String image);

    /** Pulls an image; fails with {@link ImagePullException} carrying the engine's message. */
    void pullImage(String image) throws ImagePullException;

    /** Creates a container in a sandbox; returns its id. */
    String createContainer(String sandboxId, ContainerSpec spec);

    void startContainer(String containerId);

    /** Sends SIGTERM, waits up to {@code grace}, then SIGKILL. Absent or stopped is fine. */
    void stopContainer(String containerId, Duration grace);

    /** Removes a container; absent is fine. */
    void removeContainer(String containerId);

    /** Every sandbox and container this agent manages on this node (found by the labels), in any state. */
    List<ContainerInfo> list();

    /**
     * The sandbox and containers of one pod, in any state: what a pod's sync reads, several times, without going
     * through every container of the node.
     */
    List<ContainerInfo> listPod(String podUid);

    Optional<ContainerInfo> inspect(String containerId);

    /**
     * When a container will next change state by itself, if the runtime knows it ahead (a simulated container's start
     * after its latency, its exit after its run time), so that the agent looks again then rather than at its next
     * sync interval; empty when it does not know (Docker's start is done when {@link #startContainer} returns, and
     * exits are found by polling).
     */
    default Optional<Instant> nextChange() {
        return Optional.empty();
    }

    /**
     * The pods ({@code namespace/name}) with a sandbox or container that started or exited after {@code after} and at
     * or before {@code upTo}, of those whose times the runtime knows ahead ({@link #nextChange}): the pods to look at
     * again when such a time has come. Empty for a runtime that foretells nothing.
     */
    default Set<String> changedBetween(Instant after, Instant upTo) {
        return Set.of();
    }

    /** The container's output, as kubectl logs shows it. */
    InputStream logs(String containerId, LogOptions options) throws IOException;

    /** Runs a command in a running container; stdout and stderr are copied as they come. Returns the exit code. */
    int exec(String containerId, List<String> command, InputStream stdin, OutputStream stdout, OutputStream stderr)
            throws IOException;

    /**
     * Opens a TCP connection to a port of a running sandbox's network namespace, for port-forward (the CRI's
     * PortForward). Fails as the connect fails, e.g. with a {@link java.net.ConnectException} when nothing listens.
     */
    java.net.Socket connect(String sandboxId, int port) throws IOException;

    @Override
    void close();
}
