package io.kubus.agent.runtime.docker;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Starts an exec with stdin attached over a connection of its own, because docker-java's hijacked stream never
 * half-closes the connection when stdin ends: a command that reads stdin to its end ({@code cat}, {@code sh} reading
 * a script) would then wait forever. Here the end of {@code stdin} shuts the connection's output down, which the
 * engine passes on to the process as the end of its input. Plain {@code unix://} and {@code tcp://} hosts only.
 */
final class HijackedExecStart {

    private HijackedExecStart() {
    }

    static boolean supports(URI dockerHost) {
        return "unix".equals(dockerHost.getScheme()) || "tcp".equals(dockerHost.getScheme());
    }

    /** Runs to the end of the exec's output; stdout and stderr frames go to their streams as they arrive. */
    static void run(URI dockerHost, String execId, InputStream stdin, OutputStream stdout, OutputStream stderr)
            throws IOException {
        try (Conn conn = Conn.open(dockerHost)) {
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.US_ASCII);
            String head = "POST /exec/" + execId + "/start HTTP/1.1\r\n"
                    + "Host: docker\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Upgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            conn.write(head.getBytes(StandardCharsets.US_ASCII));
            conn.write(body);

            String statusLine = readResponseHead(conn);
            if (!statusLine.matches("HTTP/1\\.[01] (101|200)\\b.*")) {
                throw new IOException("exec start: " + statusLine);
            }

            Thread copier = Thread.ofVirtual().name("exec-stdin-" + execId).start(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = stdin.read(buf)) >= 0) {
                        if (n > 0) {
                            conn.write(java.util.Arrays.copyOf(buf, n));
                        }
                    }
                    conn.shutdownOutput();
                } catch (IOException e) {
                    // the process ended or the connection went away: nothing more to send
                }
            });

            byte[] header = new byte[8];
            byte[] buf = new byte[8192];
            while (conn.readFully(header, true)) {
                int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
                        | (header[7] & 0xff);
                OutputStream target = header[0] == 2 ? stderr : stdout;
                while (size > 0) {
                    int n = conn.read(buf, Math.min(buf.length, size));
                    if (n < 0) {
                        throw new EOFException("exec output ended inside a frame");
                    }
                    if (target != null) {
                        target.write(buf, 0, n);
                    }
                    size -= n;
                }
                if (target != null) {
                    target.flush();
                }
            }
            copier.interrupt();
        }
    }

    private static String readResponseHead(Conn conn) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] one = new byte[1];
        while (true) {
            if (conn.read(one, 1) < 0) {
                throw new EOFException("exec start: the engine closed the connection");
            }
            head.write(one[0]);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                return text.substring(0, text.indexOf("\r\n"));
            }
            if (n > 16 * 1024) {
                throw new IOException("exec start: response head too long");
            }
        }
    }

    /** A duplex connection whose read and write sides work from two threads at once. */
    private interface Conn extends AutoCloseable {
        static Conn open(URI host) throws IOException {
            if ("unix".equals(host.getScheme())) {
                SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(host.getPath()));
                return new Conn() {
                    public int read(byte[] b, int len) throws IOException {
                        return ch.read(ByteBuffer.wrap(b, 0, len));
                    }

                    public void write(byte[] b) throws IOException {
                        ByteBuffer bb = ByteBuffer.wrap(b);
                        while (bb.hasRemaining()) {
                            ch.write(bb);
                        }
                    }

                    public void shutdownOutput() throws IOException {
                        ch.shutdownOutput();
                    }

                    public void close() throws IOException {
                        ch.close();
                    }
                };
            }
            Socket s = new Socket();
            s.connect(new InetSocketAddress(host.getHost(), host.getPort()), 30_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            return new Conn() {
                public int read(byte[] b, int len) throws IOException {
                    return in.read(b, 0, len);
                }

                public void write(byte[] b) throws IOException {
                    out.write(b);
                    out.flush();
                }

                public void shutdownOutput() throws IOException {
                    s.shutdownOutput();
                }

                public void close() throws IOException {
                    s.close();
                }
            };
        }

        int read(byte[] b, int len) throws IOException;

        void write(byte[] b) throws IOException;

        void shutdownOutput() throws IOException;

        @Override
        void close() throws IOException;

        /** Fills b; false when the stream ended cleanly before its first byte (if allowed). */
        default boolean readFully(byte[] b, boolean endAllowed) throws IOException {
            int got = 0;
            while (got < b.length) {
                byte[] rest = new byte[b.length - got];
                int n = read(rest, rest.length);
                if (n < 0) {
                    if (got == 0 && endAllowed) {
                        return false;
                    }
                    throw new EOFException("exec output ended inside a frame header");
                }
                System.arraycopy(rest, 0, b, got, n);
                got += n;
            }
            return true;
        }
    }
}
