package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.waldur.agent.sandbox.waldur.ContractViolation.Kind;

/**
 * The endpoints of the fake: routing, filters and request-body semantics, on top of
 * {@link FakeWaldurState}. Auth, contract checks, faults and logging happen before, in
 * {@link FakeWaldur}.
 */
final class FakeWaldurApi {

    /**
     * A parsed request: decoded query, body already checked to be JSON (or null when empty).
     *
     * @param userAgent the {@code User-Agent} header or null
     */
    record ApiRequest(String method, String path, Map<String, List<String>> query, JsonNode body, String userAgent) {

        ApiRequest(String method, String path, Map<String, List<String>> query, JsonNode body) {
            this(method, path, query, body, null);
        }

        String text(String field) {
            JsonNode v = body == null ? null : body.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }

        /** The body field, or null when absent or JSON null. */
        JsonNode node(String field) {
            JsonNode v = body == null ? null : body.get(field);
            return v == null || v.isNull() ? null : v;
        }

        boolean has(String field) {
            return body != null && body.has(field);
        }

        /** The last value of a query parameter, or null. */
        String param(String name) {
            List<String> values = query.get(name);
            return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
        }

        /** Whether the request comes from the site agent (what Waldur's integration status looks for). */
        boolean fromSiteAgent() {
            return userAgent != null && userAgent.contains("waldur-site-agent");
        }
    }

    /** A route answers one method on one path regex; groups are path parameters. */
    private record Route(String method, Pattern path, Handler handler) {
    }

    @FunctionalInterface
    interface Handler {
        ApiResponse handle(ApiRequest request, Matcher path);
    }

    private static final Set<String> OBJECT_TYPES = Set.of("order", "user_role", "resource", "offering_user",
            "importable_resources", "service_account", "course_account", "resource_periodic_limits");
    /** Query parameters every list handles itself. */
    private static final Set<String> LIST_PARAMETERS = Set.of("page", "page_size", "field");

    final FakeWaldurState state;
    final WaldurViews views;
    final String apiUrl;
    private final String userUuid;
    private final List<SubscriptionListener> listeners;
    private final Consumer<ContractViolation> violations;
    private final List<Route> routes = new ArrayList<>();

    FakeWaldurApi(FakeWaldurState state, WaldurViews views, String apiUrl, String userUuid,
            List<SubscriptionListener> listeners, Consumer<ContractViolation> violations) {
        this.state = state;
        this.views = views;
        this.apiUrl = apiUrl;
        this.userUuid = userUuid;
        this.listeners = listeners;
        this.violations = violations;
        registerRoutes();
        new MembershipEndpoints(this).register();
        new UsageEndpoints(this).register();
        new ImportEndpoints(this).register();
    }

