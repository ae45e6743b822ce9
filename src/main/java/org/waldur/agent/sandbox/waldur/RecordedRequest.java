package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request the fake received, as logged for test assertions.
 *
 * @param at when it arrived
 * @param method upper-case HTTP method
 * @param path raw path without query string
 * @param query raw query string, "" when none
 * @param queryParameters decoded query parameters in request order
 * @param body request body as UTF-8 text, "" when none
 * @param userAgent the {@code User-Agent} header, or null
 * @param status the status the fake answered with
 */
public record RecordedRequest(Instant at, String method, String path, String query,
        Map<String, List<String>> queryParameters, String body, String userAgent, int status) {

    public RecordedRequest {
        Map<String, List<String>> copy = new java.util.LinkedHashMap<>();
        queryParameters.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        queryParameters = java.util.Collections.unmodifiableMap(copy);
    }

    /** {@code METHOD path[?query] -> status}, for readable assertion failures. */
    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " -> " + status;
    }
}
