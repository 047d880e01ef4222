package io.kubus.agent.dns;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding the agent's own address in the pod network's subnets. */
class LocalAddressTest {
    @Test
    void subnetsContainTheirAddressesOnly() throws Exception {
        assertTrue(LocalAddress.contains("172.17.0.0/16", InetAddress.getByName("172.17.0.1")));
        assertTrue(LocalAddress.contains("172.17.0.0/16", InetAddress.getByName("172.17.255.254")));
        assertFalse(LocalAddress.contains("172.17.0.0/16", InetAddress.getByName("172.18.0.1")));
        assertTrue(LocalAddress.contains("10.0.0.0/9", InetAddress.getByName("10.127.0.1")));
        assertFalse(LocalAddress.contains("10.0.0.0/9", InetAddress.getByName("10.128.0.1")));
        assertFalse(LocalAddress.contains("fd00::/8", InetAddress.getByName("10.0.0.1")), "another family");
        assertTrue(LocalAddress.contains("fd00::/8", InetAddress.getByName("fd12::1")));
        assertFalse(LocalAddress.contains("not-a-cidr", InetAddress.getByName("10.0.0.1")));
    }

    @Test
    void theLoopbackSubnetFindsTheLoopbackAndAnUnusedOneNothing() {
        assertEquals(InetAddress.getLoopbackAddress(), LocalAddress.inSubnets(List.of("127.0.0.0/8")).orElseThrow());
        // TEST-NET-2: no interface of a test machine is in it
        assertTrue(LocalAddress.inSubnets(List.of("198.51.100.0/30")).isEmpty());
    }
}
