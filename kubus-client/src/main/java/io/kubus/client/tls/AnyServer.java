package io.kubus.client.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A TLS client context that presents a client certificate and accepts any server certificate: for calls to node
 * agents, whose serving certificates are their own (kube-apiserver's default towards kubelets). The connection is
 * still encrypted, and the agent still checks who calls.
 */
public final class AnyServer extends X509ExtendedTrustManager {
    private AnyServer() {
    }

    /** Presenting {@code client}'s certificate, or none when it is null. */
    public static SSLContext context(CertificateAuthority.Issued client) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(client == null ? null : TlsContexts.keyManagers(client.key(), List.of(client.certificate())),
                    new TrustManager[] {new AnyServer()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the node agents' TLS context", e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a client context trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a client context trusts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a client context trusts no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
