import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * What a program in a pod does to call the API, as client-go's in-cluster config does: the token, the CA and the
 * namespace from /var/run/secrets/kubernetes.io/serviceaccount, the API at KUBERNETES_SERVICE_HOST:PORT, its
 * certificate checked against that CA for the name kubernetes.default.svc. Writes the status line of a list of the
 * namespace's pods, and of its secrets, to /tmp/result, every two seconds (the token file is read each time).
 */
public class Client {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
        String host = System.getenv("KUBERNETES_SERVICE_HOST");
        int port = Integer.parseInt(System.getenv("KUBERNETES_SERVICE_PORT"));
        while (true) {
            StringBuilder result = new StringBuilder();
            try {
                String token = Files.readString(dir.resolve("token")).trim();
                String ns = Files.readString(dir.resolve("namespace")).trim();
                KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                trusted.load(null, null);
                try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        trusted.setCertificateEntry("ca-" + i++, c);
                    }
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trusted);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
                for (String resource : new String[] {"pods", "secrets"}) {
                    result.append(resource).append(": ").append(get(ctx, host, port, token,
                            "/api/v1/namespaces/" + ns + "/" + resource)).append('\n');
                }
            } catch (Exception e) {
                result.append("failed: ").append(e).append('\n');
            }
            Files.writeString(Path.of("/tmp/result.tmp"), result);
            Files.move(Path.of("/tmp/result.tmp"), Path.of("/tmp/result"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(2000);
        }
    }

    /** The status line, and the body's pod names for a 200. */
    private static String get(SSLContext ctx, String host, int port, String token, String path) throws Exception {
        try (Socket raw = new Socket(host, port);
             SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "kubernetes.default.svc", port, true)) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: kubernetes.default.svc\r\nAuthorization: Bearer " + token
                    + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String status = answer.lines().findFirst().orElse("");
            return status.contains(" 200 ") && answer.contains("\"sa-client\"") ? status + " (sa-client listed)" : status;
        }
    }
}
