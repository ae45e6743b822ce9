package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.waldur.agent.sandbox.waldur.ContractViolation.Kind;
import org.waldur.agent.sandbox.waldur.JsonSchemaConverter.Mode;

/**
 * The Waldur REST contract (OpenAPI 3.0.3 schema 8.0.5), used to check every request the agent
 * sends to {@link FakeWaldur} and every response the fake gives.
 *
 * <p>The 4 MB YAML takes ~2 s to parse cold with snakeyaml-engine, so it is parsed once per JVM
 * ({@link #shared()}) and the relevant part is also cached as JSON under {@code java.io.tmpdir},
 * keyed by the SHA-256 of the YAML, which brings later JVMs down to a few hundred milliseconds.
 *
 * <p>If the schema file is missing, {@link #isAvailable()} is false, every check returns no
 * violations and a single "SKIPPED" line is printed to stderr, so tests still run.
 */
public final class OpenApiContract {

    /** System property that points to the schema YAML explicitly. */
    public static final String PROPERTY = "waldur.openapi";
    static final String FILE_NAME = "waldur-openapi-schema-8.0.5.yaml";
    private static final Set<String> HTTP_METHODS =
            Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    private static final List<String> DOCUMENTATION_KEYS =
            List.of("description", "summary", "title", "example", "examples", "tags", "security", "operationId");

    /** Bump when the cached JSON's shape changes, so stale caches are ignored. */
    private static final int CACHE_FORMAT = 1;

    private static volatile OpenApiContract shared;

