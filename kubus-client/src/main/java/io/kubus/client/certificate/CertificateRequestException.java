package io.kubus.client.certificate;

/** A certificate request that gave no certificate: denied, failed, gone, or not signed in time. */
public class CertificateRequestException extends RuntimeException {
    public CertificateRequestException(String message) {
        super(message);
    }
}
