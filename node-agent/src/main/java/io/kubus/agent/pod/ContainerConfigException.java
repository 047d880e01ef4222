package io.kubus.agent.pod;

/**
 * A container's configuration cannot be made (a Secret or ConfigMap it needs is missing, or lacks a key); the
 * container waits with reason {@code CreateContainerConfigError} and this message, and is retried on later syncs.
 */
public final class ContainerConfigException extends RuntimeException {
    public ContainerConfigException(String message) {
        super(message);
    }
}
