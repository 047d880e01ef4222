package io.kubus.gateway.wire;

import io.kubus.gateway.api.ExecProtocol;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The exec protocols' negotiation and framing, as pure logic (the node agent's ExecClientsTest runs them end to end
 * against real containers): what the kubelet's handshake picks, and how each protocol's messages map to v5's.
 */
class ExecProtocolTest {
    private static final byte[] SUCCESS = "\u0003{\"metadata\":{},\"status\":\"Success\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] FAILURE = ("\u0003{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated"
            + " with non-zero exit code: 3\",\"reason\":\"NonZeroExitCode\"}").getBytes(StandardCharsets.UTF_8);

    @Test
    void theClientsOrderDecides() {
        assertEquals(ExecProtocol.V4, ExecProtocol.negotiate(List.of("v4.channel.k8s.io, v5.channel.k8s.io")));
        assertEquals(ExecProtocol.V5, ExecProtocol.negotiate(List.of("v5.channel.k8s.io", "v4.channel.k8s.io")));
        assertEquals(ExecProtocol.V4_BASE64, ExecProtocol.negotiate(List.of("nope", "v4.base64.channel.k8s.io")));
        assertEquals(ExecProtocol.V1, ExecProtocol.negotiate(List.of()), "no offer is channel.k8s.io");
        assertEquals(ExecProtocol.V1, ExecProtocol.negotiate(List.of(" ")), "a blank offer is none");
        assertNull(ExecProtocol.negotiate(List.of("v3.channel.k8s.io", "v2.channel.k8s.io")),
                "SPDY's versions are no WebSocket protocols");
        assertNull(ExecProtocol.negotiate(List.of("SPDY/3.1+portforward.k8s.io")));
    }

    @Test
    void theRefusalNamesTheOffersAndTheSupportedAsWsstreamDoes() {
        assertEquals("requested protocol(s) are not supported: [a b]; supports [v5.channel.k8s.io "
                + "v5.base64.channel.k8s.io v4.channel.k8s.io v4.base64.channel.k8s.io channel.k8s.io "
                + "base64.channel.k8s.io]", ExecProtocol.refusal(List.of("a, b")));
    }

    @Test
    void onlyV5KeepsTheClientsCloseMessage() {
        byte[] close = {(byte) 255, 0};
        assertArrayEquals(close, ExecProtocol.V5.toAgent(close));
        assertNull(ExecProtocol.V4.toAgent(close));
        assertNull(ExecProtocol.V1.toAgent(close));
        assertArrayEquals(new byte[]{0, 'a'}, ExecProtocol.V4.toAgent(new byte[]{0, 'a'}));
        assertNull(ExecProtocol.V4.toAgent(new byte[0]));
    }

    @Test
    void base64ClientsSendADigitAndBase64() {
        assertArrayEquals(new byte[]{0, 'h', 'i'}, ExecProtocol.V4_BASE64.toAgent("0aGk=".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(new byte[]{4}, ExecProtocol.V1_BASE64.toAgent("4".getBytes(StandardCharsets.US_ASCII)));
        assertNull(ExecProtocol.V4_BASE64.toAgent("0%%%".getBytes(StandardCharsets.US_ASCII)), "not base64: dropped");
        assertNull(ExecProtocol.V4_BASE64.toAgent("xaGk=".getBytes(StandardCharsets.US_ASCII)), "no channel digit");
    }

    @Test
    void theResultIsAStatusFromV4OnAndAMessageBefore() {
        assertArrayEquals(SUCCESS, (byte[]) ExecProtocol.V4.toClient(SUCCESS));
        assertArrayEquals(SUCCESS, (byte[]) ExecProtocol.V5.toClient(SUCCESS));
        assertNull(ExecProtocol.V1.toClient(SUCCESS), "channel.k8s.io sends nothing for a success");
        assertArrayEquals("\u0003command terminated with non-zero exit code: 3".getBytes(StandardCharsets.UTF_8),
                (byte[]) ExecProtocol.V1.toClient(FAILURE));
        assertEquals("3Y29tbWFuZCB0ZXJtaW5hdGVkIHdpdGggbm9uLXplcm8gZXhpdCBjb2RlOiAz", ExecProtocol.V1_BASE64.toClient(FAILURE));
        assertEquals("1aGk=", ExecProtocol.V4_BASE64.toClient(new byte[]{1, 'h', 'i'}));
    }

    @Test
    void theFirstMessageIsEmptyOnTheLowestChannelTheClientReads() {
        assertArrayEquals(new byte[]{1}, (byte[]) ExecProtocol.V4.opened(true, true));
        assertArrayEquals(new byte[]{2}, (byte[]) ExecProtocol.V5.opened(false, true));
        assertArrayEquals(new byte[]{3}, (byte[]) ExecProtocol.V5.opened(false, false));
        assertEquals("1", ExecProtocol.V4_BASE64.opened(true, false));
    }
}
