package io.kubus.launcher;

import io.kubus.client.api.KubusApi;
import io.kubus.client.config.ClientConfig;

import java.io.IOException;

/** A launcher started on its options, and the administrator's client through the kubeconfig it wrote. */
record StartedCluster(KubusLauncher launcher, KubusApi api) implements AutoCloseable {
    static StartedCluster start(LauncherOptions options) throws IOException {
        KubusLauncher launcher = new KubusLauncher(options);
        try {
            launcher.start();
            return new StartedCluster(launcher, new KubusApi(ClientConfig.fromKubeconfig(options.kubeconfig())));
        } catch (IOException | RuntimeException e) {
            launcher.close();
            throw e;
        }
    }

    @Override
    public void close() {
        api.close();
        launcher.close();
    }
}
