package io.kubus.client.config;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The client certificate a process presents, which a certificate manager may replace while the process runs (a node
 * agent rotating its own, as the kubelet does). Its {@link #keyManager()} hands every TLS handshake the certificate of
 * that moment, as client-go's GetClientCertificate does; whoever keeps connections or signs with it listens for
 * replacements.
 */
public final class ClientCertificate {
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /**
     * The current certificate under an alias of its own, and the one before: a handshake chooses an alias first and
     * asks for its key and chain after, so a replacement in between must not pair one certificate's key with another's
     * chain.
     */
    private volatile Entry current;
    private volatile Entry previous;

    private record Entry(String alias, ClientConfig.Identity identity) {
    }

    public ClientCertificate(ClientConfig.Identity initial) {
        this.current = new Entry("0", initial);
        this.previous = current;
    }

    public ClientConfig.Identity current() {
        return current.identity();
    }

    /** From now on {@code next} is presented; then every listener is told. */
    public void replace(ClientConfig.Identity next) {
        synchronized (this) {
            previous = current;
            current = new Entry(String.valueOf(Long.parseLong(previous.alias()) + 1), next);
        }
        listeners.forEach(Runnable::run);
    }

    private ClientConfig.Identity identity(String alias) {
        Entry now = current;
        Entry before = previous;
        return before.alias().equals(alias) ? before.identity() : now.identity();
    }

    public void onReplaced(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** A key manager presenting the current certificate, whichever it is when a handshake asks. */
    public X509ExtendedKeyManager keyManager() {
        return new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return current.alias();
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return current.alias();
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {current.alias()};
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return identity(alias).chain().toArray(X509Certificate[]::new);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return identity(alias).key();
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }
        };
    }
}
