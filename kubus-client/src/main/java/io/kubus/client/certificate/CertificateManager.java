package io.kubus.client.certificate;

import io.kubus.client.config.ClientCertificate;
import io.kubus.client.config.ClientConfig;
import io.kubus.client.tls.CertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Renews a client certificate before it expires, as client-go's certificate manager does for the kubelet: once a share
 * of the current certificate's life between {@code minFraction} and {@code maxFraction} (70 % to 90 %, jittered, so
 * that nodes that joined together do not all renew at once) has passed, it makes a new key, asks for a certificate for
 * it ({@link Renewal}, a CertificateSigningRequest as the current identity), stores both ({@link Store}) and only then
 * presents them ({@link ClientCertificate#replace}). A renewal that fails is tried again after 2 s, doubling up to
 * {@code maxBackoff}, for as long as the process runs: the old certificate serves until it expires.
 */
public final class CertificateManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateManager.class);
    private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(2);

    /** Gets a certificate for a new key. */
    @FunctionalInterface
    public interface Renewal {
        List<X509Certificate> request(KeyPair key) throws InterruptedException;
    }

    /** Keeps a new key and certificate where the next start of the process finds them. */
    @FunctionalInterface
    public interface Store {
        void save(ClientConfig.Identity identity) throws IOException;
    }

    private final String name;
    private final ClientCertificate certificate;
    private final Renewal renewal;
    private final Store store;
    private final double minFraction;
    private final double maxFraction;
    private final Duration maxBackoff;
    private final Clock clock;
    private Thread thread;

    public CertificateManager(String name, ClientCertificate certificate, Renewal renewal, Store store,
                              double minFraction, double maxFraction, Duration maxBackoff, Clock clock) {
        if (!(0 <= minFraction && minFraction <= maxFraction && maxFraction <= 1)) {
            throw new IllegalArgumentException("certificate rotation fractions must satisfy 0 <= min <= max <= 1, got "
                    + minFraction + " and " + maxFraction);
        }
        this.name = name;
        this.certificate = certificate;
        this.renewal = renewal;
        this.store = store;
        this.minFraction = minFraction;
        this.maxFraction = maxFraction;
        this.maxBackoff = maxBackoff;
        this.clock = clock;
    }

    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("certificate-manager-" + name).start(this::run);
        }
    }

    /** When the current certificate is to be renewed: notBefore plus the jittered share of its life. */
    Instant nextDeadline() {
        X509Certificate leaf = certificate.current().chain().getFirst();
        Instant from = leaf.getNotBefore().toInstant();
        Duration life = Duration.between(from, leaf.getNotAfter().toInstant());
        double fraction = minFraction + ThreadLocalRandom.current().nextDouble() * (maxFraction - minFraction);
        return from.plusMillis((long) (life.toMillis() * fraction));
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Instant deadline = nextDeadline();
                LOG.info("the client certificate of {} expires at {}, renewal at {}", name,
                        certificate.current().chain().getFirst().getNotAfter().toInstant(), deadline);
                sleepUntil(deadline);
                Duration backoff = INITIAL_BACKOFF;
                while (!rotate()) {
                    Thread.sleep(backoff.toMillis());
                    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private boolean rotate() throws InterruptedException {
        try {
            KeyPair key = CertificateAuthority.newKeyPair();
            ClientConfig.Identity next = new ClientConfig.Identity(key.getPrivate(), renewal.request(key));
            store.save(next);
            certificate.replace(next);
            LOG.info("renewed the client certificate of {}: valid until {}", name,
                    next.chain().getFirst().getNotAfter().toInstant());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("renewing the client certificate of {} failed, retrying: {}", name, e.toString());
            return false;
        }
    }

    private void sleepUntil(Instant deadline) throws InterruptedException {
        long millis = Duration.between(clock.instant(), deadline).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }
}
