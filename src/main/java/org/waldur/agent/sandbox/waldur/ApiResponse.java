package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer of the fake before it is written to the exchange. */
record ApiResponse(int status, byte[] body, String contentType, Map<String, String> headers) {

    static ApiResponse json(int status, JsonNode body) {
        return json(status, body, Map.of());
    }

    static ApiResponse json(int status, JsonNode body, Map<String, String> headers) {
        return new ApiResponse(status, Json.bytes(body), "application/json", new LinkedHashMap<>(headers));
    }

    /** DRF's {@code Response(status=...)} without data: no body at all. */
    static ApiResponse empty(int status) {
        return new ApiResponse(status, new byte[0], null, new LinkedHashMap<>());
    }

    static ApiResponse text(int status, String contentType, String body) {
        return new ApiResponse(status, body.getBytes(StandardCharsets.UTF_8), contentType, new LinkedHashMap<>());
    }

    ApiResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, body, contentType, h);
    }

    boolean isJson() {
        return "application/json".equals(contentType);
    }
}
