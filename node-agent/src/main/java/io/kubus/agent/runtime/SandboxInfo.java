package io.kubus.agent.runtime;

/** A running sandbox: its id and the pod IP. */
public record SandboxInfo(String id, String ip) {
}
