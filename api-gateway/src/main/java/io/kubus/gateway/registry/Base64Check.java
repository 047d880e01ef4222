package io.kubus.gateway.registry;

/**
 * Where standard, padded base64 text goes wrong, as Go's encoding/base64 reports it: a []byte field's JSON (a
 * Secret's values, a CertificateSigningRequest's request and certificate).
 */
public final class Base64Check {
    private Base64Check() {
    }

    /** The offset of the first illegal input byte, or -1 when the text decodes. */
    public static int firstIllegal(String s) {
        int padding = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alphabet = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/';
            if (c == '=') {
                // padding only at the end of the last quantum, at most two
                if (i % 4 < 2 || ++padding > 2) {
                    return i;
                }
            } else if (!alphabet || padding > 0) {
                return i;
            }
        }
        if (s.length() % 4 != 0) {
            return s.length() - s.length() % 4;
        }
        return -1;
    }
}
