package io.kubus.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may reach the API and how they prove it (kube-apiserver's --client-ca-file, --tls-cert-file,
 * --service-account-* and --token-auth-file, here from one PKI folder the cluster makes on its first start).
 */
@ConfigurationProperties("kubus.auth")
public class AuthSettings {
    /** The cluster's PKI folder (CA, serving certificate, ServiceAccount signing key); made when missing. */
    private String pkiDir = ".kubus/pki";
    /** Extra names and addresses the serving certificate covers, beyond the host's own and kubernetes.default.svc. */
    private List<String> hosts = new ArrayList<>();
    /** kube-apiserver's --token-auth-file: CSV lines {@code token,user,uid,"group1,group2"}; unset for none. */
    private String tokenAuthFile;
    /** The {@code iss} of the ServiceAccount tokens this cluster signs (--service-account-issuer). */
    private String serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local";
    /** The audiences the API accepts in tokens (--api-audiences); empty means the issuer. */
    private List<String> apiAudiences = new ArrayList<>();
    /** The longest lifetime a TokenRequest gets (--service-account-max-token-expiration). */
    private Duration maxTokenExpiration = Duration.ofHours(48);
    /**
     * How long a bearer token that was good is taken without being checked again (kube-apiserver's token cache, 10 s):
     * a deleted ServiceAccount's or pod's tokens keep working for up to this long. Zero checks every request.
     */
    private Duration tokenCacheTtl = Duration.ofSeconds(10);
    /**
     * The longest lifetime of a certificate the gateway's signer issues for a CertificateSigningRequest
     * (kube-controller-manager's --cluster-signing-duration); a request's expirationSeconds may ask for less.
     */
    private Duration clusterSigningDuration = Duration.ofDays(365);

    /**
     * Where the gateway writes the kubeconfigs of the services of a stack that has no launcher (the compose
     * stack), as kubeadm init writes scheduler.conf and the others: {@code scheduler.kubeconfig},
     * {@code controller-manager.kubeconfig}, and {@code bootstrap.kubeconfig} with a bootstrap token node agents join
     * with (kubeadm's default node token), each naming {@link #getKubeconfigServer}; the administrator's
     * {@code admin.kubeconfig} goes into the PKI folder. Unset: none are written.
     */
    private String kubeconfigDir;
    private String kubeconfigServer = "https://127.0.0.1:6443";
    /**
     * How long the bootstrap token of {@code bootstrap.kubeconfig} is good for (kubeadm's --token-ttl): a gateway
     * start makes a new one when less than half of this is left.
     */
    private Duration bootstrapTokenTtl = Duration.ofHours(24);

    public String getKubeconfigDir() {
        return kubeconfigDir;
    }

    public void setKubeconfigDir(String kubeconfigDir) {
        this.kubeconfigDir = kubeconfigDir;
    }

    public String getKubeconfigServer() {
        return kubeconfigServer;
    }

    public void setKubeconfigServer(String kubeconfigServer) {
        this.kubeconfigServer = kubeconfigServer;
    }

    public Duration getBootstrapTokenTtl() {
        return bootstrapTokenTtl;
    }

    public void setBootstrapTokenTtl(Duration bootstrapTokenTtl) {
        this.bootstrapTokenTtl = bootstrapTokenTtl;
    }

    public String getPkiDir() {
        return pkiDir;
    }

    public void setPkiDir(String pkiDir) {
        this.pkiDir = pkiDir;
    }

    public List<String> getHosts() {
        return hosts;
    }

    public void setHosts(List<String> hosts) {
        this.hosts = hosts;
    }

    public String getTokenAuthFile() {
        return tokenAuthFile;
    }

    public void setTokenAuthFile(String tokenAuthFile) {
        this.tokenAuthFile = tokenAuthFile;
    }

    public String getServiceAccountIssuer() {
        return serviceAccountIssuer;
    }

    public void setServiceAccountIssuer(String serviceAccountIssuer) {
        this.serviceAccountIssuer = serviceAccountIssuer;
    }

    public List<String> getApiAudiences() {
        return apiAudiences.isEmpty() ? List.of(serviceAccountIssuer) : apiAudiences;
    }

    public void setApiAudiences(List<String> apiAudiences) {
        this.apiAudiences = apiAudiences;
    }

    public Duration getTokenCacheTtl() {
        return tokenCacheTtl;
    }

    public void setTokenCacheTtl(Duration tokenCacheTtl) {
        this.tokenCacheTtl = tokenCacheTtl;
    }

    public Duration getMaxTokenExpiration() {
        return maxTokenExpiration;
    }

    public void setMaxTokenExpiration(Duration maxTokenExpiration) {
        this.maxTokenExpiration = maxTokenExpiration;
    }

    public Duration getClusterSigningDuration() {
        return clusterSigningDuration;
    }

    public void setClusterSigningDuration(Duration clusterSigningDuration) {
        this.clusterSigningDuration = clusterSigningDuration;
    }
}
