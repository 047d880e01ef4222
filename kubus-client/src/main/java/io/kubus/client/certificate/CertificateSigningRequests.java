package io.kubus.client.certificate;

import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.kubus.client.api.KubusApi;
import io.kubus.client.api.KubusApiException;
import io.kubus.client.tls.CertificateRequests;
import io.kubus.client.tls.Identities;
import io.kubus.client.tls.Pem;
import io.kubus.client.tls.Subjects;
import io.kubus.schema.ResourceTypes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Asks the API for a client certificate with a certificates.k8s.io/v1 CertificateSigningRequest and waits until it is
 * issued (client-go's {@code util/certificate/csr}): what a node agent does when it joins with a bootstrap token, and
 * each time it renews its certificate as itself. Only the request, signed with the key, goes to the API; the key
 * stays with the caller.
 */
public final class CertificateSigningRequests {
    private static final Duration POLL_INITIAL = Duration.ofMillis(200);
    private static final Duration POLL_MAX = Duration.ofSeconds(5);

    private CertificateSigningRequests() {
    }

    /**
     * Requests a certificate naming {@code identity} for {@code key} from {@code signerName} with {@code usages}, and
     * waits up to {@code timeout} for it. {@code name} null lets the server name the request ({@code csr-...}, as
     * the kubelet's rotation does); a given name that exists already is waited for when it asks the same of the same
     * signer for the same key (the kubelet's bootstrap names its request after these: a restart with the same key
     * finds its request), else refused.
     *
     * @return the issued chain, its first certificate for {@code key}
     * @throws CertificateRequestException when the request is denied, fails, goes away or is not issued in time
     */
    public static List<X509Certificate> request(KubusApi api, String name, KeyPair key, Identities.Identity identity,
                                                String signerName, List<String> usages, Duration timeout)
            throws InterruptedException {
        String pem = CertificateRequests.create(key, identity);
        CertificateSigningRequest created;
        try {
            created = api.create(ResourceTypes.CERTIFICATESIGNINGREQUESTS, new CertificateSigningRequestBuilder()
                    .withNewMetadata().withName(name).withGenerateName(name == null ? "csr-" : null).endMetadata()
                    .withNewSpec()
                    .withRequest(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))
                    .withSignerName(signerName)
                    .withUsages(usages)
                    .endSpec().build());
        } catch (KubusApiException e) {
            if (name == null || !e.isAlreadyExists()) {
                throw e;
            }
            created = get(api, name);
            ensureCompatible(created, key.getPublic(), identity, signerName, usages);
        }
        List<X509Certificate> chain = await(api, created.getMetadata().getName(), created.getMetadata().getUid(),
                timeout);
        if (!chain.getFirst().getPublicKey().equals(key.getPublic())) {
            throw new CertificateRequestException("certificate signing request " + created.getMetadata().getName()
                    + " was issued a certificate for another key");
        }
        return chain;
    }

    /**
     * The name the kubelet gives its bootstrap request, {@code node-csr-} and a digest of what it asks (key, subject,
     * usages), so that the same request made again has the same name.
     */
    public static String digestedName(PublicKey key, Identities.Identity identity, List<String> usages) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-512/256");
            Base64.Encoder encode = Base64.getUrlEncoder().withoutPadding();
            // each part base64url-encoded and ended with '|', which that alphabet lacks: parts cannot run together
            Consumer<byte[]> part = data -> {
                digest.update(encode.encode(data));
                digest.update((byte) '|');
            };
            part.accept(key.getEncoded());
            part.accept(identity.user().getBytes(StandardCharsets.UTF_8));
            identity.groups().forEach(g -> part.accept(g.getBytes(StandardCharsets.UTF_8)));
            usages.forEach(u -> part.accept(u.getBytes(StandardCharsets.UTF_8)));
            return "node-csr-" + encode.encodeToString(digest.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for request {@code name} (the one of {@code uid}) to be issued, as client-go's WaitForCertificate: polled
     * from 200 ms, doubling up to 5 s.
     */
    private static List<X509Certificate> await(KubusApi api, String name, String uid, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = POLL_INITIAL.toMillis();
        while (true) {
            CertificateSigningRequest csr = get(api, name);
            if (!Objects.equals(csr.getMetadata().getUid(), uid)) {
                throw new CertificateRequestException("certificate signing request " + name
                        + " was deleted and made again by someone else");
            }
            if (csr.getStatus() != null) {
                for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
                    if (c.getType().equals("Denied") || c.getType().equals("Failed")) {
                        throw new CertificateRequestException("certificate signing request " + name + " is "
                                + (c.getType().equals("Denied") ? "denied" : "failed") + ", reason: " + c.getReason()
                                + ", message: " + c.getMessage());
                    }
                }
                String issued = csr.getStatus().getCertificate();
                if (issued != null && !issued.isEmpty()) {
                    return Pem.certificates(new String(Base64.getDecoder().decode(issued), StandardCharsets.US_ASCII));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CertificateRequestException("certificate signing request " + name + " was not issued within "
                        + timeout.toSeconds() + " s (is it approved? kubectl certificate approve " + name + ")");
            }
            Thread.sleep(Math.min(pause, Duration.ofNanos(left).toMillis() + 1));
            pause = Math.min(pause * 2, POLL_MAX.toMillis());
        }
    }

    private static CertificateSigningRequest get(KubusApi api, String name) {
        return api.get(ResourceTypes.CERTIFICATESIGNINGREQUESTS, null, name, CertificateSigningRequest.class)
                .orElseThrow(() -> new CertificateRequestException("certificate signing request " + name
                        + " is gone"));
    }

    /** A request found under our name must ask what we ask (client-go's ensureCompatible). */
    private static void ensureCompatible(CertificateSigningRequest existing, PublicKey key, Identities.Identity identity,
                                         String signerName, List<String> usages) {
        String name = existing.getMetadata().getName();
        CertificateRequests.Request request;
        try {
            request = CertificateRequests.parse(new String(Base64.getDecoder().decode(existing.getSpec().getRequest()),
                    StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new CertificateRequestException("certificate signing request " + name + " exists with an unreadable "
                    + "request: " + e.getMessage());
        }
        if (!request.publicKey().equals(key)
                || !request.subject().equals(new Subjects.Subject(identity.user(), identity.groups()))
                || !signerName.equals(existing.getSpec().getSignerName())
                || !Set.copyOf(usages).equals(Set.copyOf(existing.getSpec().getUsages()))) {
            throw new CertificateRequestException("certificate signing request " + name
                    + " exists and asks for something else");
        }
    }
}
