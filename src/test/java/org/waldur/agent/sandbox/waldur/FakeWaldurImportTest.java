package org.waldur.agent.sandbox.waldur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.waldur.agent.sandbox.waldur.FakeWaldurTest.Http;

/** Importing backend resources (protocol §5.10) and the project lookup by slug. */
class FakeWaldurImportTest {

    private FakeWaldur waldur;
    private Http http;
    private WaldurProject project;
    private WaldurOffering offering;

    @BeforeEach
    void setUp() {
        waldur = FakeWaldur.start();
        http = new Http(waldur.apiUrl(), waldur.token());
        WaldurCustomer customer = waldur.addCustomer("Uni Tartu", "uni-tartu");
        project = waldur.addProject(customer, "Physics", "physics");
        waldur.addProject(customer, "Chemistry", "chemistry");
        offering = waldur.newOffering(customer).name("HPC").component("cpu", "limit", 60000).create();
    }

    @AfterEach
    void tearDown() {
        assertThat(waldur.responseViolations()).isEmpty();
        waldur.close();
    }

    private String requestPath(WaldurBackendResourceRequest r, String action) {
        return "backend-resource-requests/" + r.uuid() + "/" + (action.isEmpty() ? "" : action + "/");
    }

    @Test
    void importRequestGoesSentProcessingDone() throws Exception {
        WaldurBackendResourceRequest request = waldur.addBackendResourceRequest(offering);
        JsonNode sent = http.getJson(requestPath(request, ""));
        assertThat(sent.get("state").asText()).isEqualTo("Sent");
        assertThat(sent.get("started").isNull()).isTrue();
        assertThat(sent.get("offering").asText()).isEqualTo(offering.uuid());

        HttpResponse<String> start = http.post(requestPath(request, "start_processing"), null);
        assertThat(start.statusCode()).isEqualTo(200);
        assertThat(Json.read(start.body()).get("status").asText()).isNotEmpty();
        assertThat(waldur.backendResourceRequest(request.uuid()).state()).isEqualTo("Processing");
        assertThat(waldur.backendResourceRequest(request.uuid()).started()).isNotNull();

        HttpResponse<String> again = http.post(requestPath(request, "start_processing"), null);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(Json.read(again.body()).get("detail").asText()).isEqualTo("Valid states for operation: Sent.");

        assertThat(http.post(requestPath(request, "set_done"), null).statusCode()).isEqualTo(200);
        WaldurBackendResourceRequest done = waldur.backendResourceRequest(request.uuid());
        assertThat(done.state()).isEqualTo("Done");
        assertThat(done.finished()).isNotNull();
        assertThat(http.post(requestPath(request, "set_erred"), "{\"error_message\": \"late\"}").statusCode())
                .isEqualTo(409);
        assertThat(http.getJson(requestPath(request, "")).get("finished").isTextual()).isTrue();
        assertThat(waldur.contractViolations()).isEmpty();
    }

    @Test
    void importRequestCanErrWithMessageButNotFinishUnstarted() throws Exception {
        WaldurBackendResourceRequest request = waldur.addBackendResourceRequest(offering);
        assertThat(http.post(requestPath(request, "set_done"), null).statusCode()).isEqualTo(409);

        http.post(requestPath(request, "start_processing"), null);
        assertThat(http.post(requestPath(request, "set_erred"),
                "{\"error_message\": \"sacctmgr failed\", \"error_traceback\": \"Traceback ...\"}").statusCode())
                .isEqualTo(200);
        WaldurBackendResourceRequest erred = waldur.backendResourceRequest(request.uuid());
        assertThat(erred.state()).isEqualTo("Erred");
        assertThat(erred.errorMessage()).isEqualTo("sacctmgr failed");
        assertThat(http.getJson(requestPath(request, "")).get("error_traceback").asText()).isEqualTo("Traceback ...");
        assertThat(http.get("backend-resource-requests/0123456789abcdef0123456789abcdef/").statusCode())
                .isEqualTo(404);
    }

