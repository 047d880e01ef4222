package io.kubus.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubus.schema.KubusJson;
import io.micronaut.core.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The WebSocket subprotocols of exec and attach, as the kubelet's remotecommand server (and, for v5, kube-apiserver's
 * stream translator) serves them, and what each changes in the framing. Every message carries one channel: 0 stdin,
 * 1 stdout, 2 stderr, 3 the result, 4 terminal resize.
 * <ul>
 *   <li>{@code channel.k8s.io} (also what a client that offers no protocol gets): binary messages, the channel
 *       byte then the data; channel 3 carries only the message of a failure, nothing on success.</li>
 *   <li>{@code v4.channel.k8s.io}: the same, and channel 3 carries the result as a metav1.Status in JSON, success
 *       too (fabric8 7.4 offers only this one).</li>
 *   <li>{@code v5.channel.k8s.io}: v4 and the client's CLOSE message, channel 255 followed by the channel it ends
 *       (kubectl's end of stdin; kubectl 1.32 offers only this one).</li>
 *   <li>{@code base64.channel.k8s.io}, {@code v4.base64...}, {@code v5.base64...}: text messages, the channel as an
 *       ASCII digit and the data in base64.</li>
 * </ul>
 * {@code v2.channel.k8s.io} and {@code v3.channel.k8s.io} are SPDY versions, which the kubelet never served over
 * WebSocket. The gateway answers the client in the protocol it negotiated and speaks v5 to the node agent.
 */
public enum ExecProtocol {
    V5("v5.channel.k8s.io", 5, false),
    V5_BASE64("v5.base64.channel.k8s.io", 5, true),
    V4("v4.channel.k8s.io", 4, false),
    V4_BASE64("v4.base64.channel.k8s.io", 4, true),
    V1("channel.k8s.io", 1, false),
    V1_BASE64("base64.channel.k8s.io", 1, true);

    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int ERROR = 3;
    public static final int CLOSE = 255;
    /** The list for the endpoint's annotation (Netty picks the client's first that is in it, as the kubelet does). */
    public static final String ALL = "v5.channel.k8s.io,v5.base64.channel.k8s.io,v4.channel.k8s.io,"
            + "v4.base64.channel.k8s.io,channel.k8s.io,base64.channel.k8s.io";

    private final String protocol;
    private final int version;
    private final boolean base64;

    ExecProtocol(String protocol, int version, boolean base64) {
        this.protocol = protocol;
        this.version = version;
        this.base64 = base64;
    }

    public String protocol() {
        return protocol;
    }

    public boolean base64() {
        return base64;
    }

    /**
     * The protocol the kubelet's handshake picks: the first of the client's offers (in its order) that is
     * supported; {@code channel.k8s.io} when it offers none; null when it offers only unknown ones (refused).
     *
     * @param offered the values of the client's Sec-WebSocket-Protocol headers, each a comma-separated list
     */
    public static @Nullable ExecProtocol negotiate(List<String> offered) {
        List<String> names = offers(offered);
        if (names.isEmpty()) {
            return V1;
        }
        for (String name : names) {
            for (ExecProtocol p : values()) {
                if (p.protocol.equals(name)) {
                    return p;
                }
            }
        }
        return null;
    }

    public static @Nullable ExecProtocol named(@Nullable String name) {
        for (ExecProtocol p : values()) {
            if (p.protocol.equals(name)) {
                return p;
            }
        }
        return null;
    }

    static List<String> offers(List<String> headers) {
        List<String> names = new ArrayList<>();
        for (String h : headers) {
            for (String part : h.split(",")) {
                if (!part.isBlank()) {
                    names.add(part.strip());
                }
            }
        }
        return names;
    }

    /** wsstream's refusal of a handshake that offers no protocol it knows (a 403 there, with no body). */
    public static String refusal(List<String> headers) {
        return "requested protocol(s) are not supported: " + offers(headers).toString().replace(",", "")
                + "; supports " + Arrays.toString(ALL.split(",")).replace(",", "");
    }

    /**
     * A client's message as the v5 binary message the agent takes, or null when this protocol has no such message:
     * a CLOSE from a client of v4 or older is a message for channel 255, which the kubelet drops.
     */
    public byte @Nullable [] toAgent(byte[] message) {
        if (message.length == 0) {
            return null;
        }
        if (!base64) {
            return (message[0] & 0xff) == CLOSE && version < 5 ? null : message;
        }
        return fromText(new String(message, StandardCharsets.UTF_8));
    }

    /** A client's text message (the base64 protocols) as a binary one; null for one that is no frame at all. */
    public byte @Nullable [] fromText(String text) {
        if (!base64 || text.isEmpty()) {
            return null;
        }
        int channel = text.charAt(0) - '0';
        if (channel < 0 || channel > 9) {
            return null;
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(text.substring(1).getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return null; // the kubelet logs "unable to write frame" and goes on
        }
        byte[] frame = new byte[data.length + 1];
        frame[0] = (byte) channel;
        System.arraycopy(data, 0, frame, 1, data.length);
        return frame;
    }

    /**
     * The agent's v5 message as this protocol sends it: a String for the text (base64) protocols, bytes for the
     * others, or null for nothing (the result of a command that succeeded, under channel.k8s.io).
     */
    public @Nullable Object toClient(byte[] message) {
        if (message.length == 0) {
            return null;
        }
        int channel = message[0] & 0xff;
        byte[] data = Arrays.copyOfRange(message, 1, message.length);
        if (channel == ERROR && version < 4) {
            data = v1Result(data);
            if (data == null) {
                return null;
            }
        }
        if (!base64) {
            byte[] frame = new byte[data.length + 1];
            frame[0] = (byte) channel;
            System.arraycopy(data, 0, frame, 1, data.length);
            return frame;
        }
        return (char) ('0' + channel) + Base64.getEncoder().encodeToString(data);
    }

    /** The first message of an exec, empty, on the lowest channel the client reads, to say the streams are open. */
    public Object opened(boolean stdout, boolean stderr) {
        int channel = stdout ? STDOUT : stderr ? STDERR : ERROR;
        return base64 ? String.valueOf((char) ('0' + channel)) : new byte[]{(byte) channel};
    }

    /** v1's result: the Status's message when it failed, nothing when it succeeded (remotecommand's v1WriteStatusFunc). */
    private static byte @Nullable [] v1Result(byte[] statusJson) {
        try {
            JsonNode status = KubusJson.json().readTree(statusJson);
            if ("Success".equals(status.path("status").asText())) {
                return null;
            }
            return status.path("message").asText("").getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            return statusJson;
        }
    }
}
