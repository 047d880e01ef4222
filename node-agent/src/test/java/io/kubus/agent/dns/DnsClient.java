package io.kubus.agent.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseDecoder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A DNS client for tests, on Netty's codec: one question over UDP or TCP, the response read back as plain values. */
public final class DnsClient implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    /** A response: its RCODE, TC flag, and per section the records as {@code TYPE data} (addresses, or raw sizes). */
    public record Reply(int id, String rcode, boolean truncated, boolean authoritative, List<String> answers,
                        List<String> authority, List<String> additional) {
    }

    public Reply ask(InetSocketAddress server, String name, DnsRecordType type, boolean tcp) throws Exception {
        int id = ThreadLocalRandom.current().nextInt(1, 65535);
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        SimpleChannelInboundHandler<DnsResponse> handler = new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DnsResponse r) {
                if (r.id() != id) {
                    reply.completeExceptionally(new AssertionError("answer to id " + r.id() + ", asked " + id));
                    return;
                }
                reply.complete(new Reply(r.id(), r.code().toString(), r.isTruncated(), r.isAuthoritativeAnswer(),
                        section(r, DnsSection.ANSWER), section(r, DnsSection.AUTHORITY), section(r, DnsSection.ADDITIONAL)));
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                reply.completeExceptionally(cause);
            }
        };
        Channel channel;
        if (tcp) {
            channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<NioSocketChannel>() {
                        @Override
                        protected void initChannel(NioSocketChannel ch) {
                            ch.pipeline().addLast(new TcpDnsQueryEncoder(), new TcpDnsResponseDecoder(), handler);
                        }
                    }).connect(server).sync().channel();
            channel.writeAndFlush(new DefaultDnsQuery(id).setRecursionDesired(true)
                    .setRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type))).sync();
        } else {
            channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<NioDatagramChannel>() {
                        @Override
                        protected void initChannel(NioDatagramChannel ch) {
                            ch.pipeline().addLast(new DatagramDnsQueryEncoder(), new DatagramDnsResponseDecoder(), handler);
                        }
                    }).bind(0).sync().channel();
            channel.writeAndFlush(new DatagramDnsQuery(null, server, id).setRecursionDesired(true)
                    .setRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type))).sync();
        }
        try {
            return reply.get(10, TimeUnit.SECONDS);
        } finally {
            channel.close();
        }
    }

    private static List<String> section(DnsResponse r, DnsSection section) {
        List<String> result = new ArrayList<>();
        for (int i = 0; i < r.count(section); i++) {
            DnsRecord rec = r.recordAt(section, i);
            String data = "";
            if (rec instanceof DnsRawRecord raw && (rec.type() == DnsRecordType.A || rec.type() == DnsRecordType.AAAA)) {
                byte[] bytes = new byte[raw.content().readableBytes()];
                raw.content().getBytes(raw.content().readerIndex(), bytes);
                try {
                    data = InetAddress.getByAddress(bytes).getHostAddress();
                } catch (java.net.UnknownHostException e) {
                    throw new AssertionError(e);
                }
            } else if (rec instanceof DnsRawRecord raw && rec.type() == DnsRecordType.SRV) {
                io.netty.buffer.ByteBuf c = raw.content().duplicate();
                data = c.readUnsignedShort() + " " + c.readUnsignedShort() + " " + c.readUnsignedShort() + " " + name(c);
            } else if (rec instanceof DnsRawRecord raw && rec.type() == DnsRecordType.CNAME) {
                data = name(raw.content().duplicate());
            } else if (rec instanceof DnsRawRecord raw) {
                data = raw.content().readableBytes() + "B";
            }
            result.add(rec.type().name() + " " + rec.name() + " " + rec.timeToLive() + " " + data);
        }
        return result;
    }

    /** An uncompressed name (this server does not compress; Netty decompresses CNAME data). */
    private static String name(io.netty.buffer.ByteBuf in) {
        StringBuilder b = new StringBuilder();
        for (int len = in.readUnsignedByte(); len > 0; len = in.readUnsignedByte()) {
            b.append(in.readCharSequence(len, java.nio.charset.StandardCharsets.US_ASCII)).append('.');
        }
        return b.toString();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