    private final Path source;
    private final boolean available;
    private volatile Duration loadTime = Duration.ZERO;
    private final boolean fromCache;
    private final JsonNode components;
    private final PathIndex index = new PathIndex();
    private final JsonSchemaConverter converter;
    private final ParameterCheck parameters;
    private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();
    private final SchemaValidatorsConfig requestConfig = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_PATH).readOnly(true).writeOnly(false).build();
    private final SchemaValidatorsConfig responseConfig = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_PATH).readOnly(false).writeOnly(true).build();

    private OpenApiContract(Path source, JsonNode document, boolean fromCache) {
        this.source = source;
        this.available = document != null;
        this.fromCache = fromCache;
        this.components = document == null ? MissingNode.getInstance() : document.path("components");
        this.converter = new JsonSchemaConverter(components.path("schemas"));
        this.parameters = new ParameterCheck(this::resolveSchema);
        if (document != null) {
            document.path("paths").properties().forEach(e -> index.add(e.getKey(), operations(e.getKey(), e.getValue())));
        }
    }

    /** The contract for this JVM, located as described in {@link #locate()} and loaded once. */
    public static OpenApiContract shared() {
        OpenApiContract c = shared;
        if (c == null) {
            synchronized (OpenApiContract.class) {
                c = shared;
                if (c == null) {
                    c = loadOrSkip(locate());
                    shared = c;
                }
            }
        }
        return c;
    }

    /**
     * The shared contract when the schema file is found (see {@link #locate()}), else one that checks nothing,
     * without a message: the sandbox runs wherever the jar is, usually without the schema next to it.
     */
    public static OpenApiContract sharedIfPresent() {
        Path path = locate();
        return Files.isRegularFile(path) ? shared() : unavailable(path);
    }

    /** Loads a specific schema file; throws if it can't be read. */
    public static OpenApiContract load(Path yaml) {
        long start = System.nanoTime();
        try {
            byte[] bytes = Files.readAllBytes(yaml);
            Path cache = cacheFile(bytes);
            JsonNode doc = readCache(cache);
            boolean hit = doc != null;
            if (!hit) {
                doc = parseYaml(bytes);
                writeCache(cache, doc);
            }
            OpenApiContract contract = new OpenApiContract(yaml, doc, hit);
            contract.loadTime = Duration.ofNanos(System.nanoTime() - start);
            return contract;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read OpenAPI schema " + yaml, e);
        }
    }

    /** A contract that checks nothing, as used when the schema file is absent. */
    static OpenApiContract unavailable(Path expected) {
        return new OpenApiContract(expected, null, false);
    }

    static OpenApiContract loadOrSkip(Path path) {
        if (!Files.isRegularFile(path)) {
            System.err.println("OpenAPI contract checks SKIPPED: " + path + " not found");
            return unavailable(path);
        }
        OpenApiContract c = load(path);
        System.err.printf("OpenAPI contract loaded from %s in %d ms (%s)%n", path, c.loadTime.toMillis(),
                c.fromCache ? "JSON cache" : "parsed YAML");
        return c;
    }

    /**
     * Where the schema is expected: system property {@value #PROPERTY}, else
     * {@code ../shared/reference/<file>} relative to {@code user.dir}, else the first
     * {@code shared/reference/<file>} found walking up from {@code user.dir}.
     */
    static Path locate() {
        String explicit = System.getProperty(PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path sibling = dir.resolve("../shared/reference").resolve(FILE_NAME).normalize();
        if (Files.isRegularFile(sibling)) {
            return sibling;
        }
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/reference").resolve(FILE_NAME);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return sibling;
    }

    public boolean isAvailable() {
        return available;
    }

    /** The schema file used (or expected, when unavailable). */
    public Path source() {
        return source;
    }

    /** How long loading took: reading the file, YAML parse or JSON cache read, and indexing. */
    public Duration loadTime() {
        return loadTime;
    }

    /** Same as {@link #validateRequest(String, String, Map, String, byte[])} assuming JSON. */
    public List<ContractViolation> validateRequest(String method, String rawPath,
            Map<String, List<String>> query, byte[] body) {
        return validateRequest(method, rawPath, query, "application/json", body);
    }

    /**
     * Checks one request.
     *
     * @param method HTTP method (any case)
     * @param rawPath path without query string
     * @param query decoded query parameters; repeated parameters as several values
     * @param contentType the {@code Content-Type} header, or null
     * @param body request body bytes, possibly empty
     * @return violations; empty when the request conforms or the contract is unavailable
     */
    public List<ContractViolation> validateRequest(String method, String rawPath,
            Map<String, List<String>> query, String contentType, byte[] body) {
        if (!available) {
            return List.of();
        }
        String m = method.toUpperCase(Locale.ROOT);
        List<ContractViolation> out = new ArrayList<>();
        Optional<Resolved> resolved = operation(m, rawPath, out);
        if (resolved.isEmpty()) {
            return out;
        }
        ApiOperation op = resolved.get().operation();
        parameters.path(op, resolved.get().pathParameters())
                .forEach(p -> out.add(new ContractViolation(Kind.PATH_PARAMETER, m, rawPath, p)));
        parameters.query(op, query)
                .forEach(p -> out.add(new ContractViolation(Kind.QUERY_PARAMETER, m, rawPath, p)));
        checkRequestBody(op, contentType, body == null ? new byte[0] : body)
                .forEach(p -> out.add(new ContractViolation(Kind.REQUEST_BODY, m, rawPath, p)));
        return out;
    }

    /**
     * Checks a response against the schema declared for its status. Field subsets are accepted
     * (required lists are ignored) but every field present must be declared and of the right type.
     */
    public List<ContractViolation> validateResponse(String method, String rawPath, int status, byte[] body) {
        if (!available) {
            return List.of();
        }
        String m = method.toUpperCase(Locale.ROOT);
        List<ContractViolation> out = new ArrayList<>();
        Optional<ApiOperation> op = operation(m, rawPath, out).map(Resolved::operation);
        if (op.isEmpty()) {
            return out;
        }
        boolean empty = body == null || body.length == 0;
        JsonNode response = op.get().responses().get(String.valueOf(status));
        if (response == null) {
            if (status >= 200 && status < 300) {
                out.add(new ContractViolation(Kind.RESPONSE_BODY, m, rawPath, "undeclared success status " + status
                        + " (declared: " + names(op.get().responses()) + ")"));
            }
            return out;
        }
        JsonNode schema = response.path("content").path("application/json").get("schema");
        if (schema == null) {
            if (!empty) {
                out.add(new ContractViolation(Kind.RESPONSE_BODY, m, rawPath,
                        "status " + status + " declares no JSON body but one was sent"));
            }
            return out;
        }
        if (empty) {
            return out;
        }
        String key = op.get().key() + " response " + status;
        validateJson(key, schema, Mode.RESPONSE, body)
                .forEach(p -> out.add(new ContractViolation(Kind.RESPONSE_BODY, m, rawPath, p)));
        return out;
    }

    /** Methods declared for the template matching {@code rawPath} (empty if none matches). */
    public Set<String> allowedMethods(String rawPath) {
        return index.match(rawPath).map(m -> (Set<String>) new TreeSet<>(m.template().operations().keySet()))
                .orElse(Set.of());
    }

    /** The schema path template matching {@code rawPath}, if any. */
    public Optional<String> template(String rawPath) {
        return index.match(rawPath).map(m -> m.template().path());
    }

    private record Resolved(ApiOperation operation, Map<String, String> pathParameters) {
    }

    private Optional<Resolved> operation(String method, String rawPath, List<ContractViolation> out) {
        Optional<PathIndex.Match> match = index.match(rawPath);
        if (match.isEmpty()) {
            String hint = rawPath.endsWith("/") ? "" : " (Waldur paths end with '/')";
            out.add(new ContractViolation(Kind.UNKNOWN_PATH, method, rawPath, "no path in the schema matches" + hint));
            return Optional.empty();
        }
        ApiOperation op = match.get().template().operations().get(method);
        if (op == null) {
            out.add(new ContractViolation(Kind.METHOD_NOT_ALLOWED, method, rawPath, match.get().template().path()
                    + " allows only " + new TreeSet<>(match.get().template().operations().keySet())));
            return Optional.empty();
        }
        return Optional.of(new Resolved(op, match.get().parameters()));
    }

    private List<String> checkRequestBody(ApiOperation op, String contentType, byte[] body) {
        List<String> problems = new ArrayList<>();
        String text = new String(body, StandardCharsets.UTF_8).strip();
        JsonNode declared = op.requestBody();
        if (declared == null) {
            // an empty JSON object carries no fields, so Django ignores it as it ignores no body
            if (!text.isEmpty() && !text.replaceAll("\\s", "").equals("{}")) {
                problems.add("operation declares no request body, but one was sent: " + abbreviate(text));
            }
            return problems;
        }
        if (text.isEmpty()) {
            if (declared.path("required").asBoolean(false)) {
                problems.add("request body is required");
            }
            return problems;
        }
        JsonNode content = declared.path("content");
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            problems.add("Content-Type '" + contentType + "' is not accepted (declared: " + names(content) + ")");
            return problems;
        }
        if (!mediaType.equals("application/json")) {
            return problems;
        }
        problems.addAll(validateJson(op.key() + " request", content.path(mediaType).get("schema"), Mode.REQUEST, body));
        return problems;
    }

    /** Created on first body validation; its ~0.5 s start-up is not part of loading the schema. */
    private static final class Validators {
        static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    }

    private List<String> validateJson(String cacheKey, JsonNode openApiSchema, Mode mode, byte[] body) {
        JsonNode instance;
        try {
            instance = Json.parse(body);
        } catch (JsonProcessingException e) {
            return List.of("body is not valid JSON: " + e.getOriginalMessage());
        }
        if (openApiSchema == null) {
            return List.of();
        }
        JsonSchema schema = compiled.computeIfAbsent(cacheKey, k -> Validators.FACTORY.getSchema(
                converter.document(openApiSchema, mode), mode == Mode.REQUEST ? requestConfig : responseConfig));
        List<String> problems = new ArrayList<>();
        for (ValidationMessage msg : schema.validate(instance)) {
            problems.add(msg.getMessage());
        }
        problems.sort(null);
        return problems;
    }

    private Map<String, ApiOperation> operations(String template, JsonNode pathItem) {
        Map<String, ApiOperation> ops = new LinkedHashMap<>();
        pathItem.properties().forEach(e -> {
            if (!HTTP_METHODS.contains(e.getKey())) {
                return;
            }
            JsonNode op = e.getValue();
            Map<String, JsonNode> query = new LinkedHashMap<>();
            Map<String, JsonNode> path = new LinkedHashMap<>();
            List<JsonNode> declared = new ArrayList<>();
            pathItem.path("parameters").forEach(declared::add);
            op.path("parameters").forEach(declared::add);
            for (JsonNode p : declared) {
                JsonNode param = resolveParameter(p);
                switch (param.path("in").asText()) {
                    case "query" -> query.put(param.path("name").asText(), param);
                    case "path" -> path.put(param.path("name").asText(), param);
                    default -> { }
                }
            }
            String method = e.getKey().toUpperCase(Locale.ROOT);
            ops.put(method, new ApiOperation(method, template, Map.copyOf(query), Map.copyOf(path),
                    op.get("requestBody"), op.path("responses")));
        });
        return ops;
    }

    private JsonNode resolveParameter(JsonNode param) {
        String ref = param.path("$ref").asText("");
        if (ref.startsWith("#/components/parameters/")) {
            return components.path("parameters").path(ref.substring("#/components/parameters/".length()));
        }
        return param;
    }

    /** Follows a schema {@code $ref} or a single-element {@code allOf} wrapper. */
    private JsonNode resolveSchema(JsonNode schema) {
        JsonNode current = schema == null ? MissingNode.getInstance() : schema;
        for (int depth = 0; depth < 16; depth++) {
            String ref = current.path("$ref").asText("");
            if (ref.startsWith("#/components/schemas/")) {
                current = components.path("schemas").path(ref.substring("#/components/schemas/".length()));
            } else if (current.path("allOf").size() == 1) {
                current = current.path("allOf").get(0);
            } else {
                return current;
            }
        }
        return current;
    }

    private static String names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    // --- loading and the JSON cache -------------------------------------------------------

    private static JsonNode parseYaml(byte[] yaml) {
        LoadSettings settings = LoadSettings.builder().setCodePointLimit(Integer.MAX_VALUE).build();
        Object raw = new Load(settings).loadFromString(new String(yaml, StandardCharsets.UTF_8));
        JsonNode full = Json.MAPPER.valueToTree(raw);
        dropDocumentation(full, false);
        // only what validation needs; keeps the cache small and fast to read
        ObjectNode slim = JsonNodeFactory.instance.objectNode();
        slim.set("paths", full.path("paths"));
        ObjectNode components = slim.putObject("components");
        components.set("schemas", full.path("components").path("schemas"));
        components.set("parameters", full.path("components").path("parameters"));
        return slim;
    }

    /** Prose and examples are half the document and irrelevant to validation. */
    private static void dropDocumentation(JsonNode node, boolean isPropertyMap) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            if (!isPropertyMap) {
                object.remove(DOCUMENTATION_KEYS);
                List<String> extensions = new ArrayList<>();
                object.fieldNames().forEachRemaining(n -> {
                    if (n.startsWith("x-")) {
                        extensions.add(n);
                    }
                });
                object.remove(extensions);
            }
            // children of "properties" are field names, which may well be "description" or "title"
            object.properties().forEach(e -> dropDocumentation(e.getValue(),
                    !isPropertyMap && e.getKey().equals("properties")));
        } else if (node.isArray()) {
            node.forEach(child -> dropDocumentation(child, false));
        }
    }

    private static Path cacheFile(byte[] yaml) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(yaml);
            String name = "waldur-openapi-v" + CACHE_FORMAT + "-" + HexFormat.of().formatHex(digest, 0, 16) + ".json";
            return Path.of(System.getProperty("java.io.tmpdir"), "waldur-fake-cache", name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readCache(Path cache) {
        if (!Files.isRegularFile(cache)) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(cache.toFile());
        } catch (IOException e) {
            return null; // a corrupt cache is rebuilt from the YAML
        }
    }

    private static void writeCache(Path cache, JsonNode doc) {
        try {
            Files.createDirectories(cache.getParent());
            Path tmp = Files.createTempFile(cache.getParent(), "openapi", ".tmp");
            Json.MAPPER.writeValue(tmp.toFile(), doc);
            // atomic, so a concurrently starting JVM never reads half a file
            Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("OpenAPI contract: could not write cache " + cache + ": " + e);
        }
    }
}
