package io.kubus.schema.validation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Kubernetes 1.32's IsWildcardDNS1123Subdomain, IsDomainPrefixedPath and IsFullyQualifiedDomainName. */
class HostAndPathNamesTest {
    private static final String WILDCARD = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
            + "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric "
            + "character (e.g. '*.example.com', regex used for validation is "
            + "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    @Test
    void wildcardSubdomains() {
        for (String ok : List.of("*.example.com", "*.a", "*.foo-1.bar")) {
            assertEquals(List.of(), Names.wildcardDns1123Subdomain(ok), ok);
        }
        for (String bad : List.of("*", "*example.com", "foo.*.com", "*.*.com", "*.Example.com", "f*.com", "")) {
            assertEquals(List.of(WILDCARD), Names.wildcardDns1123Subdomain(bad), bad);
        }
        assertEquals(List.of("must be no more than 253 characters"), Names.wildcardDns1123Subdomain("*." + "a".repeat(252)));
    }

    @Test
    void domainPrefixedPaths() {
        assertEquals(List.of(), Names.domainPrefixedPath("c", "k8s.io/ingress-nginx"));
        assertEquals(List.of(), Names.domainPrefixedPath("c", "acme.io/foo/bar~baz:1"));
        assertEquals(List.of(FieldProblem.required("c", "")), Names.domainPrefixedPath("c", ""));
        for (String bad : List.of("nginx", "/foo", "acme.io/")) {
            assertEquals(List.of(FieldProblem.invalid("c", bad, "must be a domain-prefixed path (such as \"acme.io/foo\")")),
                    Names.domainPrefixedPath("c", bad), bad);
        }
        assertEquals(List.of(FieldProblem.invalid("c", "Acme.io", Names.dns1123Subdomain("Acme.io").get(0)),
                        FieldProblem.invalid("c", "a b", "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')")),
                Names.domainPrefixedPath("c", "Acme.io/a b"));
    }

    @Test
    void fullyQualifiedDomainNames() {
        assertEquals(List.of(), Names.fullyQualifiedDomainName("a", "example.com"));
        assertEquals(List.of(), Names.fullyQualifiedDomainName("a", "db.example.com."));
        assertEquals(List.of(FieldProblem.required("a", "")), Names.fullyQualifiedDomainName("a", ""));
        assertEquals(List.of(FieldProblem.invalid("a", "localhost", "should be a domain with at least two segments separated by dots")),
                Names.fullyQualifiedDomainName("a", "localhost."));
        assertEquals(List.of(FieldProblem.invalid("a", "Example.com", Names.dns1123Subdomain("Example.com").get(0))),
                Names.fullyQualifiedDomainName("a", "Example.com"));
        String longLabel = "a".repeat(64);
        assertEquals(List.of(FieldProblem.invalid("a", longLabel, "must be no more than 63 characters")),
                Names.fullyQualifiedDomainName("a", longLabel + ".com"));
    }
}
