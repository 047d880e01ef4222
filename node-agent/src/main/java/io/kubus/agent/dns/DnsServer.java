package io.kubus.agent.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The node's DNS server: the {@link ClusterZone} answered, everything else {@linkplain Forwarder forwarded}, over UDP
 * and TCP on one address and port. Netty's DNS codec reads and writes the messages.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    /** A UDP answer larger than this is truncated when the question carried no EDNS size (RFC 1035). */
    private static final int CLASSIC_UDP_SIZE = 512;
    /** An idle TCP client is dropped after this long (RFC 7766 suggests seconds). */
    private static final int TCP_IDLE_SECONDS = 10;
    private static final String UDP_ENCODER = "dns-encoder";
    /** A message of the largest size a 2-byte length names, with that length (Netty counts it in the frame). */
    private static final int MAX_TCP_FRAME = 2 + 65535;

    private final ClusterZone zone;
    private final Forwarder forwarder;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Decoder decoder = new Decoder();
    private final DnsWire wire = new DnsWire();
    private final Channel udp;
    private final Channel tcp;

    /**
     * Binds UDP and TCP on {@code address}:{@code port}; port 0 takes any port free for both, and so does a port
     * another server holds already: agents that share a host and its address on the pod network (two nodes of
     * {@code ./kubus up}) each get a port, and each node's service proxy sends kube-dns to its own agent's.
     */
    public DnsServer(InetAddress address, int port, ClusterZone zone, Forwarder forwarder) throws InterruptedException {
        this.zone = zone;
        this.forwarder = forwarder;
        Channel[] bound = null;
        RuntimeException failure = null;
        // with port 0, the port UDP got may be taken for TCP: try a few ports
        for (int attempt = 0; attempt < 6 && bound == null; attempt++) {
            int asked = attempt == 0 ? port : 0;
            if (attempt == 1 && port != 0) {
                LOG.info("DNS port {} on {} is taken ({}): listening on a free port instead", port, address,
                        failure == null ? "" : String.valueOf(failure.getCause() != null ? failure.getCause() : failure));
            }
            Channel u = null;
            try {
                u = bindUdp(address, asked);
                int chosen = ((InetSocketAddress) u.localAddress()).getPort();
                bound = new Channel[]{u, bindTcp(address, chosen)};
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // Netty's sync() rethrows the bind's java.net.BindException as it is, checked or not
                failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                if (u != null) {
                    u.close().sync();
                }
            }
        }
        if (bound == null) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("cannot listen for DNS on " + address + ":" + port, failure);
        }
        this.udp = bound[0];
        this.tcp = bound[1];
        LOG.info("cluster DNS for {} listening on {} (UDP and TCP), forwarding to {}", zone.zone(), address(),
                forwarder.upstreams());
    }

    /** Where the server listens (the address the kube-dns Service's traffic is sent to). */
    public InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    private Channel bindUdp(InetAddress address, int port) throws InterruptedException {
        return new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        ch.pipeline().addLast(UDP_ENCODER, new DatagramDnsResponseEncoder()).addLast(new UdpHandler());
                    }
                })
                .bind(address, port).sync().channel();
    }

    private Channel bindTcp(InetAddress address, int port) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(TCP_IDLE_SECONDS),
                                new LengthFieldBasedFrameDecoder(MAX_TCP_FRAME, 0, 2, 0, 2),
                                new TcpDnsResponseEncoder(), new TcpHandler());
                    }
                })
                .bind(address, port).sync().channel();
    }

    /** Netty's datagram query decoder, used on TCP frames as well (a frame is a DNS message like a datagram). */
    private static final class Decoder extends DatagramDnsQueryDecoder {
        DatagramDnsQuery decode(ByteBuf message, InetSocketAddress sender, InetSocketAddress recipient) throws Exception {
            List<Object> out = new ArrayList<>(1);
            decode(null, new DatagramPacket(message.duplicate(), recipient, sender), out);
            return (DatagramDnsQuery) out.getFirst();
        }
    }

    /** What is known of one question: how to send the answer back, and the limits of that way. */
    private interface Client {
        DnsResponse newResponse(int id);

        void send(DnsResponse response);

        /** An answer from upstream, as it came. */
        void sendRaw(byte[] message);

        boolean tcp();
    }

    private void handle(ChannelHandlerContext ctx, ByteBuf message, InetSocketAddress sender, Client client) {
        byte[] raw = ByteBufUtil.getBytes(message);
        DatagramDnsQuery query;
        try {
            query = decoder.decode(message, sender, (InetSocketAddress) ctx.channel().localAddress());
        } catch (Exception e) {
            LOG.debug("undecodable DNS message from {}: {}", sender, e.toString());
            if (raw.length >= 2) { // answer FORMERR when there is an id to answer to
                client.send(client.newResponse(((raw[0] & 0xff) << 8) | (raw[1] & 0xff))
                        .setCode(DnsResponseCode.FORMERR));
            }
            return;
        }
        try {
            DnsQuestion question = query.count(DnsSection.QUESTION) == 1 ? query.recordAt(DnsSection.QUESTION) : null;
            if (!query.opCode().equals(DnsOpCode.QUERY) || question == null) {
                client.send(response(client, query, question).setCode(question == null
                        ? DnsResponseCode.FORMERR : DnsResponseCode.NOTIMP));
                return;
            }
            Optional<ClusterZone.Answer> answer = zone.answer(question.name(), question.type().intValue());
            if (answer.isPresent()) {
                DnsResponse response = response(client, query, question).setAuthoritativeAnswer(true);
                wire.fill(response, answer.get(), client.tcp() ? Integer.MAX_VALUE : udpLimit(query));
                client.send(response);
                return;
            }
            int id = query.id();
            boolean rd = query.isRecursionDesired();
            DnsQuestion copy = wire.copy(question);
            forwarder.forward(raw, client.tcp()).whenComplete((reply, error) -> ctx.executor().execute(() -> {
                if (error == null) {
                    client.sendRaw(reply);
                } else {
                    DnsResponse failed = client.newResponse(id).setCode(DnsResponseCode.SERVFAIL)
                            .setRecursionDesired(rd).setRecursionAvailable(true);
                    failed.addRecord(DnsSection.QUESTION, copy);
                    client.send(failed);
                }
            }));
        } finally {
            query.release();
        }
    }

    private DnsResponse response(Client client, DnsQuery query, DnsQuestion question) {
        DnsResponse response = client.newResponse(query.id()).setOpCode(query.opCode())
                .setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true);
        if (question != null) {
            response.addRecord(DnsSection.QUESTION, wire.copy(question));
        }
        return response;
    }

    /** The largest UDP answer the client takes: its EDNS payload size (OPT's class), else 512. */
    private static int udpLimit(DnsQuery query) {
        for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++) {
            DnsRecord r = query.recordAt(DnsSection.ADDITIONAL, i);
            if (r.type() == DnsRecordType.OPT) {
                return Math.max(CLASSIC_UDP_SIZE, r.dnsClass());
            }
        }
        return CLASSIC_UDP_SIZE;
    }

    private final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
            handle(ctx, packet.content(), sender, new Client() {
                @Override
                public DnsResponse newResponse(int id) {
                    return new DatagramDnsResponse(local, sender, id);
                }

                @Override
                public void send(DnsResponse response) {
                    ctx.writeAndFlush(response);
                }

                @Override
                public void sendRaw(byte[] message) {
                    // written below the encoder, which takes any envelope for a DnsResponse
                    ctx.pipeline().context(UDP_ENCODER)
                            .writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(message), sender, local));
                }

                @Override
                public boolean tcp() {
                    return false;
                }
            });
        }
    }

    private final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            handle(ctx, frame, (InetSocketAddress) ctx.channel().remoteAddress(), new Client() {
                @Override
                public DnsResponse newResponse(int id) {
                    return new DefaultDnsResponse(id);
                }

                @Override
                public void send(DnsResponse response) {
                    ctx.writeAndFlush(response);
                }

                @Override
                public void sendRaw(byte[] message) {
                    ByteBuf framed = ctx.alloc().buffer(2 + message.length);
                    framed.writeShort(message.length).writeBytes(message);
                    ctx.writeAndFlush(framed);
                }

                @Override
                public boolean tcp() {
                    return true;
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a client that went quiet (ReadTimeoutException) or away
        }
    }

    @Override
    public void close() {
        udp.close();
        tcp.close();
        forwarder.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
