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

    public Duration getMaxTokenExpiration() {
        return maxTokenExpiration;
    }

    public void setMaxTokenExpiration(Duration maxTokenExpiration) {
        this.maxTokenExpiration = maxTokenExpiration;
    }
}
