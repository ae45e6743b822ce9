package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.databind.JsonNode;

/** An error answer of the fake, shaped like Django REST framework's. */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final transient JsonNode body;

    ApiError(int status, JsonNode body) {
        super(status + " " + body, null, false, false);
        this.status = status;
        this.body = body;
    }

    static ApiError notFound(String model) {
        return new ApiError(404, Json.detail("No " + model + " matches the given query."));
    }

    /** What Waldur's StateValidator raises (IncorrectStateException is a 409 Conflict). */
    static ApiError invalidState(String validStates) {
        return new ApiError(409, Json.detail("Valid states for operation: " + validStates + "."));
    }

    /** A serializer error for one field: {@code {"field": ["message"]}}. */
    static ApiError field(String field, String message) {
        return new ApiError(400, Json.object().set(field, Json.array().add(message)));
    }
}
