package org.waldur.agent.sandbox.waldur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests of {@link OpenApiContract}, on a small synthetic schema and on the real one. */
class FakeWaldurContractTest {

    private static final String HEX = "3f2c9e0b8d7a4c1e9f5b6a7d8c9e0f1a";

    private static List<String> messages(List<ContractViolation> violations) {
        return violations.stream().map(ContractViolation::message).toList();
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Each rule of the converter and the parameter checker, isolated from the 4 MB document. */
    @Nested
    class SyntheticSchema {

        private static OpenApiContract contract;

        @BeforeAll
        static void load(@TempDir Path dir) throws IOException {
            Path yaml = dir.resolve("mini.yaml");
            Files.writeString(yaml, """
                    openapi: 3.0.3
                    info: {title: mini, version: '1'}
                    paths:
                      /api/things/{uuid}/:
                        get:
                          parameters:
                          - {in: path, name: uuid, required: true, schema: {type: string, format: uuid}}
                          responses:
                            '200':
                              content:
                                application/json:
                                  schema: {$ref: '#/components/schemas/Thing'}
                        post:
                          parameters:
                          - {in: path, name: uuid, required: true, schema: {type: string, format: uuid}}
                          requestBody:
                            required: true
                            content:
                              application/json:
                                schema: {$ref: '#/components/schemas/Thing'}
                          responses:
                            '200': {description: No response body}
                      /api/things/stats/:
                        get:
                          parameters:
                          - {in: query, name: o, explode: false, style: form,
                             schema: {type: array, items: {$ref: '#/components/schemas/Order'}}}
                          - {in: query, name: kind, required: true,
                             schema: {type: array, items: {type: string}}}
                          - {in: query, name: limit, schema: {type: integer}}
                          - {in: query, name: active, schema: {type: boolean}}
                          responses:
                            '200': {description: ok}
                    components:
                      schemas:
                        Order: {type: string, enum: [name, -name]}
                        Colour: {type: string, enum: [red, blue]}
                        Thing:
                          type: object
                          properties:
                            id: {type: string, format: uuid, readOnly: true}
                            name: {type: string, maxLength: 5}
                            colour:
                              allOf: [{$ref: '#/components/schemas/Colour'}]
                              nullable: true
                            note: {type: string, nullable: true}
                            count: {type: integer}
                            labels: {type: object, additionalProperties: {type: integer}}
                            anything: {}
                          required: [id, name]
                    """);
            contract = OpenApiContract.load(yaml);
        }

        private List<String> post(String body) {
            return messages(contract.validateRequest("POST", "/api/things/" + HEX + "/", Map.of(), json(body)));
        }

        @Test
        void literalTemplateWinsOverParameterAndUuidFormsAreChecked() {
            Map<String, List<String>> query = Map.of("kind", List.of("a"));
            assertThat(contract.validateRequest("GET", "/api/things/stats/", query, new byte[0])).isEmpty();
            assertThat(contract.template("/api/things/stats/")).hasValue("/api/things/stats/");
            assertThat(contract.validateRequest("GET", "/api/things/" + HEX + "/", Map.of(), new byte[0])).isEmpty();
            assertThat(contract.validateRequest("GET", "/api/things/3f2c9e0b-8d7a-4c1e-9f5b-6a7d8c9e0f1a/",
                    Map.of(), new byte[0])).isEmpty();
            assertThat(contract.validateRequest("GET", "/api/things/xyz/", Map.of(), new byte[0]))
                    .extracting(ContractViolation::kind).containsExactly(ContractViolation.Kind.PATH_PARAMETER);
        }

        @Test
        void requestObjectsAreClosedAndReadOnlyFieldsMayNotBeSent() {
            assertThat(post("{\"name\": \"ab\", \"labels\": {\"x\": 1}, \"anything\": [1]}")).isEmpty();
            assertThat(post("{\"name\": \"ab\", \"extra\": 1}")).singleElement().asString().contains("'extra'");
            assertThat(post("{\"name\": \"ab\", \"id\": \"" + HEX + "\"}")).singleElement().asString()
                    .contains("$.id").contains("read");
            // readOnly "id" is required in the schema but not in requests
            assertThat(post("{\"count\": 1}")).singleElement().asString().contains("name");
        }

        @Test
        void typesNullabilityAndDeclaredMapsAreEnforced() {
            assertThat(post("{\"name\": \"ab\", \"colour\": null, \"note\": null}")).isEmpty();
            assertThat(post("{\"name\": \"ab\", \"colour\": \"green\"}")).singleElement().asString()
                    .contains("$.colour").contains("enumeration");
            assertThat(post("{\"name\": null}")).singleElement().asString().contains("$.name");
            assertThat(post("{\"name\": \"toolong\"}")).singleElement().asString().contains("$.name");
            assertThat(post("{\"name\": \"ab\", \"count\": 1.5}")).singleElement().asString().contains("$.count");
            assertThat(post("{\"name\": \"ab\", \"labels\": {\"x\": \"1\"}}")).singleElement().asString()
                    .contains("$.labels.x");
        }

        @Test
        void bodyMustBePresentAndJson() {
            assertThat(post("")).containsExactly("request body is required");
            assertThat(post("{\"name\": ")).singleElement().asString().startsWith("body is not valid JSON");
            assertThat(post("{\"name\": \"a\"} trailing")).singleElement().asString().startsWith("body is not valid JSON");
        }

        @Test
        void queryArraysFollowTheirStyleAndScalarsTheirType() {
            Map<String, List<String>> good = Map.of("kind", List.of("a", "b"), "o", List.of("name,-name"),
                    "limit", List.of("10"), "active", List.of("true"));
            assertThat(contract.validateRequest("GET", "/api/things/stats/", good, new byte[0])).isEmpty();

            Map<String, List<String>> bad = Map.of("kind", List.of("a"), "o", List.of("name", "-name"),
                    "limit", List.of("ten", "11"), "active", List.of("yes"));
            assertThat(messages(contract.validateRequest("GET", "/api/things/stats/", bad, new byte[0])))
                    .anySatisfy(m -> assertThat(m).contains("'o' must be sent once, comma-separated"))
                    .anySatisfy(m -> assertThat(m).contains("'limit' is not an array but was repeated"))
                    .anySatisfy(m -> assertThat(m).contains("'limit' value 'ten' is not an integer"))
                    .anySatisfy(m -> assertThat(m).contains("'active' value 'yes' is not a boolean"));

            assertThat(messages(contract.validateRequest("GET", "/api/things/stats/", Map.of(), new byte[0])))
                    .containsExactly("required query parameter 'kind' is missing");
        }

        @Test
        void responsesMayBeSubsetsButNotWrongTypesOrExtraFields() {
            String path = "/api/things/" + HEX + "/";
            assertThat(contract.validateResponse("GET", path, 200, json("{\"id\": \"" + HEX + "\"}"))).isEmpty();
            assertThat(messages(contract.validateResponse("GET", path, 200, json("{\"id\": 5, \"more\": 1}"))))
                    .hasSize(2);
            assertThat(messages(contract.validateResponse("POST", path, 200, json("{}"))))
                    .singleElement().asString().contains("declares no JSON body");
            assertThat(messages(contract.validateResponse("GET", path, 201, json("{}"))))
                    .singleElement().asString().contains("undeclared success status 201");
        }
    }

    @Nested
    class MissingSchema {

        @Test
        void aMissingFileDisablesChecksWithOneClearMessage() {
            PrintStream original = System.err;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            OpenApiContract contract;
            try {
                contract = OpenApiContract.loadOrSkip(Path.of("/nonexistent/waldur.yaml"));
            } finally {
                System.setErr(original);
            }
            assertThat(captured.toString(StandardCharsets.UTF_8))
                    .isEqualTo("OpenAPI contract checks SKIPPED: /nonexistent/waldur.yaml not found" + System.lineSeparator());
            assertThat(contract.isAvailable()).isFalse();
            assertThat(contract.validateRequest("GET", "/nowhere", Map.of("x", List.of("y")), json("{"))).isEmpty();

            try (FakeWaldur waldur = FakeWaldur.builder().contract(contract).start()) {
                // without a schema the fake still routes: unknown paths are 404, not violations
                assertThat(waldur.contract().isAvailable()).isFalse();
            }
        }

        @Test
        void systemPropertyOverridesTheLocation() {
            String previous = System.getProperty(OpenApiContract.PROPERTY);
            try {
                System.setProperty(OpenApiContract.PROPERTY, "/somewhere/else.yaml");
                assertThat(OpenApiContract.locate()).isEqualTo(Path.of("/somewhere/else.yaml"));
            } finally {
                if (previous == null) {
                    System.clearProperty(OpenApiContract.PROPERTY);
                } else {
                    System.setProperty(OpenApiContract.PROPERTY, previous);
                }
            }
        }
    }

    @Nested
    class RealSchema {

        private OpenApiContract contract() {
            OpenApiContract contract = OpenApiContract.shared();
            assumeTrue(contract.isAvailable(), "OpenAPI schema not available");
            return contract;
        }

        @Test
        void paginationParametersAreDeclaredByListsOnly() {
            OpenApiContract contract = contract();
            Map<String, List<String>> paging = Map.of("page", List.of("2"), "page_size", List.of("100"));
            assertThat(contract.validateRequest("GET", "/api/marketplace-orders/", paging, new byte[0])).isEmpty();
            // the team action is not paginated, so Waldur declares no page parameters for it
            assertThat(messages(contract.validateRequest("GET", "/api/marketplace-provider-resources/" + HEX
                    + "/team/", paging, new byte[0]))).hasSize(2)
                    .allSatisfy(m -> assertThat(m).startsWith("undeclared query parameter"));
        }

        @Test
        void agentRequestBodiesFromTheProtocolConform() {
            OpenApiContract contract = contract();
            String resource = "/api/marketplace-provider-resources/" + HEX;
            String order = "/api/marketplace-orders/" + HEX;
            assertThat(contract.validateRequest("POST", "/api/event-subscriptions/", Map.of(),
                    json("{\"description\": \"d\", \"observable_objects\": [{\"object_type\": \"order\"}]}"))).isEmpty();
            assertThat(contract.validateRequest("POST", order + "/approve_by_provider/", Map.of(), json("{}"))).isEmpty();
            assertThat(contract.validateRequest("POST", order + "/set_state_done/", Map.of(), new byte[0])).isEmpty();
            assertThat(contract.validateRequest("POST", order + "/set_state_erred/", Map.of(),
                    json("{\"error_message\": \"m\", \"error_traceback\": \"t\"}"))).isEmpty();
            assertThat(contract.validateRequest("POST", resource + "/set_backend_id/", Map.of(),
                    json("{\"backend_id\": \"acc\"}"))).isEmpty();
            assertThat(contract.validateRequest("POST", resource + "/set_limits/", Map.of(),
                    json("{\"limits\": {\"cpu\": 10}}"))).isEmpty();
            assertThat(contract.validateRequest("POST", resource + "/set_backend_metadata/", Map.of(),
                    json("{\"backend_metadata\": {\"qos\": \"x\"}}"))).isEmpty();
            assertThat(contract.validateRequest("GET", "/api/marketplace-provider-offerings/" + HEX + "/",
                    Map.of("field", List.of("plugin_options", "components")), new byte[0])).isEmpty();
        }

        @Test
        void loadTimeIsReported() {
            OpenApiContract contract = contract();
            System.out.printf("OpenAPI contract load time: %d ms%n", contract.loadTime().toMillis());
            assertThat(contract.loadTime()).isPositive();
        }
    }
}
