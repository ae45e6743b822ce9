package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns OpenAPI 3.0 schema objects into self-contained JSON Schema draft-07 documents.
 *
 * <p>OpenAPI 3.0 is only "almost" JSON Schema: {@code nullable} is not a JSON Schema keyword,
 * {@code format: uuid} in Waldur means 32 hex digits (Django also accepts the dashed form), and
 * drf-spectacular leaves {@code additionalProperties} out where Django simply ignores unknown
 * fields. Because the agent must not rely on fields Waldur does not define, every object schema
 * with {@code properties} and no {@code additionalProperties} is closed here.
 *
 * <p>Only the component schemas reachable from the root are copied into {@code definitions}, so a
 * document stays small; converted components are cached per mode.
 */
final class JsonSchemaConverter {

    /** Requests keep {@code required}; responses of the fake may be field subsets. */
    enum Mode { REQUEST, RESPONSE }

    private static final String COMPONENT_PREFIX = "#/components/schemas/";
    private static final String UUID_PATTERN =
            "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$";
    /** Formats networknt asserts and whose meaning matches Waldur's; the rest are annotations. */
    private static final Set<String> ASSERTED_FORMATS =
            Set.of("date-time", "date", "email", "ipv4", "ipv6", "uri");
    /** JSON Schema keywords copied as they are; everything else (docs, x-*, examples) is dropped. */
    private static final Set<String> PLAIN_KEYWORDS = Set.of(
            "type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum",
            "multipleOf", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
            "readOnly", "writeOnly");

    private final JsonNode componentSchemas;
    private final Map<Mode, Map<String, JsonNode>> converted = Map.of(
            Mode.REQUEST, new ConcurrentHashMap<>(), Mode.RESPONSE, new ConcurrentHashMap<>());
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    JsonSchemaConverter(JsonNode componentSchemas) {
        this.componentSchemas = componentSchemas;
    }

    /** A draft-07 document validating instances of {@code openApiSchema}. */
    ObjectNode document(JsonNode openApiSchema, Mode mode) {
        Set<String> refs = new HashSet<>();
        JsonNode root = convert(openApiSchema, mode, refs);
        ObjectNode definitions = nodes.objectNode();
        Deque<String> pending = new ArrayDeque<>(refs);
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (definitions.has(name)) {
                continue;
            }
            Set<String> nested = new HashSet<>();
            definitions.set(name, component(name, mode, nested));
            nested.stream().filter(n -> !definitions.has(n)).forEach(pending::push);
        }
        ObjectNode doc = nodes.objectNode();
        doc.put("$schema", "http://json-schema.org/draft-07/schema#");
        doc.set("definitions", definitions);
        // draft-07 ignores siblings of a top-level $ref, so wrap the root instead of merging it
        doc.putArray("allOf").add(root);
        return doc;
    }

    private JsonNode component(String name, Mode mode, Set<String> refs) {
        JsonNode cached = converted.get(mode).get(name);
        if (cached == null) {
            JsonNode source = componentSchemas.get(name);
            if (source == null) {
                throw new IllegalArgumentException("Schema references unknown component " + name);
            }
            cached = convert(source, mode, new HashSet<>());
            converted.get(mode).put(name, cached);
        }
        collectRefs(cached, refs);
        return cached;
    }

    private static void collectRefs(JsonNode node, Set<String> refs) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual()) {
                refs.add(ref.asText().substring("#/definitions/".length()));
            }
        }
        if (node.isContainerNode()) {
            node.forEach(child -> collectRefs(child, refs));
        }
    }

    private JsonNode convert(JsonNode schema, Mode mode, Set<String> refs) {
        if (schema == null || !schema.isObject()) {
            return nodes.objectNode();
        }
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            if (!ref.startsWith(COMPONENT_PREFIX)) {
                throw new IllegalArgumentException("Unsupported $ref " + ref);
            }
            String name = ref.substring(COMPONENT_PREFIX.length());
            refs.add(name);
            return nodes.objectNode().put("$ref", "#/definitions/" + name);
        }
        ObjectNode out = nodes.objectNode();
        for (Map.Entry<String, JsonNode> field : schema.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            switch (key) {
                case "format" -> convertFormat(value.asText(), out);
                case "items", "not" -> out.set(key, convert(value, mode, refs));
                case "allOf", "oneOf", "anyOf" -> {
                    ArrayNode list = out.putArray(key);
                    value.forEach(s -> list.add(convert(s, mode, refs)));
                }
                case "properties" -> {
                    ObjectNode props = out.putObject("properties");
                    value.properties().forEach(p -> props.set(p.getKey(), convert(p.getValue(), mode, refs)));
                }
                case "additionalProperties" -> out.set(key,
                        value.isBoolean() ? value : convert(value, mode, refs));
                case "required" -> {
                    if (mode == Mode.REQUEST) {
                        out.set(key, value);
                    }
                }
                default -> {
                    if (PLAIN_KEYWORDS.contains(key)) {
                        out.set(key, value);
                    }
                }
            }
        }
        if (out.has("properties") && !out.has("additionalProperties")) {
            out.put("additionalProperties", false);
        }
        if (mode == Mode.REQUEST) {
            dropReadOnlyFromRequired(out);
        }
        return schema.path("nullable").asBoolean(false) ? nullable(out) : out;
    }

    private void convertFormat(String format, ObjectNode out) {
        if ("uuid".equals(format)) {
            out.put("pattern", UUID_PATTERN);
        } else if (ASSERTED_FORMATS.contains(format)) {
            out.put("format", format);
        }
    }

    /** A readOnly field can't be required in a request; networknt rejects its presence instead. */
    private static void dropReadOnlyFromRequired(ObjectNode out) {
        JsonNode required = out.get("required");
        JsonNode props = out.get("properties");
        if (required == null || props == null) {
            return;
        }
        ArrayNode kept = out.arrayNode();
        required.forEach(name -> {
            if (!props.path(name.asText()).path("readOnly").asBoolean(false)) {
                kept.add(name);
            }
        });
        out.set("required", kept);
    }

    private JsonNode nullable(ObjectNode out) {
        JsonNode type = out.get("type");
        if (type != null && type.isTextual()) {
            out.putArray("type").add(type.asText()).add("null");
            JsonNode enumeration = out.get("enum");
            if (enumeration != null && enumeration.isArray()) {
                // copied, because the array is still shared with the source tree
                out.set("enum", ((ArrayNode) enumeration).deepCopy().addNull());
            }
            return out;
        }
        if (type == null && out.isEmpty()) {
            return out;
        }
        // if/else rather than anyOf: a wrong non-null value then yields only the real error,
        // not an extra "null expected" from the other branch
        ObjectNode wrapper = nodes.objectNode();
        wrapper.set("if", nodes.objectNode().put("type", "null"));
        wrapper.set("else", out);
        // readOnly must stay visible at the property level for networknt's request check
        if (out.has("readOnly")) {
            wrapper.set("readOnly", out.remove("readOnly"));
        }
        return wrapper;
    }
}