    private void registerRoutes() {
        get("/api/users/me/", (r, m) -> ok(WaldurViews.fields(views.currentUser(), r.query())));
        get("/api/version/", (r, m) -> ok(Json.object().put("version", "8.0.5")));

        get("/api/event-subscriptions/", (r, m) -> list(r, "event-subscriptions", Set.of("user_uuid"),
                state.subscriptions().stream().filter(s -> matches(r, "user_uuid", s.userUuid()))
                        .map(views::subscription).toList()));
        post("/api/event-subscriptions/", (r, m) -> createSubscription(r));
        get("/api/event-subscriptions/{uuid}/", (r, m) -> ok(views.subscription(subscription(m.group(1)))));
        delete("/api/event-subscriptions/{uuid}/", (r, m) -> deleteSubscription(m.group(1)));

        get("/api/marketplace-orders/", (r, m) -> {
            heartbeat(r, true);
            return list(r, "marketplace-orders",
                    Set.of("offering_uuid", "state", "type", "resource_uuid", "project_uuid", "customer_uuid"),
                    state.orders(orderFilter(r)).stream().map(views::order).toList());
        });
        get("/api/marketplace-orders/{uuid}/", (r, m) -> ok(fields(views.order(state.order(m.group(1))), r)));
        post("/api/marketplace-orders/{uuid}/approve_by_provider/", (r, m) -> {
            state.approveByProvider(m.group(1));
            return ApiResponse.empty(200);
        });
        post("/api/marketplace-orders/{uuid}/set_state_done/", (r, m) -> {
            state.setStateDone(m.group(1));
            return ApiResponse.empty(200);
        });
        post("/api/marketplace-orders/{uuid}/set_state_erred/", (r, m) -> {
            state.setStateErred(m.group(1), orEmpty(r.text("error_message")), orEmpty(r.text("error_traceback")));
            return ApiResponse.empty(200);
        });

        String resources = "/api/marketplace-provider-resources/";
        get(resources, (r, m) -> {
            heartbeat(r, false);
            return list(r, "marketplace-provider-resources",
                    Set.of("offering_uuid", "state", "project_uuid", "customer_uuid", "backend_id"),
                    state.resources(resourceFilter(r)).stream().map(views::resource).toList());
        });
        get(resources + "{uuid}/", (r, m) -> ok(fields(views.resource(state.resource(m.group(1))), r)));
        get(resources + "{uuid}/team/", (r, m) -> ok(Json.tree(
                state.team(m.group(1)).stream().map(views::teamMember).toList())));
        post(resources + "{uuid}/set_backend_id/", (r, m) -> setBackendId(m.group(1), r));
        post(resources + "{uuid}/set_limits/", (r, m) -> setLimits(m.group(1), r));
        post(resources + "{uuid}/set_backend_metadata/", (r, m) -> setBackendMetadata(m.group(1), r));
        post(resources + "{uuid}/refresh_last_sync/", (r, m) -> {
            state.updateResource(uuidOf(m), b -> b.lastSync(FakeWaldurState.now()));
            return ApiResponse.empty(200);
        });
        post(resources + "{uuid}/set_as_ok/", (r, m) -> setAsOk(uuidOf(m)));
        post(resources + "{uuid}/set_as_erred/", (r, m) -> {
            String message = r.text("error_message");
            String traceback = r.text("error_traceback");
            state.updateResource(uuidOf(m), b -> {
                if (message != null && !message.isEmpty()) {
                    b.errorMessage(message);
                }
                if (traceback != null && !traceback.isEmpty()) {
                    b.errorTraceback(traceback);
                }
                return b.state("Erred").modified(FakeWaldurState.now());
            });
            return ApiResponse.empty(200);
        });

        get("/api/marketplace-plans/{uuid}/", (r, m) -> ok(views.plan(state.plan(m.group(1)))));
        get("/api/marketplace-provider-offerings/{uuid}/",
                (r, m) -> ok(fields(views.offering(state.offering(m.group(1))), r)));
        get("/api/marketplace-service-providers/", (r, m) -> list(r, "marketplace-service-providers",
                Set.of("customer_uuid"), state.serviceProviders().entrySet().stream()
                        .filter(e -> matches(r, "customer_uuid", e.getKey()))
                        .map(e -> views.serviceProvider(e.getValue(), state.customer(e.getKey()))).toList()));
        // no fixtures for SSH keys: known providers have none
        get("/api/marketplace-service-providers/{uuid}/keys/", (r, m) -> emptyProviderList(r, m, "keys"));
    }

    /** @return the answer, or empty when no route has this path (the caller decides 404 vs 501) */
    Optional<ApiResponse> handle(ApiRequest request) {
        // a method the fake lacks on a known path falls through: the schema decides 405 vs 501
        for (Route route : routes) {
            Matcher m = route.path().matcher(request.path());
            if (!m.matches() || !route.method().equals(request.method())) {
                continue;
            }
            try {
                return Optional.of(route.handler().handle(request, m));
            } catch (ApiError e) {
                return Optional.of(ApiResponse.json(e.status, e.body));
            }
        }
        return Optional.empty();
    }

    private ApiResponse emptyProviderList(ApiRequest r, Matcher m, String action) {
        String uuid = FakeWaldurState.normalise(m.group(1));
        if (!state.serviceProviders().containsValue(uuid)) {
            throw ApiError.notFound("ServiceProvider");
        }
        return list(r, "marketplace-service-providers/" + uuid + "/" + action,
                Set.of("project_uuid", "username", "state", "user_uuid"), List.of());
    }

    // --- subscriptions ------------------------------------------------------------------------

