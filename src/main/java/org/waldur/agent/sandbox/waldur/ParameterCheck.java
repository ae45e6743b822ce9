package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks query and path parameters against their OpenAPI declarations.
 *
 * <p>Values arrive as strings, so this is a small hand-written checker rather than a JSON Schema
 * validation: it knows the scalar types, enums, patterns and the two array styles Waldur uses
 * ({@code style: form} with {@code explode: true} = repeated parameter, {@code explode: false} =
 * comma-separated).
 */
final class ParameterCheck {

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    /** What Django's boolean filter accepts. */
    private static final Set<String> BOOLEANS = Set.of("true", "false", "True", "False", "1", "0");

    private final Function<JsonNode, JsonNode> resolve;

    /** @param resolve follows a {@code $ref} (and a single-element {@code allOf}) to its target schema */
    ParameterCheck(Function<JsonNode, JsonNode> resolve) {
        this.resolve = resolve;
    }

    List<String> query(ApiOperation op, Map<String, List<String>> query) {
        List<String> problems = new ArrayList<>();
        query.forEach((name, values) -> {
            JsonNode declared = op.queryParameters().get(name);
            if (declared == null) {
                problems.add("undeclared query parameter '" + name + "' (declared: "
                        + new TreeSet<>(op.queryParameters().keySet()) + ")");
            } else {
                checkQueryValues(name, declared, values, problems);
            }
        });
        op.queryParameters().forEach((name, declared) -> {
            if (declared.path("required").asBoolean(false) && !query.containsKey(name)) {
                problems.add("required query parameter '" + name + "' is missing");
            }
        });
        return problems;
    }

    List<String> path(ApiOperation op, Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        values.forEach((name, value) -> {
            JsonNode declared = op.pathParameters().get(name);
            if (declared != null) {
                String problem = scalarProblem(resolve.apply(declared.get("schema")), value);
                if (problem != null) {
                    problems.add("path parameter '" + name + "' value '" + value + "' " + problem);
                }
            }
        });
        return problems;
    }

    private void checkQueryValues(String name, JsonNode declared, List<String> values, List<String> problems) {
        JsonNode schema = resolve.apply(declared.get("schema"));
        boolean isArray = "array".equals(schema.path("type").asText());
        List<String> items = values;
        JsonNode itemSchema = schema;
        if (isArray) {
            boolean explode = declared.path("explode").asBoolean(true);
            if (!explode && values.size() > 1) {
                problems.add("query parameter '" + name + "' must be sent once, comma-separated "
                        + "(style=form, explode=false), but was repeated " + values.size() + " times");
            }
            if (!explode) {
                items = values.stream().flatMap(v -> Arrays.stream(v.split(",", -1))).toList();
            }
            itemSchema = resolve.apply(schema.get("items"));
        } else if (values.size() > 1) {
            problems.add("query parameter '" + name + "' is not an array but was repeated "
                    + values.size() + " times (Django would use only the last value)");
        }
        for (String value : items) {
            String problem = scalarProblem(itemSchema, value);
            if (problem != null) {
                problems.add("query parameter '" + name + "' value '" + value + "' " + problem);
            }
        }
    }

    /** @return why {@code value} does not fit {@code schema}, or null if it does */
    private String scalarProblem(JsonNode schema, String value) {
        if (schema == null || schema.isMissingNode()) {
            return null;
        }
        JsonNode enumeration = schema.get("enum");
        if (enumeration != null && enumeration.isArray()) {
            for (JsonNode allowed : enumeration) {
                if (!allowed.isNull() && allowed.asText().equals(value)) {
                    return null;
                }
            }
            return "is not one of " + enumeration;
        }
        String type = schema.path("type").asText("string");
        String problem = switch (type) {
            case "integer" -> INTEGER.matcher(value).matches() ? null : "is not an integer";
            case "number" -> isNumber(value) ? null : "is not a number";
            case "boolean" -> BOOLEANS.contains(value) ? null : "is not a boolean (true/false)";
            default -> formatProblem(schema.path("format").asText(""), value);
        };
        if (problem == null && schema.has("pattern")
                && !Pattern.compile(schema.get("pattern").asText()).matcher(value).find()) {
            problem = "does not match pattern " + schema.get("pattern").asText();
        }
        return problem;
    }

    private static String formatProblem(String format, String value) {
        return switch (format) {
            case "uuid" -> UUID.matcher(value).matches() ? null : "is not a UUID";
            case "date" -> parses(() -> LocalDate.parse(value)) ? null : "is not a date (YYYY-MM-DD)";
            case "date-time" -> parses(() -> OffsetDateTime.parse(value))
                    || parses(() -> LocalDateTime.parse(value))
                    || parses(() -> LocalDate.parse(value)) ? null : "is not an ISO date-time";
            case "uri" -> isAbsoluteUri(value) ? null : "is not an absolute URI";
            default -> null;
        };
    }

    private static boolean isNumber(String value) {
        try {
            return Double.isFinite(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isAbsoluteUri(String value) {
        try {
            return URI.create(value).isAbsolute();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
