package io.kubus.agent.runtime.docker;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads Docker's multiplexed attach/logs stream (8-byte frame headers: stream type, 3 zero bytes, big-endian payload
 * length) and returns the payloads of stdout and stderr as one byte stream, in the order the engine sent them.
 * Reads block only until the next frame arrives, so a followed log is readable as it grows. Closing it runs
 * {@code onClose} (which ends the HTTP exchange).
 */
final class DemultiplexingInputStream extends InputStream {

    private final InputStream in;
    private final AutoCloseable onClose;
    private final byte[] header = new byte[8];
    private int remaining;
    private boolean eof;
    private volatile boolean closed;

    DemultiplexingInputStream(InputStream in, AutoCloseable onClose) {
        this.in = in;
        this.onClose = onClose;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        try {
            while (remaining == 0) {
                if (eof || !nextFrame()) {
                    eof = true;
                    return -1;
                }
            }
            int n = in.read(b, off, Math.min(len, remaining));
            if (n < 0) {
                eof = true;
                return -1;
            }
            remaining -= n;
            return n;
        } catch (IOException | RuntimeException e) {
            if (closed) {
                return -1; // the reader closed us from another thread: that is the end, not an error
            }
            throw e;
        }
    }

    /** Reads the next frame header; false at a clean end of stream. Frames of stdin (0) are delivered too. */
    private boolean nextFrame() throws IOException {
        int got = 0;
        while (got < 8) {
            int n = in.read(header, got, 8 - got);
            if (n < 0) {
                if (got == 0) {
                    return false;
                }
                throw new EOFException("truncated frame header from the Docker engine");
            }
            got += n;
        }
        remaining = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
                | (header[7] & 0xff);
        return true;
    }

    @Override
    public int available() throws IOException {
        return remaining == 0 ? 0 : Math.min(remaining, in.available());
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            onClose.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
