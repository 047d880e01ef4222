package io.kubus.client.config;

import io.kubus.client.tls.CertificateAuthority;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** kubeconfig files for a Kubus API server, as kubectl reads them and as kind and k3s write them. */
public final class Kubeconfigs {
    private Kubeconfigs() {
    }

    /**
     * Cluster, user and context {@code kubus} with the cluster's CA and a client certificate embedded, namespace
     * {@code default}, current context set.
     */
    public static String withClientCertificate(String apiUrl, String caPem, CertificateAuthority.Issued client) {
        return config(apiUrl, caPem, """
                    client-certificate-data: %s
                    client-key-data: %s
                """.formatted(base64(client.certificatePem()), base64(client.keyPem())));
    }

    /** As {@link #withClientCertificate}, authenticating with a bearer token instead. */
    public static String withToken(String apiUrl, String caPem, String token) {
        return config(apiUrl, caPem, "    token: " + token + "\n");
    }

    private static String config(String apiUrl, String caPem, String user) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kubus
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: kubus
                  user:
                %scontexts:
                - name: kubus
                  context:
                    cluster: kubus
                    user: kubus
                    namespace: default
                current-context: kubus
                preferences: {}
                """.formatted(apiUrl, base64(caPem), user);
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