    @Test
    void backendResourcesAreDeduplicatedByLookupThenCreated() throws Exception {
        String lookup = "backend-resources/?backend_id=hpc_physics_1&project_uuid=" + project.uuid()
                + "&offering_uuid=" + offering.uuid();
        assertThat(http.getJson(lookup)).isEmpty();

        HttpResponse<String> created = http.post("backend-resources/", "{\"name\": \"hpc_physics_1\", \"project\": \""
                + project.uuid() + "\", \"offering\": \"" + offering.uuid() + "\", \"backend_id\": \"hpc_physics_1\","
                + " \"backend_metadata\": {\"limits\": {\"cpu\": 100}}}");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode body = Json.read(created.body());
        assertThat(body.get("uuid").asText()).matches("[0-9a-f]{32}");
        assertThat(body.get("project_name").asText()).isEqualTo("Physics");

        assertThat(http.getJson(lookup)).singleElement()
                .satisfies(n -> assertThat(n.get("uuid").asText()).isEqualTo(body.get("uuid").asText()));
        assertThat(waldur.backendResources()).singleElement().satisfies(b -> {
            assertThat(b.backendId()).isEqualTo("hpc_physics_1");
            assertThat(b.backendMetadata()).containsEntry("limits", Map.of("cpu", 100));
        });
        assertThat(waldur.contractViolations()).isEmpty();
    }

    @Test
    void projectAndOfferingMustBeExistingUuids() throws Exception {
        HttpResponse<String> unknown = http.post("backend-resources/", "{\"name\": \"x\", \"project\": "
                + "\"0123456789abcdef0123456789abcdef\", \"offering\": \"" + offering.uuid() + "\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(Json.read(unknown.body()).get("project").get(0).asText())
                .isEqualTo("Object with uuid=0123456789abcdef0123456789abcdef does not exist.");
        assertThat(waldur.backendResources()).isEmpty();

        assumeTrue(waldur.contract().isAvailable());
        // the schema declares project/offering as format: uuid, so a hyperlink is a contract violation
        HttpResponse<String> url = http.post("backend-resources/", "{\"name\": \"x\", \"project\": \""
                + waldur.apiUrl() + "projects/" + project.uuid() + "/\", \"offering\": \"" + offering.uuid() + "\"}");
        assertThat(url.statusCode()).isEqualTo(400);
        assertThat(waldur.contractViolations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("$.project"));
        assertThat(waldur.backendResources()).isEmpty();
    }

    @Test
    void backendResourceListIsPaginated() throws Exception {
        for (int i = 0; i < 7; i++) {
            waldur.addBackendResource(project, offering, "acc" + i, "acc" + i);
        }
        HttpResponse<String> page2 = http.get("backend-resources/?offering_uuid=" + offering.uuid() + "&page_size=4&page=2");
        assertThat(page2.headers().firstValue("X-Result-Count")).hasValue("7");
        assertThat(Json.read(page2.body())).extracting(n -> n.get("backend_id").asText())
                .containsExactly("acc4", "acc5", "acc6");
    }

    @Test
    void projectsAreFoundBySlug() throws Exception {
        JsonNode found = http.getJson("projects/?slug=physics");
        assertThat(found).singleElement().satisfies(n -> {
            assertThat(n.get("uuid").asText()).isEqualTo(project.uuid());
            assertThat(n.get("customer_slug").asText()).isEqualTo("uni-tartu");
        });
        assertThat(http.getJson("projects/?slug=biology")).isEmpty();
        assertThat(http.getJson("projects/")).hasSize(2);
        assertThat(http.getJson("projects/" + project.uuid() + "/?field=slug").size()).isEqualTo(1);
    }

    @Test
    void responsesOfTheImportEndpointsConformToTheSchema() throws Exception {
        assumeTrue(waldur.contract().isAvailable());
        WaldurBackendResourceRequest request = waldur.addBackendResourceRequest(offering);
        WaldurBackendResource backend = waldur.addBackendResource(project, offering, "acc", "acc");
        for (String path : List.of(requestPath(request, ""), "backend-resources/", "backend-resources/"
                + backend.uuid() + "/", "projects/?slug=physics", "projects/" + project.uuid() + "/")) {
            HttpResponse<String> r = http.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            String rawPath = URI.create(waldur.apiUrl() + path).getRawPath();
            assertThat(waldur.contract().validateResponse("GET", rawPath, 200, r.body().getBytes())).as(path).isEmpty();
        }
        assertThat(waldur.contract().validateResponse("GET", "/api/" + requestPath(request, ""), 200,
                "{\"state\": \"Imported\"}".getBytes())).hasSize(1);
    }
}
