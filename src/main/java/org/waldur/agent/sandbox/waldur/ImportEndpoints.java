package org.waldur.agent.sandbox.waldur;

import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.fields;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.matches;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.ok;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.uuidOf;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.waldur.agent.sandbox.waldur.FakeWaldurApi.ApiRequest;

/** Importing backend resources (protocol §5.10) and the project lookup it needs. */
final class ImportEndpoints {

    private static final String REQUESTS = "/api/backend-resource-requests/";
    private static final String BACKEND_RESOURCES = "/api/backend-resources/";

    private final FakeWaldurApi api;
    private final FakeWaldurState state;
    private final WaldurViews views;

    ImportEndpoints(FakeWaldurApi api) {
        this.api = api;
        this.state = api.state;
        this.views = api.views;
    }

    void register() {
        api.get(REQUESTS + "{uuid}/", (r, m) -> ok(views.importRequest(state.importRequest(m.group(1)))));
        api.post(REQUESTS + "{uuid}/start_processing/", (r, m) -> {
            state.transitionImportRequest(uuidOf(m), List.of("Sent"), "Processing", null, null);
            return ok(Json.object().put("status", "Backend resource request processing has been started."));
        });
        api.post(REQUESTS + "{uuid}/set_done/", (r, m) -> {
            state.transitionImportRequest(uuidOf(m), List.of("Processing"), "Done", null, null);
            return ok(Json.object().put("status", "Backend resource request has been processed."));
        });
        api.post(REQUESTS + "{uuid}/set_erred/", (r, m) -> {
            state.transitionImportRequest(uuidOf(m), List.of("Sent", "Processing"), "Erred",
                    FakeWaldurApi.orEmpty(r.text("error_message")), FakeWaldurApi.orEmpty(r.text("error_traceback")));
            return ok(Json.object().put("status", "Backend resource request has been marked as erred."));
        });

        api.get(BACKEND_RESOURCES, (r, m) -> api.list(r, "backend-resources",
                Set.of("backend_id", "project_uuid", "offering_uuid", "name", "name_exact"),
                state.backendResources(b -> backendResourceFilter(r, b)).stream()
                        .map(views::backendResource).toList()));
        api.get(BACKEND_RESOURCES + "{uuid}/", (r, m) -> ok(views.backendResource(state.backendResource(m.group(1)))));
        api.post(BACKEND_RESOURCES, (r, m) -> createBackendResource(r));

        api.get("/api/projects/", (r, m) -> api.list(r, "projects",
                Set.of("slug", "name", "name_exact", "customer_uuid"),
                state.projects(p -> projectFilter(r, p)).stream().map(views::project).toList()));
        api.get("/api/projects/{uuid}/", (r, m) -> ok(fields(views.project(state.project(m.group(1))), r)));
    }

    private static boolean backendResourceFilter(ApiRequest r, WaldurBackendResource b) {
        return matches(r, "backend_id", b.backendId())
                && matches(r, "project_uuid", b.projectUuid())
                && matches(r, "offering_uuid", b.offeringUuid())
                && matches(r, "name_exact", b.name())
                && icontains(r.param("name"), b.name());
    }

    private static boolean projectFilter(ApiRequest r, WaldurProject p) {
        return matches(r, "slug", p.slug())
                && matches(r, "name_exact", p.name())
                && matches(r, "customer_uuid", p.customerUuid())
                && icontains(r.param("name"), p.name());
    }

    private static boolean icontains(String wanted, String actual) {
        return wanted == null || actual.toLowerCase(Locale.ROOT).contains(wanted.toLowerCase(Locale.ROOT));
    }

    /** BackendResourceSerializer.create: project and offering are UUIDs (SlugRelatedField). */
    private ApiResponse createBackendResource(ApiRequest r) {
        String project = r.text("project");
        String offering = r.text("offering");
        related(() -> state.project(project), "project", project);
        related(() -> state.offering(offering), "offering", offering);
        if (r.node("backend_metadata") != null && !r.node("backend_metadata").isObject()) {
            throw new ApiError(501, Json.detail("FakeWaldur only stores an object as backend_metadata"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> metadata = r.node("backend_metadata") == null ? Map.of()
                : Json.MAPPER.convertValue(r.node("backend_metadata"), Map.class);
        java.time.Instant now = FakeWaldurState.now();
        WaldurBackendResource created = state.put(new WaldurBackendResource(state.newUuid(), r.text("name"),
                FakeWaldurState.normalise(project), FakeWaldurState.normalise(offering), r.text("backend_id"),
                metadata, now, now));
        return ApiResponse.json(201, views.backendResource(created));
    }

    private static void related(Runnable lookup, String field, String value) {
        try {
            lookup.run();
        } catch (ApiError e) {
            throw ApiError.field(field, "Object with uuid=" + value + " does not exist.");
        }
    }
}
