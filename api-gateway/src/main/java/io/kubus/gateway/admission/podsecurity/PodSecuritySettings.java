package io.kubus.gateway.admission.podsecurity;

import io.micronaut.context.annotation.ConfigurationProperties;

import java.util.List;

/**
 * Kube's PodSecurityConfiguration (--admission-control-config-file): the policy of namespaces that carry no
 * {@code pod-security.kubernetes.io/*} labels, and what is exempt from Pod Security altogether.
 */
@ConfigurationProperties("kubus.pod-security")
public class PodSecuritySettings {
    private Defaults defaults = new Defaults();
    private Exemptions exemptions = new Exemptions();

    public Defaults getDefaults() {
        return defaults;
    }

    public void setDefaults(Defaults defaults) {
        this.defaults = defaults;
    }

    public Exemptions getExemptions() {
        return exemptions;
    }

    public void setExemptions(Exemptions exemptions) {
        this.exemptions = exemptions;
    }

    /** Each mode's level and version where a namespace has no label for it; privileged:latest, as kube's default. */
    @ConfigurationProperties("defaults")
    public static class Defaults {
        private String enforce = "privileged";
        private String enforceVersion = "latest";
        private String audit = "privileged";
        private String auditVersion = "latest";
        private String warn = "privileged";
        private String warnVersion = "latest";

        public String getEnforce() {
            return enforce;
        }

        public void setEnforce(String enforce) {
            this.enforce = enforce;
        }

        public String getEnforceVersion() {
            return enforceVersion;
        }

        public void setEnforceVersion(String enforceVersion) {
            this.enforceVersion = enforceVersion;
        }

        public String getAudit() {
            return audit;
        }

        public void setAudit(String audit) {
            this.audit = audit;
        }

        public String getAuditVersion() {
            return auditVersion;
        }

        public void setAuditVersion(String auditVersion) {
            this.auditVersion = auditVersion;
        }

        public String getWarn() {
            return warn;
        }

        public void setWarn(String warn) {
            this.warn = warn;
        }

        public String getWarnVersion() {
            return warnVersion;
        }

        public void setWarnVersion(String warnVersion) {
            this.warnVersion = warnVersion;
        }
    }

    /**
     * What Pod Security leaves alone: pods and templates in these namespaces, and pods of these runtime classes.
     * Kube's third exemption, by username, waits for the gateway to authenticate its clients: no request has a user yet.
     */
    @ConfigurationProperties("exemptions")
    public static class Exemptions {
        private List<String> namespaces = List.of();
        private List<String> runtimeClasses = List.of();
        private List<String> usernames = List.of();

        /** Requests of these users (authenticated, impersonation applied) are not checked, as kube's {@code usernames}. */
        public List<String> getUsernames() {
            return usernames;
        }

        public void setUsernames(List<String> usernames) {
            this.usernames = usernames;
        }

        public List<String> getNamespaces() {
            return namespaces;
        }

        public void setNamespaces(List<String> namespaces) {
            this.namespaces = namespaces;
        }

        public List<String> getRuntimeClasses() {
            return runtimeClasses;
        }

        public void setRuntimeClasses(List<String> runtimeClasses) {
            this.runtimeClasses = runtimeClasses;
        }
    }
}
