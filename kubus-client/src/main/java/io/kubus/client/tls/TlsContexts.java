package io.kubus.client.tls;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Key stores and SSL contexts from PEM material. Client contexts trust only the cluster's CA (never the JDK's
 * default authorities) and present a client certificate when there is one.
 */
public final class TlsContexts {
    /**
     * The password of the PKCS#12 files written for servers that read only key stores (the Netty server): it does
     * not protect anything, the files are readable by their owner only, as the PEM keys beside them.
     */
    public static final String STORE_PASSWORD = "kubus";

    private TlsContexts() {
    }

    /** A TLS 1.2/1.3 client context trusting {@code trusted}; with a client key and chain when {@code key} is set. */
    public static SSLContext client(List<X509Certificate> trusted, PrivateKey key, List<X509Certificate> chain) {
        try {
            return client(trusted, keyManagers(key, chain));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context", e);
        }
    }

    /**
     * A TLS 1.2/1.3 client context trusting {@code trusted} and presenting what {@code keyManager} chooses at each
     * handshake (a certificate that is rotated: ClientCertificate).
     */
    public static SSLContext client(List<X509Certificate> trusted, X509KeyManager keyManager) {
        try {
            return client(trusted, new KeyManager[] {keyManager});
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context", e);
        }
    }

    private static SSLContext client(List<X509Certificate> trusted, KeyManager[] keyManagers)
            throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers, trustManagers(trusted).getTrustManagers(), null);
        return ctx;
    }

    /** The key managers that present {@code key} and its chain; null (none) when {@code key} is null. */
    static KeyManager[] keyManagers(PrivateKey key, List<X509Certificate> chain) throws GeneralSecurityException {
        if (key == null) {
            return null;
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(key, chain), STORE_PASSWORD.toCharArray());
        return kmf.getKeyManagers();
    }

    public static KeyStore keyStore(PrivateKey key, List<X509Certificate> chain) throws GeneralSecurityException {
        KeyStore ks = emptyStore();
        ks.setKeyEntry("key", key, STORE_PASSWORD.toCharArray(), chain.toArray(X509Certificate[]::new));
        return ks;
    }

    public static KeyStore trustStore(List<X509Certificate> trusted) throws GeneralSecurityException {
        KeyStore ks = emptyStore();
        for (int i = 0; i < trusted.size(); i++) {
            ks.setCertificateEntry("ca-" + i, trusted.get(i));
        }
        return ks;
    }

    /** Writes a PKCS#12 store readable by its owner only. */
    public static void write(KeyStore store, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            store.store(out, STORE_PASSWORD.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write " + file, e);
        }
        PrivateFiles.restrict(tmp);
        PrivateFiles.move(tmp, file);
    }

    private static TrustManagerFactory trustManagers(List<X509Certificate> trusted) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore(trusted));
        return tmf;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return ks;
    }
}
