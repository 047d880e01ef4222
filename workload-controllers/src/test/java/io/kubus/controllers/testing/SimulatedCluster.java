package io.kubus.controllers.testing;

import io.kubus.client.api.KubusApi;
import io.kubus.gateway.testing.Kubectl;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The usual cluster of a controller test class, started once for the class and closed after it: simulated nodes,
 * the controllers, the API client and the real kubectl, in a folder of its own. Register it with
 * {@code @RegisterExtension static final SimulatedCluster cluster = new SimulatedCluster("sim", 5);}.
 */
public final class SimulatedCluster implements BeforeAllCallback, AfterAllCallback {
    private final String prefix;
    private final int nodes;
    private Path dir;
    private ClusterFixture fixture;
    private Kubectl kubectl;

    public SimulatedCluster(String prefix, int nodes) {
        this.prefix = prefix;
        this.nodes = nodes;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("kubus-" + prefix + "-");
        fixture = ClusterFixture.withSimulatedNodes(dir, prefix, nodes);
        kubectl = fixture.kubectl(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (fixture != null) {
            fixture.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    public ClusterFixture fixture() {
        return fixture;
    }

    public KubusApi api() {
        return fixture.api();
    }

    public Kubectl kubectl() {
        return kubectl;
    }

    /** The cluster's own folder, for manifests a test writes. */
    public Path dir() {
        return dir;
    }
}
