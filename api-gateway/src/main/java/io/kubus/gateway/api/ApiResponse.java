package io.kubus.gateway.api;

import java.util.List;

/**
 * What a resource request answers: status code, content type, and either bytes or a stream.
 *
 * @param warnings texts for {@code Warning: 299 - "..."} headers, which kubectl prints
 */
public record ApiResponse(int code, String contentType, byte[] body, StreamingBody stream, List<String> warnings) {
    public static ApiResponse bytes(int code, String contentType, byte[] body, List<String> warnings) {
        return new ApiResponse(code, contentType, body, null, warnings);
    }

    public static ApiResponse stream(String contentType, StreamingBody stream) {
        return new ApiResponse(200, contentType, null, stream, List.of());
    }
}
