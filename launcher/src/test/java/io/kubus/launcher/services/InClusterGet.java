package io.kubus.launcher.services;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What an in-cluster client does (client-go's rest.InClusterConfig), run inside a pod with nothing but the JDK: a GET of
 * {@code https://kubernetes.default.svc/PATH} with the pod's ServiceAccount token, trusting only the mounted CA, the
 * host name checked against the API's certificate. Prints the status and the body.
 */
public final class InClusterGet {
    private static final Path ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    public static void main(String[] args) throws Exception {
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(ACCOUNT.resolve("ca.crt"))));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        String token = Files.readString(ACCOUNT.resolve("token")).strip();
        try (HttpClient http = HttpClient.newBuilder().sslContext(tls).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://kubernetes.default.svc" + args[0]))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("STATUS " + r.statusCode());
            System.out.println(r.body());
        }
    }
}
