package io.kubus.schema.validation;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes' IP and CIDR validators (k8s.io/apimachinery/pkg/util/validation IsValidIP, IsValidIPv4Address,
 * IsValidIPv6Address, IsValidCIDR; pkg/apis/core/validation ValidateEndpointIP), with their messages, over the
 * parser Kubernetes uses: k8s.io/utils/net ParseIPSloppy and ParseCIDRSloppy, Go's net parser from before Go 1.17,
 * which still accepts IPv4 octets with leading zeros ("010.0.0.1" is 10.0.0.1).
 */
public final class IpAddresses {
    private static final int BIG = 0xFFFFFF;

    private IpAddresses() {
    }

    /** IsValidIP. */
    public static List<FieldProblem> ip(String field, String value) {
        return parse(value) == null
                ? List.of(FieldProblem.invalid(field, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
                : List.of();
    }

    /** IsValidIPv4Address: an IPv4 address, or an IPv4-mapped IPv6 one, as Go's To4 counts it. */
    public static List<FieldProblem> ipv4(String field, String value) {
        byte[] ip = parse(value);
        return ip == null || to4(ip) == null
                ? List.of(FieldProblem.invalid(field, value, "must be a valid IPv4 address")) : List.of();
    }

    /** IsValidIPv6Address. */
    public static List<FieldProblem> ipv6(String field, String value) {
        byte[] ip = parse(value);
        return ip == null || to4(ip) != null
                ? List.of(FieldProblem.invalid(field, value, "must be a valid IPv6 address")) : List.of();
    }

    /** IsValidCIDR. */
    public static List<FieldProblem> cidr(String field, String value) {
        return parseCidr(value).isEmpty()
                ? List.of(FieldProblem.invalid(field, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
                : List.of();
    }

    /**
     * ValidateEndpointIP: an endpoint's address may not be unspecified, loopback or link-local, which are either
     * nonsensical as endpoints or used for node-centric purposes (a metadata service).
     */
    public static List<FieldProblem> endpointIp(String field, String value) {
        byte[] ip = parse(value);
        if (ip == null) {
            return List.of(FieldProblem.invalid(field, value, "must be a valid IP address"));
        }
        byte[] v4 = to4(ip);
        List<FieldProblem> problems = new java.util.ArrayList<>();
        boolean unspecified = v4 != null ? Arrays.equals(v4, new byte[4]) : Arrays.equals(ip, new byte[16]);
        if (unspecified) {
            problems.add(FieldProblem.invalid(field, value, "may not be unspecified (" + value + ")"));
        }
        byte[] loopback6 = new byte[16];
        loopback6[15] = 1;
        if (v4 != null ? v4[0] == 127 : Arrays.equals(ip, loopback6)) {
            problems.add(FieldProblem.invalid(field, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
        }
        if (v4 != null ? (v4[0] & 0xff) == 169 && (v4[1] & 0xff) == 254 : (ip[0] & 0xff) == 0xfe && (ip[1] & 0xc0) == 0x80) {
            problems.add(FieldProblem.invalid(field, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
        }
        if (v4 != null ? (v4[0] & 0xff) == 224 && v4[1] == 0 && v4[2] == 0 : (ip[0] & 0xff) == 0xff && (ip[1] & 0x0f) == 0x02) {
            problems.add(FieldProblem.invalid(field, value,
                    "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
        }
        return List.copyOf(problems);
    }

    /** ParseIPSloppy(value).To4(): the four bytes of an IPv4 (or IPv4-mapped) address, or null for others. */
    public static byte[] ipv4Bytes(String value) {
        byte[] ip = parse(value);
        return ip == null ? null : to4(ip);
    }

    /** True when Go's sloppy parser reads the text as an IP address (an Ingress host may not be one). */
    public static boolean isIp(String value) {
        return parse(value) != null;
    }

    /**
     * A CIDR as Go's IPNet holds it: the masked network address (4 bytes for an IPv4 CIDR or an IPv4-mapped network,
     * else 16) and the mask (4 bytes for an IPv4 CIDR, 16 for an IPv6 one).
     */
    public record Cidr(byte[] network, byte[] mask) {
        /** The mask's leading ones (Go's IPMask.Size). */
        public int ones() {
            int n = 0;
            for (byte b : mask) {
                n += Integer.bitCount(b & 0xff);
            }
            return n;
        }

        /** Go's IPNet.Contains. */
        public boolean contains(byte[] ip) {
            byte[] nn = to4(network) != null ? to4(network) : network;
            byte[] m = mask;
            if (m.length == 16 && nn.length == 4) {
                m = Arrays.copyOfRange(m, 12, 16);
            } else if (m.length == 4 && nn.length != 4) {
                return false;
            }
            byte[] x = to4(ip) != null ? to4(ip) : ip;
            if (x.length != nn.length) {
                return false;
            }
            for (int i = 0; i < x.length; i++) {
                if ((nn[i] & m[i]) != (x[i] & m[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** ParseCIDRSloppy: an address, '/', and a prefix length within the address's family. */
    public static Optional<Cidr> parseCidr(String value) {
        String s = value == null ? "" : value;
        int slash = s.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String addr = s.substring(0, slash);
        String maskText = s.substring(slash + 1);
        int length = 4;
        byte[] ip = parseIpv4(addr);
        if (ip == null) {
            length = 16;
            ip = parseIpv6(addr);
        }
        long[] n = decimal(maskText);
        if (ip == null || n == null || n[1] != maskText.length() || n[0] > 8L * length) {
            return Optional.empty();
        }
        byte[] mask = new byte[length];
        for (int bit = 0; bit < n[0]; bit++) {
            mask[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        // IP.Mask: an IPv4 mask on an IPv4(-mapped) address gives the 4-byte network
        byte[] base = length == 4 ? to4(ip) : ip;
        byte[] network = new byte[length];
        for (int i = 0; i < length; i++) {
            network[i] = (byte) (base[i] & mask[i]);
        }
        return Optional.of(new Cidr(network, mask));
    }

    /** ParseIPSloppy: the 16-byte form of an IPv4 or IPv6 address, or null; the first '.' or ':' decides which. */
    static byte[] parse(String value) {
        String s = value == null ? "" : value;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                return parseIpv4(s);
            }
            if (c == ':') {
                return parseIpv6(s);
            }
        }
        return null;
    }

    /** Go's IP.To4: the 4-byte form of an IPv4 or IPv4-mapped address, else null. */
    static byte[] to4(byte[] ip) {
        if (ip.length == 4) {
            return ip;
        }
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return null;
            }
        }
        return (ip[10] & 0xff) == 0xff && (ip[11] & 0xff) == 0xff ? Arrays.copyOfRange(ip, 12, 16) : null;
    }

    private static byte[] parseIpv4(String text) {
        String s = text;
        byte[] p = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (s.isEmpty()) {
                return null;
            }
            if (i > 0) {
                if (s.charAt(0) != '.') {
                    return null;
                }
                s = s.substring(1);
            }
            long[] n = decimal(s);
            if (n == null || n[0] > 0xFF) {
                return null;
            }
            s = s.substring((int) n[1]);
            p[i] = (byte) n[0];
        }
        if (!s.isEmpty()) {
            return null;
        }
        byte[] ip = new byte[16];
        ip[10] = (byte) 0xff;
        ip[11] = (byte) 0xff;
        System.arraycopy(p, 0, ip, 12, 4);
        return ip;
    }

    private static byte[] parseIpv6(String text) {
        String s = text;
        byte[] ip = new byte[16];
        int ellipsis = -1;
        if (s.length() >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
            ellipsis = 0;
            s = s.substring(2);
            if (s.isEmpty()) {
                return ip;
            }
        }
        int i = 0;
        while (i < 16) {
            long[] n = hex(s);
            if (n == null || n[0] > 0xFFFF) {
                return null;
            }
            int c = (int) n[1];
            if (c < s.length() && s.charAt(c) == '.') {
                // a trailing IPv4 address, only where its four bytes end the address
                if (ellipsis < 0 && i != 12 || i + 4 > 16) {
                    return null;
                }
                byte[] ip4 = parseIpv4(s);
                if (ip4 == null) {
                    return null;
                }
                System.arraycopy(ip4, 12, ip, i, 4);
                s = "";
                i += 4;
                break;
            }
            ip[i] = (byte) (n[0] >> 8);
            ip[i + 1] = (byte) n[0];
            i += 2;
            s = s.substring(c);
            if (s.isEmpty()) {
                break;
            }
            if (s.charAt(0) != ':' || s.length() == 1) {
                return null;
            }
            s = s.substring(1);
            if (s.charAt(0) == ':') {
                if (ellipsis >= 0) {
                    return null;
                }
                ellipsis = i;
                s = s.substring(1);
                if (s.isEmpty()) {
                    break;
                }
            }
        }
        if (!s.isEmpty()) {
            return null;
        }
        if (i < 16) {
            if (ellipsis < 0) {
                return null;
            }
            int n = 16 - i;
            for (int j = i - 1; j >= ellipsis; j--) {
                ip[j + n] = ip[j];
            }
            for (int j = ellipsis + n - 1; j >= ellipsis; j--) {
                ip[j] = 0;
            }
        } else if (ellipsis >= 0) {
            return null; // an ellipsis must stand for at least one group
        }
        return ip;
    }

    /** Go's dtoi: the leading decimal number and the characters it took, or null when there is none or it is huge. */
    private static long[] decimal(String s) {
        long n = 0;
        int i = 0;
        for (; i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9'; i++) {
            n = n * 10 + (s.charAt(i) - '0');
            if (n >= BIG) {
                return null;
            }
        }
        return i == 0 ? null : new long[] {n, i};
    }

    /** Go's xtoi: the leading hexadecimal number and the characters it took. */
    private static long[] hex(String s) {
        long n = 0;
        int i = 0;
        for (; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || s.charAt(i) > 'f') {
                break;
            }
            n = n * 16 + d;
            if (n >= BIG) {
                return null;
            }
        }
        return i == 0 ? null : new long[] {n, i};
    }
}
