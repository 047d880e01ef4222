package io.kubus.schema.validation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Kubernetes name validators (k8s.io/apimachinery/pkg/util/validation). Each returns the list of
 * Kubernetes' own error detail strings; an empty list means the value is valid. Callers wrap the strings
 * into {@link FieldProblem}s with their own field path.
 */
public final class Names {

    public static final int DNS1123_LABEL_MAX_LENGTH = 63;
    public static final int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
    public static final int QUALIFIED_NAME_MAX_LENGTH = 63;
    public static final int LABEL_VALUE_MAX_LENGTH = 63;

    static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
    static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";

    private static final String QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', "
            + "and must start and end with an alphanumeric character";
    private static final String LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric "
            + "characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private static final String DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case "
            + "alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private static final String DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    static final String CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+";
    private static final String DNS1035_LABEL_ERR = "a DNS-1035 label must consist of lower case alphanumeric "
            + "characters or '-', start with an alphabetic character, and end with an alphanumeric character";

    // Pattern.matches() is a whole-input match, which is what Go's "^...$" (no multiline) means.
    private static final Pattern QUALIFIED_NAME = Pattern.compile(QUALIFIED_NAME_FMT);
    private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);
    private static final Pattern DNS1123_LABEL = Pattern.compile(DNS1123_LABEL_FMT);
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(DNS1123_SUBDOMAIN_FMT);
    private static final Pattern DNS1035_LABEL = Pattern.compile(DNS1035_LABEL_FMT);
    private static final Pattern CONFIG_KEY = Pattern.compile(CONFIG_KEY_FMT);
    private static final Pattern PORT_NAME_CHARS = Pattern.compile("[-a-z0-9]+");
    private static final Pattern PORT_NAME_HAS_LETTER = Pattern.compile("[a-z]");

    private Names() {
    }

    /** Kubernetes {@code IsDNS1123Subdomain}: most object names (≤253, lowercase, dots allowed). */
    public static List<String> dns1123Subdomain(String value) {
        String v = nullToEmpty(value);
        List<String> errs = new ArrayList<>(2);
        if (byteLength(v) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
        }
        if (!DNS1123_SUBDOMAIN.matcher(v).matches()) {
            errs.add(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
        }
        return List.copyOf(errs);
    }

    /** Kubernetes {@code IsDNS1123Label}: namespaces, service names (≤63, lowercase, no dots). */
    public static List<String> dns1123Label(String value) {
        String v = nullToEmpty(value);
        List<String> errs = new ArrayList<>(2);
        if (byteLength(v) > DNS1123_LABEL_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_LABEL_MAX_LENGTH));
        }
        if (!DNS1123_LABEL.matcher(v).matches()) {
            // A valid subdomain that is not a valid label can only be failing because of its dots;
            // Kubernetes says so rather than printing the generic regex message.
            if (DNS1123_SUBDOMAIN.matcher(v).matches()) {
                errs.add("must not contain dots");
            } else {
                errs.add(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"));
            }
        }
        return List.copyOf(errs);
    }

    /** Kubernetes {@code IsQualifiedName}: label and annotation keys, {@code [prefix/]name}. */
    public static List<String> qualifiedName(String value) {
        String v = nullToEmpty(value);
        List<String> errs = new ArrayList<>(2);
        String[] parts = v.split("/", -1);
        String name;
        switch (parts.length) {
            case 1 -> name = parts[0];
            case 2 -> {
                String prefix = parts[0];
                name = parts[1];
                if (prefix.isEmpty()) {
                    errs.add("prefix part " + emptyError());
                } else {
                    for (String msg : dns1123Subdomain(prefix)) {
                        errs.add("prefix part " + msg);
                    }
                }
            }
            default -> {
                return List.of("a qualified name "
                        + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
                        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            }
        }
        if (name.isEmpty()) {
            errs.add("name part " + emptyError());
        } else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) {
            errs.add("name part " + maxLenError(QUALIFIED_NAME_MAX_LENGTH));
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            errs.add("name part " + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
        }
        return List.copyOf(errs);
    }

    /** Kubernetes {@code IsValidLabelValue}: may be empty, otherwise like a qualified name's name part. */
    public static List<String> labelValue(String value) {
        String v = nullToEmpty(value);
        List<String> errs = new ArrayList<>(2);
        if (byteLength(v) > LABEL_VALUE_MAX_LENGTH) {
            errs.add(maxLenError(LABEL_VALUE_MAX_LENGTH));
        }
        if (!LABEL_VALUE.matcher(v).matches()) {
            errs.add(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return List.copyOf(errs);
    }

    /** Kubernetes {@code IsDNS1035Label}: service names, which become DNS labels that must start with a letter. */
    public static List<String> dns1035Label(String value) {
        String v = nullToEmpty(value);
        List<String> errs = new ArrayList<>(2);
        if (byteLength(v) > DNS1123_LABEL_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_LABEL_MAX_LENGTH));
        }
        if (!DNS1035_LABEL.matcher(v).matches()) {
            errs.add(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"));
        }
        return List.copyOf(errs);
    }

    /** Kubernetes {@code IsConfigMapKey}: ConfigMap and Secret keys, file names when mounted. */
    public static List<String> configKey(String value) {
        String v = nullToEmpty(value);
        List<String> errs = new ArrayList<>(3);
        if (byteLength(v) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
        }
        if (!CONFIG_KEY.matcher(v).matches()) {
            errs.add(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                    CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
        }
        if (v.equals(".")) {
            errs.add("must not be '.'");
        } else if (v.equals("..")) {
            errs.add("must not be '..'");
        } else if (v.startsWith("..")) {
            errs.add("must not start with '..'");
        }
        return List.copyOf(errs);
    }

    /** Kubernetes {@code IsValidPortName} (IANA_SVC_NAME): named container and service ports. */
    public static List<String> portName(String value) {
        String v = nullToEmpty(value);
        List<String> errs = new ArrayList<>(4);
        if (v.length() > 15) {
            errs.add("must be no more than 15 characters");
        }
        if (!PORT_NAME_CHARS.matcher(v).matches()) {
            errs.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (v.contains("--")) {
            errs.add("must not contain consecutive hyphens");
        }
        if (!PORT_NAME_HAS_LETTER.matcher(v).find()) {
            errs.add("must contain at least one letter (a-z)");
        }
        if (v.startsWith("-") || v.endsWith("-")) {
            errs.add("must not begin or end with a hyphen");
        }
        return List.copyOf(errs);
    }

    /** Kubernetes {@code IsValidPortNum}: 1 to 65535. */
    public static List<String> portNumber(long port) {
        return port >= 1 && port <= 65535 ? List.of() : List.of("must be between 1 and 65535, inclusive");
    }

    /** Environment variable names under RelaxedEnvironmentVariableValidation (on by default since 1.32). */
    public static List<String> envVarName(String value) {
        String v = nullToEmpty(value);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 32 || c > 126 || c == '=') {
                return List.of("a valid environment variable name must consist only of printable ASCII characters "
                        + "other than '='");
            }
        }
        return List.of();
    }

    /**
     * Kubernetes {@code path.IsValidPathSegmentName}: names that become one segment of a URL path (RBAC roles and
     * bindings, which are not DNS names).
     */
    public static List<String> pathSegmentName(String value) {
        String v = nullToEmpty(value);
        if (v.equals(".") || v.equals("..")) {
            return List.of("may not be '" + v + "'");
        }
        List<String> errs = new ArrayList<>(2);
        for (String illegal : List.of("/", "%")) {
            if (v.contains(illegal)) {
                errs.add("may not contain '" + illegal + "'");
            }
        }
        return List.copyOf(errs);
    }

    static final String WILDCARD_DNS1123_SUBDOMAIN_FMT = "\\*\\." + DNS1123_SUBDOMAIN_FMT;
    private static final Pattern WILDCARD_DNS1123_SUBDOMAIN = Pattern.compile(WILDCARD_DNS1123_SUBDOMAIN_FMT);
    /** RFC 3986's path characters: unreserved, percent-encoded octets, sub-delims and ':'. */
    static final String HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
    private static final Pattern HTTP_PATH = Pattern.compile(HTTP_PATH_FMT);

    /** Kubernetes {@code IsWildcardDNS1123Subdomain}: {@code *.} then a DNS subdomain (Ingress hosts, TLS hosts). */
    public static List<String> wildcardDns1123Subdomain(String value) {
        String v = nullToEmpty(value);
        List<String> errs = new ArrayList<>(2);
        if (byteLength(v) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
        }
        if (!WILDCARD_DNS1123_SUBDOMAIN.matcher(v).matches()) {
            errs.add(regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
                    + "which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric "
                    + "character", WILDCARD_DNS1123_SUBDOMAIN_FMT, "*.example.com"));
        }
        return List.copyOf(errs);
    }

    /**
     * Kubernetes {@code IsDomainPrefixedPath} (an IngressClass's controller, {@code acme.io/foo}): a DNS subdomain, a
     * '/', then HTTP path characters. Its problems name the part at fault as the value, as Kubernetes' do.
     */
    public static List<FieldProblem> domainPrefixedPath(String field, String value) {
        String v = nullToEmpty(value);
        if (v.isEmpty()) {
            return List.of(FieldProblem.required(field, ""));
        }
        int slash = v.indexOf('/');
        if (slash <= 0 || slash == v.length() - 1) {
            return List.of(FieldProblem.invalid(field, v, "must be a domain-prefixed path (such as \"acme.io/foo\")"));
        }
        String host = v.substring(0, slash);
        String path = v.substring(slash + 1);
        List<FieldProblem> problems = new ArrayList<>();
        for (String m : dns1123Subdomain(host)) {
            problems.add(FieldProblem.invalid(field, host, m));
        }
        if (!HTTP_PATH.matcher(path).matches()) {
            problems.add(FieldProblem.invalid(field, path, regexError("Invalid path", HTTP_PATH_FMT)));
        }
        return List.copyOf(problems);
    }

    /**
     * Kubernetes {@code IsFullyQualifiedDomainName} (FQDN EndpointSlice addresses): a DNS subdomain of at least two
     * labels, a trailing dot allowed; it stops at the first problem.
     */
    public static List<FieldProblem> fullyQualifiedDomainName(String field, String value) {
        String name = nullToEmpty(value);
        if (name.isEmpty()) {
            return List.of(FieldProblem.required(field, ""));
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        List<String> errs = dns1123Subdomain(name);
        if (!errs.isEmpty()) {
            return List.of(FieldProblem.invalid(field, name, String.join(",", errs)));
        }
        String[] labels = name.split("\\.", -1);
        if (labels.length < 2) {
            return List.of(FieldProblem.invalid(field, name, "should be a domain with at least two segments separated by dots"));
        }
        for (String label : labels) {
            List<String> labelErrs = dns1123Label(label);
            if (!labelErrs.isEmpty()) {
                return List.of(FieldProblem.invalid(field, label, String.join(",", labelErrs)));
            }
        }
        return List.of();
    }

    static String emptyError() {
        return "must be non-empty";
    }

    static String maxLenError(int length) {
        return "must be no more than " + length + " characters";
    }

    // Same text (including its odd ",  or" spacing) as Kubernetes' RegexError, so messages compare equal.
    static String regexError(String msg, String fmt, String... examples) {
        if (examples.length == 0) {
            return msg + " (regex used for validation is '" + fmt + "')";
        }
        StringBuilder sb = new StringBuilder(msg).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                sb.append(" or ");
            }
            sb.append('\'').append(examples[i]).append("', ");
        }
        return sb.append("regex used for validation is '").append(fmt).append("')").toString();
    }

    // Kubernetes counts bytes (Go len), not UTF-16 units.
    private static int byteLength(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
