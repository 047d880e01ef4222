package io.kubus.broker;

import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.ClusterPki;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the broker's certificate, signed by the cluster's CA (made when missing), into the folder {@link BrokerMain}
 * reads: what kubeadm's {@code init phase certs} does for etcd before etcd starts. The compose stack runs it once
 * before the broker, so that the broker never holds the CA's key.
 *
 * <p>Arguments: the cluster's PKI folder, the broker's folder, then the host names clients connect to.
 */
public final class BrokerCertificates {
    /** The broker's common name: its Kafka user, the one super user. */
    public static final String BROKER_USER = "kubus-kafka";

    private BrokerCertificates() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: BrokerCertificates CLUSTER_PKI_DIR BROKER_PKI_DIR HOST...");
            System.exit(2);
        }
        write(ClusterPki.authority(Path.of(args[0])), Path.of(args[1]), Arrays.asList(args).subList(2, args.length));
        System.out.println("kubus broker certificates: " + args[1]);
    }

    /**
     * The broker's certificate in {@code folder}, valid for {@code hosts} and for 127.0.0.1 and localhost, where the
     * broker reaches its own controller.
     */
    public static CertificateAuthority.Issued write(ClusterPki pki, Path folder, List<String> hosts) {
        List<String> all = new ArrayList<>(hosts);
        all.add("127.0.0.1");
        all.add("localhost");
        return pki.server(folder, "kafka", BROKER_USER, all, CertificateAuthority.Usage.SERVER_AND_CLIENT);
    }
}