    private ApiResponse createSubscription(ApiRequest r) {
        JsonNode objects = r.body == null ? null : r.body.get("observable_objects");
        String problem = observableObjectsProblem(objects);
        if (problem != null) {
            violations.accept(new ContractViolation(Kind.REQUEST_BODY, r.method(), r.path(),
                    "observable_objects: " + problem));
            throw ApiError.field("observable_objects", problem);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> observed = Json.MAPPER.convertValue(objects, List.class);
        WaldurSubscription s = new WaldurSubscription(state.newUuid(), userUuid,
                orEmpty(r.text("description")), observed, FakeWaldurState.now());
        try {
            listeners.forEach(l -> l.created(s));
        } catch (RuntimeException e) {
            // Waldur rolls the subscription back when RabbitMQ provisioning fails
            throw new ApiError(400, Json.array()
                    .add("Failed to create RabbitMQ virtual host/user/permissions: " + e.getMessage()));
        }
        state.putSubscription(s);
        return ApiResponse.json(201, views.subscription(s));
    }

    /** What Waldur's serializer enforces on the (schema-untyped) observable_objects field. */
    private static String observableObjectsProblem(JsonNode objects) {
        if (objects == null || !objects.isArray()) {
            return "must be a list of {\"object_type\": ...} objects";
        }
        for (JsonNode o : objects) {
            if (!o.isObject() || !OBJECT_TYPES.contains(o.path("object_type").asText())) {
                return "each item needs 'object_type' in " + new TreeSet<>(OBJECT_TYPES) + ", got " + o;
            }
            Set<String> keys = new LinkedHashSet<>();
            o.fieldNames().forEachRemaining(keys::add);
            keys.removeAll(Set.of("object_type", "object_id"));
            if (!keys.isEmpty()) {
                return "unknown keys " + keys + " in " + o;
            }
            if (o.has("object_id") && !o.get("object_id").canConvertToInt()) {
                return "'object_id' must be an integer in " + o;
            }
        }
        return null;
    }

    private WaldurSubscription subscription(String uuid) {
        return state.subscription(FakeWaldurState.normalise(uuid))
                .orElseThrow(() -> ApiError.notFound("EventSubscription"));
    }

    private ApiResponse deleteSubscription(String uuid) {
        WaldurSubscription s = subscription(uuid);
        try {
            listeners.forEach(l -> l.deleted(s));
        } catch (RuntimeException e) {
            // the broker user could not be removed, so Waldur keeps the row and answers 500
            return ApiResponse.text(500, "text/html", "<h1>Server Error (500)</h1>");
        }
        state.removeSubscription(s.uuid());
        return ApiResponse.empty(204);
    }

    // --- integration status -------------------------------------------------------------------

    /**
     * Waldur's {@code refresh_integration_agent_status}: a list request whose User-Agent contains
     * {@code waldur-site-agent} and whose {@code offering_uuid} names an existing offering marks the
     * offering's agent as active.
     */
    private void heartbeat(ApiRequest r, boolean orders) {
        String offeringUuid = r.param("offering_uuid");
        if (r.fromSiteAgent() && offeringUuid != null && !offeringUuid.contains(",")) {
            state.heartbeat(FakeWaldurState.normalise(offeringUuid), orders, java.time.Instant.now());
        }
    }

    // --- resource actions -----------------------------------------------------------------

    /**
     * Waldur's {@code set_as_ok}: a no-op for an OK resource; {@code set_state_ok} (from Erred,
     * Creating, Updating, Terminating) clears the error; from Terminated django-fsm raises
     * TransitionNotAllowed, which nothing handles, so Django answers a bare 500.
     */
    private ApiResponse setAsOk(String uuid) {
        synchronized (state) {
            String current = state.resource(uuid).state();
            if (current.equals("OK")) {
                return ApiResponse.empty(200);
            }
            if (current.equals("Terminated")) {
                return ApiResponse.text(500, "text/html", "<h1>Server Error (500)</h1>");
            }
            state.updateResource(uuid, b -> b.state("OK").errorMessage("").errorTraceback("")
                    .modified(FakeWaldurState.now()));
        }
        return ApiResponse.empty(200);
    }


    private ApiResponse setBackendId(String uuid, ApiRequest r) {
        String backendId = r.text("backend_id");
        if (backendId == null) {
            throw ApiError.field("backend_id", "This field is required.");
        }
        boolean changed = !state.resource(uuid).backendId().equals(backendId);
        if (changed) {
            state.updateResource(FakeWaldurState.normalise(uuid),
                    b -> b.backendId(backendId).modified(FakeWaldurState.now()));
        }
        return ok(Json.object().put("status", changed
                ? "Resource backend_id has been changed." : "Resource backend_id is not changed."));
    }

    private ApiResponse setLimits(String uuid, ApiRequest r) {
        JsonNode limits = r.body == null ? null : r.body.get("limits");
        if (limits == null || !limits.isObject()) {
            throw ApiError.field("limits", limits == null ? "This field is required."
                    : "Expected a dictionary of items but got type \"" + limits.getNodeType() + "\".");
        }
        Map<String, Integer> values = new java.util.LinkedHashMap<>();
        limits.properties().forEach(e -> {
            if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber() || e.getValue().asInt() < 0) {
                throw ApiError.field("limits", "A valid non-negative integer is required for '" + e.getKey() + "'.");
            }
            values.put(e.getKey(), e.getValue().asInt());
        });
        state.updateResource(FakeWaldurState.normalise(uuid), b -> b.limits(values).modified(FakeWaldurState.now()));
        return ok(Json.object().put("status", "The resource limits are updated"));
    }

