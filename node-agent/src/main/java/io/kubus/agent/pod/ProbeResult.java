package io.kubus.agent.pod;

/**
 * The outcome of running one probe or hook handler once.
 *
 * @param success whether it passed (exec: exit 0; httpGet: 200-399; tcpSocket: connected)
 * @param message what it said: the command's output, the HTTP status, the connection error
 */
public record ProbeResult(boolean success, String message) {
    public static ProbeResult success(String message) {
        return new ProbeResult(true, message);
    }

    public static ProbeResult failure(String message) {
        return new ProbeResult(false, message);
    }
}
