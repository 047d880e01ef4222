package io.kubus.agent.runtime;

/** An image could not be pulled; the message is the engine's, shown in ErrImagePull / ImagePullBackOff. */
public class ImagePullException extends Exception {
    public ImagePullException(String message, Throwable cause) {
        super(message, cause);
    }
}
