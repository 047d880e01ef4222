package io.kubus.controllers.testing;

import io.kubus.agent.runtime.ContainerInfo;
import io.kubus.agent.runtime.docker.DockerRuntime;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The containers a test's Docker node agents made on this machine's engine, read or removed by node name. */
public final class DockerNodes {
    private static final URI ENGINE = URI.create("unix:///var/run/docker.sock");

    private DockerNodes() {
    }

    /** The node's containers (sandboxes included), as its agent's runtime lists them. */
    public static List<ContainerInfo> containers(String node) {
        try (DockerRuntime docker = new DockerRuntime(ENGINE, node)) {
            return docker.list();
        }
    }

    /** Stops and removes every container of these nodes (null names skipped): what a test leaves behind. */
    public static void removeContainers(Iterable<String> nodes) {
        for (String n : nodes) {
            if (n == null) {
                continue;
            }
            try (DockerRuntime docker = new DockerRuntime(ENGINE, n)) {
                for (ContainerInfo c : docker.list()) {
                    docker.stopContainer(c.id(), Duration.ZERO);
                    docker.removeContainer(c.id());
                }
            }
        }
    }
}
