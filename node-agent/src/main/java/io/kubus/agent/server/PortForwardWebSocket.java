package io.kubus.agent.server;

import io.kubus.agent.NodeAgentApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * The kubelet's port-forward endpoint, {@code /portForward/{namespace}/{pod}}, speaking the
 * {@code portforward.k8s.io} protocol over SPDY/3.1 carried in WebSocket binary messages (kubectl 1.32's
 * {@code SPDY/3.1+portforward.k8s.io} tunnel, which the api-gateway relays here unchanged, as {@value #PROTOCOL}). Each forwarded
 * connection is a pair of streams the client opens with the same {@code requestID}: an error stream, on which a
 * failure is written, and a data stream carrying the bytes both ways to the pod's {@code port}.
 */
@Requires(env = NodeAgentApplication.ENVIRONMENT)
@ServerWebSocket(value = "/portForward/{namespace}/{pod}", subprotocols = PortForwardWebSocket.PROTOCOL)
public class PortForwardWebSocket {
    /**
     * kubectl's {@code SPDY/3.1+portforward.k8s.io} under a name the gateway's JDK WebSocket client can offer (it
     * refuses the "/" of the original, which RFC 6455's token syntax excludes).
     */
    public static final String PROTOCOL = "spdy-3.1.portforward.k8s.io";
    private static final Logger LOG = LoggerFactory.getLogger(PortForwardWebSocket.class);

    private final AgentRuntimes runtimes;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public PortForwardWebSocket(AgentRuntimes runtimes) {
        this.runtimes = runtimes;
    }

    @OnOpen
    public void onOpen(String namespace, String pod, WebSocketSession ws) {
        sessions.put(ws.getId(), new Session(namespace, pod, ws));
    }

    @OnMessage(maxPayloadLength = 1 << 20)
    public void onMessage(byte[] message, WebSocketSession ws) {
        Session session = sessions.get(ws.getId());
        if (session != null) {
            session.received(message);
        }
    }

    @OnClose
    public void onClose(WebSocketSession ws) {
        Session session = sessions.remove(ws.getId());
        if (session != null) {
            session.close();
        }
    }

    /** One kubectl port-forward: its SPDY session and the connections forwarded in it. */
    private final class Session {
        /** Bytes from pods not yet sent on: a pod that sends faster than kubectl reads waits for it. */
        private static final int IN_FLIGHT = 1 << 20;
        private static final Outgoing STOP = new Outgoing(new byte[0], 0);

        private final String namespace;
        private final String pod;
        private final WebSocketSession ws;
        private final SpdyFraming framing = new SpdyFraming();
        private final BlockingQueue<Outgoing> outgoing = new LinkedBlockingQueue<>();
        private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
        private final Map<String, Forward> byRequest = new ConcurrentHashMap<>();
        private final Map<Integer, Forward> byDataStream = new ConcurrentHashMap<>();
        private boolean closed;

        Session(String namespace, String pod, WebSocketSession ws) {
            this.namespace = namespace;
            this.pod = pod;
            this.ws = ws;
            // One writer, so that frames leave in the order they were encoded (their headers share one zlib stream).
            Thread.ofVirtual().name("portforward-" + namespace + "-" + pod).start(this::write);
        }

        private void write() {
            try {
                for (Outgoing o = outgoing.take(); o != STOP; o = outgoing.take()) {
                    try {
                        if (ws.isOpen()) {
                            ws.sendSync(o.bytes());
                        }
                    } catch (RuntimeException e) {
                        LOG.debug("the port-forward client of {}/{} left", namespace, pod, e);
                    } finally {
                        inFlight.release(o.permits());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized void received(byte[] message) {
            try {
                for (SpdyFrame frame : framing.decode(message)) {
                    try {
                        handle(frame);
                    } finally {
                        ReferenceCountUtil.release(frame);
                    }
                }
            } catch (RuntimeException e) {
                // a session that cannot be read any further (bad framing) ends, as spdystream ends it
                LOG.debug("port-forward session of {}/{} failed", namespace, pod, e);
                ws.close(CloseReason.PROTOCOL_ERROR);
            }
        }

        private void handle(SpdyFrame frame) {
            switch (frame) {
                case SpdySynStreamFrame syn -> opened(syn);
                case SpdyDataFrame data -> {
                    Forward f = byDataStream.get(data.streamId());
                    if (f != null) {
                        byte[] bytes = new byte[data.content().readableBytes()];
                        data.content().readBytes(bytes);
                        f.fromClient(bytes, data.isLast());
                    }
                }
                case SpdyRstStreamFrame rst -> {
                    Forward f = byDataStream.get(rst.streamId());
                    if (f != null) {
                        f.reset();
                    }
                }
                case SpdyPingFrame ping -> send(new DefaultSpdyPingFrame(ping.id()), 0);
                case SpdyGoAwayFrame goAway -> ws.close(CloseReason.NORMAL);
                default -> {
                    // SETTINGS and WINDOW_UPDATE: neither end of portforward.k8s.io uses flow control
                }
            }
        }

        /** A new stream: checked as the kubelet checks it, answered, and paired with its partner. */
        private void opened(SpdySynStreamFrame syn) {
            int id = syn.streamId();
            String portHeader = syn.headers().getAsString("port");
            String type = syn.headers().getAsString("streamtype");
            String requestId = syn.headers().getAsString("requestid");
            int port = parsePort(portHeader);
            if (port < 1 || !("error".equals(type) || "data".equals(type)) || requestId == null) {
                LOG.debug("refusing port-forward stream {} (port {}, streamType {}, requestID {})", id, portHeader,
                        type, requestId);
                send(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.REFUSED_STREAM), 0);
                return;
            }
            // The reply repeats the stream's headers: Netty writes an empty header block as no bytes at all, which
            // Go's SPDY framer cannot read (it expects a compressed count of zero) and ends the session on.
            DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
            reply.headers().set(syn.headers());
            send(reply, 0);
            Forward f = byRequest.computeIfAbsent(requestId, r -> new Forward(this, r, port));
            if (f.add(type, id)) {
                byDataStream.put(f.dataStream, f);
                Thread.ofVirtual().name("portforward-" + pod + "-" + port).start(f::run);
            }
        }

        private static int parsePort(String s) {
            try {
                int port = s == null ? 0 : Integer.parseInt(s);
                return port <= 65535 ? port : 0;
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        /** Queues a frame for kubectl; {@code permits} of {@link #inFlight} are held until it is written. */
        private synchronized void send(SpdyFrame frame, int permits) {
            if (closed) {
                ReferenceCountUtil.release(frame);
                inFlight.release(permits);
                return;
            }
            outgoing.add(new Outgoing(framing.encode(frame), permits));
        }

        void sendData(int stream, byte[] bytes, int length, boolean last) throws InterruptedException {
            inFlight.acquire(length);
            send(new DefaultSpdyDataFrame(stream, Unpooled.wrappedBuffer(bytes, 0, length)).setLast(last), length);
        }

        void finished(Forward f) {
            byRequest.remove(f.requestId);
            byDataStream.remove(f.dataStream);
        }

        synchronized void close() {
            closed = true;
            byRequest.values().forEach(Forward::reset);
            outgoing.add(STOP);
            framing.close();
        }

        /** Which sandbox the pod's connections go to, looked up for each connection as the kubelet does. */
        Optional<AgentRuntimes.Sandbox> sandbox() {
            return runtimes.sandbox(namespace, pod);
        }
    }

    private record Outgoing(byte[] bytes, int permits) {
    }

    /** One forwarded connection: its two streams and its socket to the pod. */
    private static final class Forward {
        private static final byte[] END = new byte[0];

        private final Session session;
        private final String requestId;
        private final int port;
        private final BlockingQueue<byte[]> toPod = new LinkedBlockingQueue<>();
        private int errorStream;
        private int dataStream;
        private volatile Socket socket;
        private volatile boolean reset;

        Forward(Session session, String requestId, int port) {
            this.session = session;
            this.requestId = requestId;
            this.port = port;
        }

        /** Adds a stream; true when the pair is complete. */
        synchronized boolean add(String type, int id) {
            if ("error".equals(type)) {
                errorStream = id;
            } else {
                dataStream = id;
            }
            return errorStream != 0 && dataStream != 0;
        }

        void fromClient(byte[] bytes, boolean last) {
            if (bytes.length > 0) {
                toPod.add(bytes);
            }
            if (last) {
                toPod.add(END);
            }
        }

        void reset() {
            reset = true;
            toPod.add(END);
            closeSocket();
        }

        void run() {
            Optional<AgentRuntimes.Sandbox> sandbox = session.sandbox();
            try {
                try {
                    if (sandbox.isEmpty()) {
                        throw new IOException("pod " + session.namespace + "/" + session.pod
                                + " has no running sandbox on this node");
                    }
                    socket = sandbox.get().runtime().connect(sandbox.get().info().id(), port);
                } catch (IOException e) {
                    // the kubelet's words, its pod being the sandbox and the uid empty as under the CRI
                    String where = sandbox.map(s -> s.info().id()).orElse(session.pod);
                    byte[] message = ("error forwarding port " + port + " to pod " + where + ", uid : "
                            + e.getMessage()).getBytes(StandardCharsets.UTF_8);
                    session.sendData(errorStream, message, message.length, false);
                    return;
                }
                if (reset) {
                    closeSocket();
                    return;
                }
                Thread.ofVirtual().name("portforward-to-pod-" + port).start(this::copyToPod);
                copyFromPod();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                end();
            }
        }

        private void copyFromPod() throws InterruptedException {
            byte[] buffer = new byte[32 * 1024];
            try (InputStream in = socket.getInputStream()) {
                for (int n = in.read(buffer); n >= 0 && !reset; n = in.read(buffer)) {
                    session.sendData(dataStream, java.util.Arrays.copyOf(buffer, n), n, false);
                }
            } catch (IOException e) {
                LOG.debug("port-forward from port {} of {} ended", port, session.pod, e);
            }
        }

        private void copyToPod() {
            try {
                OutputStream out = socket.getOutputStream();
                for (byte[] b = toPod.take(); b != END; b = toPod.take()) {
                    out.write(b);
                }
                if (!reset) {
                    socket.shutdownOutput(); // kubectl's side ended: the pod reads its end of input
                }
            } catch (IOException e) {
                LOG.debug("port-forward to port {} of {} ended", port, session.pod, e);
                closeSocket();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Both streams end from this side, as the kubelet closes them when its forwarding returns. */
        private void end() {
            closeSocket();
            try {
                if (!reset) {
                    session.sendData(dataStream, END, 0, true);
                }
                session.sendData(errorStream, END, 0, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            session.finished(this);
        }

        private void closeSocket() {
            Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closed already
                }
            }
        }
    }
}
