package io.kubus.schema.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IP and CIDR rules of Kubernetes 1.32, on the inputs Go's sloppy parser accepts and refuses. */
class IpAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.9.8.7", "0.0.0.0", "255.255.255.255", "010.001.0.1", "::", "::1", "2001:db8::ffff",
            "fe80::1:2:3:4", "::ffff:10.1.2.3", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "0001:02::03"})
    void ips(String ip) {
        assertTrue(IpAddresses.isIp(ip), ip);
        assertEquals(List.of(), IpAddresses.ip("f", ip));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/8", "a.b.c.d", " 1.2.3.4", "1:2:3:4:5:6:7:8:9",
            "1::2::3", "1:2:3:4:5:6:7:8::", ":1:2", "12345::", "fe80::1%eth0", "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "example.com"})
    void notIps(String text) {
        assertFalse(IpAddresses.isIp(text), text);
        assertEquals(List.of(FieldProblem.invalid("f", text, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")),
                IpAddresses.ip("f", text));
    }

    @Test
    void families() {
        assertEquals(List.of(), IpAddresses.ipv4("f", "10.0.0.1"));
        assertEquals(List.of(), IpAddresses.ipv4("f", "::ffff:10.0.0.1"), "an IPv4-mapped address counts as IPv4, as Go's To4 says");
        assertEquals(List.of(FieldProblem.invalid("f", "fd00::1", "must be a valid IPv4 address")), IpAddresses.ipv4("f", "fd00::1"));
        assertEquals(List.of(), IpAddresses.ipv6("f", "fd00::1"));
        assertEquals(List.of(FieldProblem.invalid("f", "10.0.0.1", "must be a valid IPv6 address")), IpAddresses.ipv6("f", "10.0.0.1"));
        assertEquals(List.of(FieldProblem.invalid("f", "x", "must be a valid IPv6 address")), IpAddresses.ipv6("f", "x"));
    }

    @Test
    void endpointAddressesMayNotBeSpecial() {
        assertEquals(List.of(), IpAddresses.endpointIp("f", "10.1.2.3"));
        assertEquals(List.of(), IpAddresses.endpointIp("f", "2001:db8::1"));
        assertEquals(List.of(FieldProblem.invalid("f", "0.0.0.0", "may not be unspecified (0.0.0.0)")), IpAddresses.endpointIp("f", "0.0.0.0"));
        assertEquals(List.of(FieldProblem.invalid("f", "::", "may not be unspecified (::)")), IpAddresses.endpointIp("f", "::"));
        assertEquals(List.of(FieldProblem.invalid("f", "127.1.2.3", "may not be in the loopback range (127.0.0.0/8, ::1/128)")),
                IpAddresses.endpointIp("f", "127.1.2.3"));
        assertEquals(List.of(FieldProblem.invalid("f", "::1", "may not be in the loopback range (127.0.0.0/8, ::1/128)")),
                IpAddresses.endpointIp("f", "::1"));
        assertEquals(List.of(FieldProblem.invalid("f", "169.254.169.254", "may not be in the link-local range (169.254.0.0/16, fe80::/10)")),
                IpAddresses.endpointIp("f", "169.254.169.254"));
        assertEquals(List.of(FieldProblem.invalid("f", "fe80::1", "may not be in the link-local range (169.254.0.0/16, fe80::/10)")),
                IpAddresses.endpointIp("f", "fe80::1"));
        assertEquals(List.of(FieldProblem.invalid("f", "224.0.0.251",
                "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")), IpAddresses.endpointIp("f", "224.0.0.251"));
        assertEquals(List.of(FieldProblem.invalid("f", "nope", "must be a valid IP address")), IpAddresses.endpointIp("f", "nope"));
    }

    @Test
    void cidrs() {
        for (String ok : List.of("10.0.0.0/8", "10.1.2.3/8", "0.0.0.0/0", "2001:db8::/64", "::/0", "010.0.0.0/08")) {
            assertEquals(List.of(), IpAddresses.cidr("f", ok), ok);
        }
        for (String bad : List.of("10.0.0.0", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "/8", "10.0.0.0/a", "10.0.0.0/8/8")) {
            assertEquals(List.of(FieldProblem.invalid("f", bad, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")),
                    IpAddresses.cidr("f", bad), bad);
        }
    }

    @Test
    void cidrContainmentAsGoComputesIt() {
        IpAddresses.Cidr block = IpAddresses.parseCidr("172.17.0.0/16").orElseThrow();
        assertEquals(16, block.ones());
        IpAddresses.Cidr inside = IpAddresses.parseCidr("172.17.9.8/24").orElseThrow();
        assertEquals(24, inside.ones());
        assertTrue(block.contains(inside.network()));
        assertFalse(block.contains(IpAddresses.parseCidr("172.18.0.0/24").orElseThrow().network()));
        assertFalse(block.contains(IpAddresses.parseCidr("fd00::/64").orElseThrow().network()), "no family mixing");
        IpAddresses.Cidr v6 = IpAddresses.parseCidr("fd00::/8").orElseThrow();
        assertTrue(v6.contains(IpAddresses.parseCidr("fd00:1::/32").orElseThrow().network()));
        assertEquals(8, v6.ones());
    }
}
