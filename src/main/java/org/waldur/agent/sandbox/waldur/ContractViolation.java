package org.waldur.agent.sandbox.waldur;

/**
 * One way in which a request (or a response of the fake) disagrees with the Waldur OpenAPI schema.
 *
 * @param kind what part of the exchange is wrong; the fake maps it to an HTTP status
 * @param method HTTP method of the request
 * @param path raw request path, e.g. {@code /api/marketplace-orders/3f2c.../approve_by_provider/}
 * @param message human-readable explanation naming the offending parameter or JSON location
 */
public record ContractViolation(Kind kind, String method, String path, String message) {

    /** Which part of the exchange violates the contract. */
    public enum Kind {
        /** No path template of the schema matches (Waldur answers 404). */
        UNKNOWN_PATH,
        /** The path exists but not with this method (Waldur answers 405). */
        METHOD_NOT_ALLOWED,
        /** A templated path segment has the wrong format, e.g. a non-UUID {@code {uuid}}. */
        PATH_PARAMETER,
        /** Undeclared query parameter, wrong type/enum, wrong array style, missing required one. */
        QUERY_PARAMETER,
        /** Missing/unexpected body, wrong content type, malformed JSON or schema mismatch. */
        REQUEST_BODY,
        /** A response of the fake does not match the declared response schema. */
        RESPONSE_BODY
    }

    @Override
    public String toString() {
        return kind + " " + method + " " + path + ": " + message;
    }
}