    private ApiResponse setBackendMetadata(String uuid, ApiRequest r) {
        JsonNode metadata = r.body == null ? null : r.body.get("backend_metadata");
        if (metadata == null || !metadata.isObject()) {
            throw ApiError.field("backend_metadata", metadata == null ? "This field is required."
                    : "Expected a dictionary.");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> values = Json.MAPPER.convertValue(metadata, Map.class);
        state.updateResource(FakeWaldurState.normalise(uuid),
                b -> b.backendMetadata(values).modified(FakeWaldurState.now()));
        return ok(Json.object().put("status", "The backend metadata is updated"));
    }

    // --- lists and filters -------------------------------------------------------------------

    ApiResponse list(ApiRequest r, String collection, Set<String> filters, List<ObjectNode> items) {
        for (String name : r.query().keySet()) {
            if (!filters.contains(name) && !LIST_PARAMETERS.contains(name)) {
                // a silently ignored filter would make a test pass for the wrong reason
                throw new ApiError(501, Json.detail("FakeWaldur does not implement the '" + name
                        + "' filter of /api/" + collection + "/ (supported: " + new TreeSet<>(filters) + ")"));
            }
        }
        items.forEach(i -> WaldurViews.fields(i, r.query()));
        return Pagination.page(items, r.query(), apiUrl + collection + "/");
    }

    private Predicate<WaldurOrder> orderFilter(ApiRequest r) {
        return o -> matches(r, "offering_uuid", o.offeringUuid()) && matches(r, "state", o.state())
                && matches(r, "type", o.type()) && matches(r, "resource_uuid", o.resourceUuid())
                && matches(r, "project_uuid", o.projectUuid())
                && matches(r, "customer_uuid", state.project(o.projectUuid()).customerUuid());
    }

    private Predicate<WaldurResource> resourceFilter(ApiRequest r) {
        return res -> matches(r, "offering_uuid", res.offeringUuid()) && matches(r, "state", res.state())
                && matches(r, "project_uuid", res.projectUuid()) && matches(r, "backend_id", res.backendId())
                && matches(r, "customer_uuid", state.project(res.projectUuid()).customerUuid());
    }

    /**
     * True when the filter is absent or one of its values equals {@code actual}. UUID filters accept
     * dashed and upper-case forms, like Django's UUIDFilter, and comma-separated lists (the
     * {@code explode: false} arrays such as {@code offering_uuid} of resources and offering users).
     */
    static boolean matches(ApiRequest r, String name, String actual) {
        List<String> wanted = r.query().get(name);
        if (wanted == null || wanted.isEmpty()) {
            return true;
        }
        if (name.endsWith("_uuid")) {
            return wanted.stream().flatMap(w -> java.util.Arrays.stream(w.split(",")))
                    .anyMatch(w -> FakeWaldurState.normalise(w).equals(actual));
        }
        return wanted.stream().anyMatch(w -> w.equals(actual));
    }

    /** Django's boolean filter: true/True/1 and false/False/0. */
    static boolean matchesBoolean(ApiRequest r, String name, boolean actual) {
        List<String> wanted = r.query().get(name);
        if (wanted == null || wanted.isEmpty()) {
            return true;
        }
        String last = wanted.get(wanted.size() - 1);
        return Set.of("true", "True", "1").contains(last) == actual;
    }

    // --- helpers ----------------------------------------------------------------------------

    static ObjectNode fields(ObjectNode node, ApiRequest r) {
        return WaldurViews.fields(node, r.query());
    }

    static String uuidOf(Matcher m) {
        return FakeWaldurState.normalise(m.group(1));
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    static ApiResponse ok(JsonNode body) {
        return ApiResponse.json(200, body);
    }

    void get(String template, Handler h) {
        add("GET", template, h);
    }

    void post(String template, Handler h) {
        add("POST", template, h);
    }

    void patch(String template, Handler h) {
        add("PATCH", template, h);
    }

    void delete(String template, Handler h) {
        add("DELETE", template, h);
    }

    private void add(String method, String template, Handler h) {
        String regex = Pattern.quote(template).replace("{uuid}", "\\E([^/]+)\\Q");
        routes.add(new Route(method, Pattern.compile(regex), h));
    }
}
