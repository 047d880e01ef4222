package io.kubus.client.config;

/** kubeconfig files for a Kubus API server, as kubectl reads them. */
public final class Kubeconfigs {
    private Kubeconfigs() {
    }

    /** Cluster, user and context {@code kubus}, no authentication, namespace {@code default}, current context set. */
    public static String unauthenticated(String apiUrl) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kubus
                  cluster:
                    server: %s
                users:
                - name: kubus
                  user: {}
                contexts:
                - name: kubus
                  context:
                    cluster: kubus
                    user: kubus
                    namespace: default
                current-context: kubus
                preferences: {}
                """.formatted(apiUrl);
    }
}
