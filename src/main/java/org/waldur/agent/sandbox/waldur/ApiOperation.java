package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One method of one path template of the OpenAPI document, with its parameters already resolved
 * (no {@code $ref}s left at the parameter level).
 *
 * @param method upper-case HTTP method
 * @param template path template as written in the schema, e.g. {@code /api/marketplace-orders/{uuid}/}
 * @param queryParameters declared query parameters by name
 * @param pathParameters declared path parameters by name
 * @param requestBody the {@code requestBody} object or {@code null} when none is declared
 * @param responses the {@code responses} object
 */
record ApiOperation(
        String method,
        String template,
        Map<String, JsonNode> queryParameters,
        Map<String, JsonNode> pathParameters,
        JsonNode requestBody,
        JsonNode responses) {

    String key() {
        return method + " " + template;
    }
}
