package io.kubus.agent.server;

/** The {@code v5.channel.k8s.io} WebSocket framing of exec: one channel byte, then the data. */
final class V5 {
    static final String PROTOCOL = "v5.channel.k8s.io";
    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int ERROR = 3;
    static final int CLOSE = 255;

    private V5() {
    }

    static byte[] frame(int channel, byte[] data, int offset, int length) {
        byte[] frame = new byte[length + 1];
        frame[0] = (byte) channel;
        System.arraycopy(data, offset, frame, 1, length);
        return frame;
    }
}
