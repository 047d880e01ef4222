package io.kubus.agent.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Sends the questions outside the cluster zone to the node's own resolvers, as CoreDNS's {@code forward . 
 * /etc/resolv.conf}: the client's message goes unchanged (its id, flags and EDNS), over the transport it came on, to
 * each upstream in turn until one answers; the answer goes back unchanged. Each question gets its own socket (a new
 * random source port), so answers cannot be mixed up or spoofed by id alone. The whole {@code timeout} is shared by
 * the upstreams, so that a client whose resolvers are all down hears SERVFAIL before its own timeout (5 s in glibc).
 */
public final class Forwarder implements AutoCloseable {
    /** More questions in flight than this are answered SERVFAIL at once rather than queued. */
    private static final int MAX_IN_FLIGHT = 1024;
    private static final int MAX_MESSAGE = 65535;

    private final List<InetSocketAddress> upstreams;
    private final Duration timeout;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

    public Forwarder(List<InetSocketAddress> upstreams, Duration timeout) {
        this.upstreams = List.copyOf(upstreams);
        this.timeout = timeout;
    }

    /** The nameservers of a resolv.conf, port 53. */
    public static List<InetSocketAddress> upstreams(ResolvConf conf) {
        return conf.nameservers().stream()
                .map(ns -> ClusterZone.literal(ns).map(ip -> new InetSocketAddress(ip, 53)).orElse(null))
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /** The upstream's answer to {@code query}; fails when none answers in time. */
    public CompletableFuture<byte[]> forward(byte[] query, boolean tcp) {
        if (upstreams.isEmpty() || !inFlight.tryAcquire()) {
            return CompletableFuture.failedFuture(new IOException("no upstream resolver to ask"));
        }
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        threads.execute(() -> {
            try {
                long each = Math.max(100, timeout.toMillis() / upstreams.size());
                IOException last = null;
                for (InetSocketAddress upstream : upstreams) {
                    try {
                        result.complete(tcp ? overTcp(upstream, query, (int) each) : overUdp(upstream, query, (int) each));
                        return;
                    } catch (IOException e) {
                        last = e;
                    }
                }
                result.completeExceptionally(last);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                inFlight.release();
            }
        });
        return result;
    }

    private static byte[] overUdp(InetSocketAddress upstream, byte[] query, int timeoutMillis) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(upstream); // only the upstream's datagrams are received
            socket.setSoTimeout(timeoutMillis);
            socket.send(new DatagramPacket(query, query.length));
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buffer = new byte[MAX_MESSAGE];
            while (true) {
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                socket.receive(reply);
                if (reply.getLength() >= 2 && buffer[0] == query[0] && buffer[1] == query[1]) {
                    return Arrays.copyOf(buffer, reply.getLength());
                }
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                if (left <= 0) {
                    throw new SocketTimeoutException("no answer from " + upstream);
                }
                socket.setSoTimeout(left);
            }
        }
    }

    private static byte[] overTcp(InetSocketAddress upstream, byte[] query, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(upstream, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] reply = new byte[in.readUnsignedShort()];
            in.readFully(reply);
            return reply;
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
