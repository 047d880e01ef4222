package io.kubus.gateway.api;

import io.micronaut.core.type.Argument;
import io.micronaut.core.type.MutableHeaders;
import io.micronaut.http.ByteBodyHttpResponse;
import io.micronaut.http.ByteBodyHttpResponseWrapper;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.body.ByteBodyFactory;
import io.micronaut.http.body.CloseableByteBody;
import io.micronaut.http.body.ResponseBodyWriter;
import io.micronaut.http.codec.CodecException;
import jakarta.inject.Singleton;
import reactor.core.publisher.Flux;

import java.io.OutputStream;

/**
 * Writes a {@link StreamingBody} as raw chunks. Micronaut would frame a published JSON body as one JSON array;
 * a Kubernetes watch is newline-delimited JSON objects under {@code application/json}, so it needs this writer.
 */
@Singleton
@Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.APPLICATION_YAML, MediaType.ALL})
public class StreamingBodyWriter implements ResponseBodyWriter<StreamingBody> {

    @Override
    public ByteBodyHttpResponse<?> write(ByteBodyFactory factory, HttpRequest<?> request,
                                         MutableHttpResponse<StreamingBody> response, Argument<StreamingBody> type,
                                         MediaType mediaType, StreamingBody body) throws CodecException {
        return ByteBodyHttpResponseWrapper.wrap(response, writePiece(factory, request, response, type, mediaType, body));
    }

    @Override
    public CloseableByteBody writePiece(ByteBodyFactory factory, HttpRequest<?> request, HttpResponse<?> response,
                                        Argument<StreamingBody> type, MediaType mediaType, StreamingBody body) {
        var buffers = factory.readBufferFactory();
        return factory.adapt(Flux.from(body.chunks()).map(buffers::adapt));
    }

    @Override
    public void writeTo(Argument<StreamingBody> type, MediaType mediaType, StreamingBody body,
                        MutableHeaders headers, OutputStream out) {
        throw new CodecException("a streaming body cannot be written to a blocking stream");
    }
}
