package io.kubus.gateway.api;

import java.io.InputStream;
import java.util.List;

/**
 * What a resource request answers: status code, content type, and either bytes, a stream of chunks as they happen
 * (watch, logs), or an input stream that the server reads as the client takes it (lists).
 *
 * @param warnings texts for {@code Warning: 299 - "..."} headers, which kubectl prints
 */
public record ApiResponse(int code, String contentType, byte[] body, StreamingBody stream, InputStream input,
                          List<String> warnings) {
    public static ApiResponse bytes(int code, String contentType, byte[] body, List<String> warnings) {
        return new ApiResponse(code, contentType, body, null, null, warnings);
    }

    public static ApiResponse stream(String contentType, StreamingBody stream) {
        return new ApiResponse(200, contentType, null, stream, null, List.of());
    }

    public static ApiResponse input(String contentType, InputStream input) {
        return new ApiResponse(200, contentType, null, null, input, List.of());
    }
}
