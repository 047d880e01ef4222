package io.kubus.agent.server;

import io.kubus.agent.NodeAgentApplication;
import io.kubus.agent.runtime.ContainerInfo;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's exec endpoint, {@code /exec/{namespace}/{pod}/{container}?command=..&stdin=..&stdout=..&stderr=..},
 * over WebSocket with the {@code v5.channel.k8s.io} framing kubectl speaks: every binary message starts with its
 * channel, 0 stdin, 1 stdout, 2 stderr, 3 the result as a Status, 255 "close this stream" (payload: the channel).
 * The api-gateway relays the messages between kubectl and here unchanged.
 */
@Requires(env = NodeAgentApplication.ENVIRONMENT)
@ServerWebSocket(value = "/exec/{namespace}/{pod}/{container}", subprotocols = V5.PROTOCOL)
public class ExecWebSocket {
    private static final Logger LOG = LoggerFactory.getLogger(ExecWebSocket.class);

    private final AgentRuntimes runtimes;
    private final Map<String, StdinStream> stdins = new ConcurrentHashMap<>();

    public ExecWebSocket(AgentRuntimes runtimes) {
        this.runtimes = runtimes;
    }

    @OnOpen
    public void onOpen(String namespace, String pod, String container, WebSocketSession session,
                       HttpRequest<?> request) {
        List<String> command = request.getParameters().getAll("command");
        boolean wantsStdin = isTrue(request.getParameters().get("stdin"));
        boolean wantsStdout = !"false".equals(request.getParameters().get("stdout"));
        boolean wantsStderr = !"false".equals(request.getParameters().get("stderr"));
        StdinStream stdin = wantsStdin ? new StdinStream() : null;
        if (stdin != null) {
            stdins.put(session.getId(), stdin);
        }
        Thread.ofVirtual().name("exec-" + namespace + "-" + pod + "-" + container).start(() -> {
            byte[] result;
            try {
                result = run(namespace, pod, container, command, stdin,
                        wantsStdout ? new ChannelStream(session, V5.STDOUT) : OutputStream.nullOutputStream(),
                        wantsStderr ? new ChannelStream(session, V5.STDERR) : OutputStream.nullOutputStream());
            } catch (IOException | RuntimeException e) {
                LOG.debug("exec in {}/{}/{} failed", namespace, pod, container, e);
                result = AgentStatus.execError(e.getMessage() == null ? e.toString() : e.getMessage());
            }
            try {
                if (session.isOpen()) {
                    session.sendSync(V5.frame(V5.ERROR, result, 0, result.length));
                    session.close(CloseReason.NORMAL);
                }
            } catch (RuntimeException e) {
                LOG.debug("the exec client of {}/{}/{} left", namespace, pod, container, e);
            }
        });
    }

    private byte[] run(String namespace, String pod, String container, List<String> command, StdinStream stdin,
                       OutputStream stdout, OutputStream stderr) throws IOException {
        if (command.isEmpty()) {
            return AgentStatus.execError("you must specify at least one command for the container");
        }
        Optional<AgentRuntimes.Runs> runs = runtimes.find(namespace, pod, container);
        if (runs.isEmpty() || runs.get().current().state() != ContainerInfo.State.RUNNING) {
            return AgentStatus.execError("container " + container + " is not running in pod " + pod);
        }
        int exit = runs.get().runtime().exec(runs.get().current().id(), command, stdin, stdout, stderr);
        return AgentStatus.execResult(exit, command);
    }

    @OnMessage
    public void onMessage(byte[] message, WebSocketSession session) {
        StdinStream stdin = stdins.get(session.getId());
        if (stdin == null || message.length == 0) {
            return;
        }
        if (message[0] == V5.STDIN) {
            stdin.offer(message, 1);
        } else if ((message[0] & 0xff) == V5.CLOSE && message.length > 1 && message[1] == V5.STDIN) {
            stdin.end();
        }
    }

    @OnClose
    public void onClose(WebSocketSession session) {
        StdinStream stdin = stdins.remove(session.getId());
        if (stdin != null) {
            stdin.end();
        }
    }

    private static boolean isTrue(String value) {
        return "true".equals(value) || "1".equals(value);
    }

    /** An output stream whose writes go out as messages of one channel. */
    private static final class ChannelStream extends OutputStream {
        private final WebSocketSession session;
        private final int channel;

        ChannelStream(WebSocketSession session, int channel) {
            this.session = session;
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            if (!session.isOpen()) {
                throw new IOException("the exec client left");
            }
            try {
                session.sendSync(V5.frame(channel, b, off, len));
            } catch (RuntimeException e) {
                throw new IOException("the exec client left", e);
            }
        }
    }
}
