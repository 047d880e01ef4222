package io.kubus.gateway.api;

import org.reactivestreams.Publisher;

/** A response body written chunk by chunk as the publisher emits, exactly as given: no framing added. */
public record StreamingBody(Publisher<byte[]> chunks) {
}
