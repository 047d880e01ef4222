package io.kubus.gateway.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The name formats of k8s.io/apimachinery/pkg/util/validation, returning its error strings (empty when valid),
 * because kubectl users search for these exact texts.
 */
final class Names {
    private static final String LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS1123_LABEL = Pattern.compile(LABEL_FMT);
    private static final String SUBDOMAIN_FMT = LABEL_FMT + "(\\." + LABEL_FMT + ")*";
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(SUBDOMAIN_FMT);
    private static final String DNS1035_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS1035_LABEL = Pattern.compile(DNS1035_FMT);
    private static final String QUALIFIED_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final Pattern QUALIFIED = Pattern.compile(QUALIFIED_FMT);
    private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_FMT + ")?";
    private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);
    private static final String CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+";
    private static final Pattern CONFIG_KEY = Pattern.compile(CONFIG_KEY_FMT);
    private static final Pattern PORT_NAME_CHARS = Pattern.compile("[-a-z0-9]+");
    private static final Pattern HAS_LETTER = Pattern.compile(".*[a-z].*");

    private Names() {
    }

    static List<String> dns1123Label(String v) {
        List<String> errs = new ArrayList<>();
        if (v.length() > 63) {
            errs.add("must be no more than 63 characters");
        }
        if (!DNS1123_LABEL.matcher(v).matches()) {
            errs.add(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                    LABEL_FMT, "my-name", "123-abc"));
        }
        return errs;
    }

    static List<String> dns1123Subdomain(String v) {
        List<String> errs = new ArrayList<>();
        if (v.length() > 253) {
            errs.add("must be no more than 253 characters");
        }
        if (!DNS1123_SUBDOMAIN.matcher(v).matches()) {
            errs.add(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                    SUBDOMAIN_FMT, "example.com"));
        }
        return errs;
    }

    static List<String> dns1035Label(String v) {
        List<String> errs = new ArrayList<>();
        if (v.length() > 63) {
            errs.add("must be no more than 63 characters");
        }
        if (!DNS1035_LABEL.matcher(v).matches()) {
            errs.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                    DNS1035_FMT, "my-name", "abc-123"));
        }
        return errs;
    }

    /** Label and annotation keys: an optional DNS subdomain prefix and '/', then a name of up to 63 characters. */
    static List<String> qualifiedName(String v) {
        List<String> errs = new ArrayList<>();
        String[] parts = v.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()) {
                errs.add("prefix part must be non-empty");
            } else {
                for (String e : dns1123Subdomain(prefix)) {
                    errs.add("prefix part " + e);
                }
            }
        } else {
            errs.add(regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                    QUALIFIED_FMT, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return errs;
        }
        if (name.isEmpty()) {
            errs.add("name part must be non-empty");
        } else if (name.length() > 63) {
            errs.add("name part must be no more than 63 characters");
        }
        if (!name.isEmpty() && !QUALIFIED.matcher(name).matches()) {
            errs.add("name part " + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                    QUALIFIED_FMT, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    static List<String> labelValue(String v) {
        List<String> errs = new ArrayList<>();
        if (v.length() > 63) {
            errs.add("must be no more than 63 characters");
        }
        if (!LABEL_VALUE.matcher(v).matches()) {
            errs.add(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                    LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    static List<String> configKey(String v) {
        List<String> errs = new ArrayList<>();
        if (v.length() > 253) {
            errs.add("must be no more than 253 characters");
        }
        if (!CONFIG_KEY.matcher(v).matches()) {
            errs.add(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                    CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
        }
        if (v.equals(".") || v.equals("..") || v.startsWith("..")) {
            errs.add(v.startsWith("..") && v.length() > 2 ? "must not start with '..'" : "must not be '" + v + "'");
        }
        return errs;
    }

    /** IANA_SVC_NAME: the name of a container port. */
    static List<String> portName(String v) {
        List<String> errs = new ArrayList<>();
        if (v.length() > 15) {
            errs.add("must be no more than 15 characters");
        }
        if (!PORT_NAME_CHARS.matcher(v).matches()) {
            errs.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (v.contains("--")) {
            errs.add("must not contain consecutive hyphens");
        }
        if (!HAS_LETTER.matcher(v).matches()) {
            errs.add("must contain at least one letter (a-z)");
        }
        if (v.startsWith("-") || v.endsWith("-")) {
            errs.add("must not begin or end with a hyphen");
        }
        return errs;
    }

    /** Environment variable names since RelaxedEnvironmentVariableValidation (on by default in 1.32). */
    static List<String> envVarName(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 32 || c > 126 || c == '=') {
                return List.of("a valid environment variable name must consist only of printable ASCII characters other than '='");
            }
        }
        return List.of();
    }

    private static String regexError(String msg, String fmt, String... examples) {
        StringBuilder sb = new StringBuilder(msg).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                sb.append(",  or ");
            }
            sb.append('\'').append(examples[i]).append('\'');
        }
        return sb.append(", regex used for validation is '").append(fmt).append("')").toString();
    }
}
