package io.kubus.agent.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;

import java.util.ArrayList;
import java.util.List;

/**
 * SPDY/3.1 frames to and from bytes with Netty's codec, for a SPDY session that travels inside WebSocket messages
 * rather than on a socket of its own. The codec runs in an {@link EmbeddedChannel}, which keeps the connection's
 * header compression state (one zlib stream each way, as SPDY requires); callers serialize access.
 */
final class SpdyFraming implements AutoCloseable {
    private final EmbeddedChannel channel = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));

    /** The frames these bytes complete; the caller releases them. */
    List<SpdyFrame> decode(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        List<SpdyFrame> frames = new ArrayList<>();
        for (Object o = channel.readInbound(); o != null; o = channel.readInbound()) {
            frames.add((SpdyFrame) o);
        }
        return frames;
    }

    /** The bytes of a frame (released here). */
    byte[] encode(SpdyFrame frame) {
        channel.writeOutbound(frame);
        ByteBuf out = Unpooled.buffer();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            out.writeBytes(b);
            b.release();
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
