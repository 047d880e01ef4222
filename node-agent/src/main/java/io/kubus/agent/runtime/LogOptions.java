package io.kubus.agent.runtime;

/**
 * What part of a container's output to return, as {@code kubectl logs} asks.
 *
 * @param follow       keep streaming until the container stops or the client leaves
 * @param tailLines    the last N lines, or -1 for all
 * @param sinceSeconds only output newer than this many seconds, or 0 for all
 * @param timestamps   prefix each line with its RFC 3339 time
 */
public record LogOptions(boolean follow, int tailLines, long sinceSeconds, boolean timestamps) {
}
