package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.waldur.agent.sandbox.waldur.ContractViolation.Kind;

/**
 * A stateful fake of the Waldur REST API for route and system tests of the site agent.
 *
 * <p>It listens on {@code 127.0.0.1} on a random port, requires {@code Authorization: Token
 * <token>}, checks every request against the Waldur OpenAPI schema ({@link OpenApiContract}) and
 * implements the order and resource state machines the agent drives. Typical use:
 *
 * <pre>{@code
 * try (FakeWaldur waldur = FakeWaldur.start()) {
 *     WaldurCustomer customer = waldur.addCustomer("Uni", "uni");
 *     WaldurProject project = waldur.addProject(customer, "Physics", "physics");
 *     WaldurOffering offering = waldur.newOffering(customer).component("cpu", "limit", 60000).create();
 *     WaldurResource resource = waldur.newResource(offering, project).slug("alloc-1").create();
 *     WaldurOrder order = waldur.newOrder(resource).type("Create").limit("cpu", 10).create();
 *     // ... run the agent against waldur.apiUrl() with waldur.token() ...
 *     assertThat(waldur.order(order.uuid()).state()).isEqualTo("done");
 *     assertThat(waldur.contractViolations()).isEmpty();
 * }
 * }</pre>
 *
 * <p>Besides orders and resources it holds offering users (Waldur's username-generation
 * transitions), project service and course accounts, per-user component limits, component usages
 * and per-user usages, import requests and backend resources, SLURM periodic-policy command
 * results, and the offering's integration heartbeats. Where Waldur's real behaviour is surprising
 * the fake copies it and says so in the method's documentation (e.g. a PATCHed username moves an
 * offering user to {@code OK} by itself, so the following {@code set_ok} is a 400).
 *
 * <p>Request pipeline: optional delay, optional hold (until the test releases it), injected fault,
 * authentication (401), contract (404 unknown path, 405 wrong method, 400 anything else), the
 * endpoint. Contract violations are recorded even when a fault or 401 is answered. Paths that the
 * schema knows but the fake does not implement get 501, so a missing endpoint is never mistaken for a
 * Waldur 404.
 *
 * <p>Thread-safe: state transitions are atomic, logs are synchronised.
 */
public final class FakeWaldur implements AutoCloseable {

    /** Token used by {@link #start()}. */
    public static final String DEFAULT_TOKEN = "fake-waldur-token-0123456789abcdef";
    public static final String USERNAME = "fake-site-agent";

    private final String token;
    private final OpenApiContract contract;
    private final FakeWaldurState state;
    private final String userUuid;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String apiUrl;
    private final WaldurViews views;
    private final FakeWaldurApi api;
    private final FaultInjector faults = new FaultInjector();
    private final List<SubscriptionListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<RecordedRequest>> requestListeners = new CopyOnWriteArrayList<>();
    private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<ContractViolation> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<ContractViolation> responseViolations = Collections.synchronizedList(new ArrayList<>());
    private final boolean usageAsDecimalString;

    private FakeWaldur(Builder b) throws IOException {
        this.token = b.token;
        this.contract = b.contract != null ? b.contract : OpenApiContract.shared();
        this.state = new FakeWaldurState(b.seed);
        this.userUuid = state.newUuid();
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(b.threads, r -> {
            Thread t = new Thread(r, "fake-waldur-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        // The JDK server writes a response's headers and body separately with Nagle's algorithm on, so on plain
        // loopback each response waited for the client's delayed ACK (about 40 ms) — a delay Waldur behind a
        // real web server does not have. Read once per JVM, when the first server is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.server = HttpServer.create(new InetSocketAddress(loopback, 0), 64);
        this.apiUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
        this.usageAsDecimalString = b.usageAsDecimalString;
        this.views = new WaldurViews(state, apiUrl, userUuid, USERNAME, b.usageAsDecimalString);
        this.api = new FakeWaldurApi(state, views, apiUrl, userUuid, listeners, violations::add);
        server.createContext("/", this::exchange);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a fake with {@link #DEFAULT_TOKEN}, seed 1 and the shared contract. */
    public static FakeWaldur start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for {@link FakeWaldur}. */
    public static final class Builder {
        private String token = DEFAULT_TOKEN;
        private long seed = 1;
        private int threads = 8;
        private OpenApiContract contract;
        private boolean usageAsDecimalString;

        /** The API token the agent must send as {@code Authorization: Token <token>}. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Seed of the UUID generator; the same seed yields the same UUIDs in the same order. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Size of the HTTP worker pool (default 8). */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Contract to check against (default {@link OpenApiContract#shared()}). */
        public Builder contract(OpenApiContract contract) {
            this.contract = contract;
            return this;
        }

        /**
         * Renders {@code ComponentUsage.usage} as DRF renders the model's decimal field
         * ({@code "12.34"}) instead of the integer the 8.0.5 schema declares (default false: the
         * integer, truncated). Use it to check that the agent copes with both; the resulting
         * schema mismatch of that one field is not counted in {@link #responseViolations()}.
         */
        public Builder usageAsDecimalString(boolean usageAsDecimalString) {
            this.usageAsDecimalString = usageAsDecimalString;
            return this;
        }

        public FakeWaldur start() {
            try {
                return new FakeWaldur(this);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start FakeWaldur", e);
            }
        }
    }

    // --- connection details -----------------------------------------------------------------

    /** {@code http://127.0.0.1:<port>/api/} — what the agent's {@code waldur_api_url} should be. */
    public String apiUrl() {
        return apiUrl;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The accepted API token (also the MQTT password of subscription users). */
    public String token() {
        return token;
    }

    /** UUID of the single user that owns the token and all event subscriptions. */
    public String userUuid() {
        return userUuid;
    }

    public OpenApiContract contract() {
        return contract;
    }

    // --- fixtures -----------------------------------------------------------------------------

    /** Registers a customer with a fresh uuid. */
    public WaldurCustomer addCustomer(String name, String slug) {
        return state.put(new WaldurCustomer(state.newUuid(), name, slug));
    }

    /** Registers a project of {@code customer} with a fresh uuid. */
    public WaldurProject addProject(WaldurCustomer customer, String name, String slug) {
        return state.put(new WaldurProject(state.newUuid(), name, slug, customer.uuid()));
    }

    /** Starts an offering of {@code customer} (type {@code Marketplace.Slurm}); finish with {@code create()}. */
    public WaldurOffering.Builder newOffering(WaldurCustomer customer) {
        return new WaldurOffering.Builder(state.newUuid(), customer.uuid(), state::put);
    }

    /** Registers a plan with the given quotas (component type to amount). */
    public WaldurPlan addPlan(WaldurOffering offering, String name, Map<String, ? extends Number> quotas) {
        Map<String, Double> q = new LinkedHashMap<>();
        quotas.forEach((k, v) -> q.put(k, v.doubleValue()));
        return state.put(new WaldurPlan(state.newUuid(), name, offering.uuid(), q));
    }

    /** Starts a resource (state {@code Creating}, no backend id); finish with {@code create()}. */
    public WaldurResource.Builder newResource(WaldurOffering offering, WaldurProject project) {
        return new WaldurResource.Builder(state.newUuid(), offering.uuid(), project.uuid(),
                FakeWaldurState.now(), state::put);
    }

    /**
     * Starts an order on {@code resource} (type {@code Create}, state {@code pending-provider},
     * resource name = resource's name); finish with {@code create()}.
     */
    public WaldurOrder.Builder newOrder(WaldurResource resource) {
        return new WaldurOrder.Builder(state.newUuid(), resource.uuid(), resource.offeringUuid(),
                resource.projectUuid(), resource.name(), FakeWaldurState.now(), state::put);
    }

    /**
     * Adds a project member (role {@code PROJECT.MEMBER}) visible in the resource's team, with an
     * offering user of the same username in state {@code OK}.
     */
    public WaldurTeamMember addTeamMember(WaldurResource resource, String username, String fullName) {
        return addTeamMember(resource, new WaldurTeamMember(state.newUuid(), username, fullName,
                username + "@example.org", "PROJECT.MEMBER", username, "OK"));
    }

    /** Adds (or replaces, by user uuid) a team member of the resource. */
    public WaldurTeamMember addTeamMember(WaldurResource resource, WaldurTeamMember member) {
        return state.addTeamMember(resource.uuid(), member);
    }

    /** @return whether a member with this username was removed */
    public boolean removeTeamMember(WaldurResource resource, String username) {
        return state.removeTeamMember(resource.uuid(), username);
    }

    /**
     * Starts an offering user of a team member (user details copied from it; state
     * {@code Requested}, no username); finish with {@code create()}. The member's team entries then
     * show this offering user's username and state. One offering user per (offering, user).
     */
    public WaldurOfferingUser.Builder newOfferingUser(WaldurOffering offering, WaldurTeamMember member) {
        return newOfferingUser(offering, member.uuid())
                .user(member.username(), member.fullName(), member.email());
    }

    /**
     * Starts an offering user of the Waldur user {@code userUuid}; user details come from a team
     * member with that uuid if there is one, else default to {@code user-<uuid prefix>} (change
     * them with {@code user(...)}); finish with {@code create()}.
     */
    public WaldurOfferingUser.Builder newOfferingUser(WaldurOffering offering, String userUuid) {
        WaldurOfferingUser.Builder b = new WaldurOfferingUser.Builder(state.newUuid(), offering.uuid(),
                FakeWaldurState.normalise(userUuid), FakeWaldurState.now(), state::put);
        state.teamMember(FakeWaldurState.normalise(userUuid))
                .ifPresent(m -> b.user(m.username(), m.fullName(), m.email()));
        return b;
    }

    /** Adds a project service account ({@code OK}, {@code Closed} or {@code Erred}). */
    public WaldurServiceAccount addServiceAccount(WaldurProject project, String username, String state) {
        Instant now = FakeWaldurState.now();
        return this.state.put(new WaldurServiceAccount(this.state.newUuid(), project.uuid(), username,
                username + "@service.example.org", state, now, now));
    }

    /** Adds a course account ({@code OK}, {@code Closed} or {@code Erred}) linked to a new user uuid. */
    public WaldurCourseAccount addCourseAccount(WaldurProject project, String username, String state) {
        Instant now = FakeWaldurState.now();
        return this.state.put(new WaldurCourseAccount(this.state.newUuid(), project.uuid(), this.state.newUuid(),
                username, username + "@course.example.org", state, now, now));
    }

    /** Changes a service account's state as Waldur would (e.g. {@code Closed}); returns the new value. */
    public WaldurServiceAccount setServiceAccountState(String uuid, String state) {
        WaldurServiceAccount current = fixture(() -> this.state.serviceAccount(uuid), uuid);
        return this.state.put(current.withState(state, FakeWaldurState.now()));
    }

    /** Changes a course account's state as Waldur would (e.g. {@code Closed}); returns the new value. */
    public WaldurCourseAccount setCourseAccountState(String uuid, String state) {
        WaldurCourseAccount current = fixture(() -> this.state.courseAccount(uuid), uuid);
        return this.state.put(current.withState(state, FakeWaldurState.now()));
    }

    /**
     * Adds a per-user limit of one component of {@code resource} for {@code user} (an offering user
     * of the resource's offering); {@code limit} in Waldur units, kept to 2 decimal places.
     */
    public WaldurComponentUserLimit addComponentUserLimit(WaldurResource resource, WaldurOfferingUser user,
            String componentType, Number limit) {
        return state.put(new WaldurComponentUserLimit(state.newUuid(), resource.uuid(), componentType,
                user.uuid(), decimal(limit)));
    }

    /**
     * Pre-seeds a usage record, e.g. one the agent reported in an earlier run (for the "never report
     * lower" guard). Always adds a new record, so calling it twice for the same period and type
     * yields the duplicate Waldur can hold when a plan changed mid-month.
     *
     * @param billingPeriod any day of the month; stored as the month's first day, dated at its start
     */
    public WaldurComponentUsage addComponentUsage(WaldurResource resource, String type, Number usage,
            LocalDate billingPeriod) {
        LocalDate period = billingPeriod.withDayOfMonth(1);
        Instant date = period.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        Instant now = FakeWaldurState.now();
        return state.put(new WaldurComponentUsage(state.newUuid(), resource.uuid(), type, decimal(usage), period,
                date, "", false, now, now));
    }

    /** {@link #addComponentUsage(WaldurResource, String, Number, LocalDate)} for the current period. */
    public WaldurComponentUsage addComponentUsage(WaldurResource resource, String type, Number usage) {
        return addComponentUsage(resource, type, usage, currentBillingPeriod());
    }

    /** Adds an import request in state {@code Sent} (what a user's "import resources" creates). */
    public WaldurBackendResourceRequest addBackendResourceRequest(WaldurOffering offering) {
        Instant now = FakeWaldurState.now();
        return state.put(new WaldurBackendResourceRequest(state.newUuid(), offering.uuid(), "Sent", null, null,
                "", "", now, now));
    }

    /** Adds a backend resource, e.g. one already reported in an earlier import run. */
    public WaldurBackendResource addBackendResource(WaldurProject project, WaldurOffering offering, String name,
            String backendId) {
        Instant now = FakeWaldurState.now();
        return state.put(new WaldurBackendResource(state.newUuid(), name, project.uuid(), offering.uuid(),
                backendId, Map.of(), now, now));
    }

    /** Adds a SLURM periodic usage policy of the offering (needed to report command results). */
    public WaldurPeriodicUsagePolicy addPeriodicUsagePolicy(WaldurOffering offering) {
        return state.put(new WaldurPeriodicUsagePolicy(state.newUuid(), offering.uuid()));
    }

    // --- reading and changing state from tests ----------------------------------------------

    /** The current order; throws {@link IllegalArgumentException} when unknown. */
    public WaldurOrder order(String uuid) {
        return fixture(() -> state.order(uuid), uuid);
    }

    /** The current resource; throws {@link IllegalArgumentException} when unknown. */
    public WaldurResource resource(String uuid) {
        return fixture(() -> state.resource(uuid), uuid);
    }

    public List<WaldurOrder> orders() {
        return state.orders(o -> true);
    }

    public List<WaldurResource> resources() {
        return state.resources(r -> true);
    }

    public List<WaldurTeamMember> team(WaldurResource resource) {
        return state.team(resource.uuid());
    }

    /** Changes an order as Waldur itself would (e.g. a consumer approval); returns the new value. */
    public WaldurOrder updateOrder(String uuid, UnaryOperator<WaldurOrder.Builder> change) {
        return fixture(() -> state.updateOrder(uuid, change), uuid);
    }

    /** Changes a resource as Waldur itself would (e.g. a user pauses it); returns the new value. */
    public WaldurResource updateResource(String uuid, UnaryOperator<WaldurResource.Builder> change) {
        return fixture(() -> state.updateResource(uuid, change), uuid);
    }

    /** The current offering user; throws {@link IllegalArgumentException} when unknown. */
    public WaldurOfferingUser offeringUser(String uuid) {
        return fixture(() -> state.offeringUser(uuid), uuid);
    }

    /** The offering user of this user in this offering, if any. */
    public Optional<WaldurOfferingUser> offeringUser(WaldurOffering offering, String userUuid) {
        return state.findOfferingUser(offering.uuid(), FakeWaldurState.normalise(userUuid));
    }

    /** All offering users, in creation order (whatever the offering's plugin options). */
    public List<WaldurOfferingUser> offeringUsers() {
        return state.offeringUsers(u -> true);
    }

    /** Changes an offering user as Waldur itself would (e.g. a user is restricted); returns the new value. */
    public WaldurOfferingUser updateOfferingUser(String uuid, UnaryOperator<WaldurOfferingUser.Builder> change) {
        return fixture(() -> state.updateOfferingUser(uuid, change), uuid);
    }

    public List<WaldurServiceAccount> serviceAccounts() {
        return state.serviceAccounts();
    }

    public List<WaldurCourseAccount> courseAccounts() {
        return state.courseAccounts();
    }

    /** Usage records of the resource, newest {@code date} first (Waldur's list order). */
    public List<WaldurComponentUsage> componentUsages(WaldurResource resource) {
        return state.usages(u -> u.resourceUuid().equals(resource.uuid()));
    }

    /** The (first) usage record of the resource for this period (any day of the month) and type. */
    public Optional<WaldurComponentUsage> componentUsage(WaldurResource resource, LocalDate billingPeriod,
            String type) {
        LocalDate period = billingPeriod.withDayOfMonth(1);
        return state.usages(u -> u.resourceUuid().equals(resource.uuid()) && u.billingPeriod().equals(period)
                && u.type().equals(type)).stream().findFirst();
    }

    /** Per-user usages recorded on one usage record, in creation order. */
    public List<WaldurComponentUserUsage> componentUserUsages(WaldurComponentUsage usage) {
        return state.userUsages(u -> u.componentUsageUuid().equals(usage.uuid()));
    }

    /** Per-user usages on any usage record of the resource, in creation order. */
    public List<WaldurComponentUserUsage> componentUserUsages(WaldurResource resource) {
        List<String> usageUuids = componentUsages(resource).stream().map(WaldurComponentUsage::uuid).toList();
        return state.userUsages(u -> usageUuids.contains(u.componentUsageUuid()));
    }

    /** The billing period Waldur would use now: the first day of the current UTC month. */
    public static LocalDate currentBillingPeriod() {
        return FakeWaldurState.billingPeriod(Instant.now());
    }

    /** The current import request; throws {@link IllegalArgumentException} when unknown. */
    public WaldurBackendResourceRequest backendResourceRequest(String uuid) {
        return fixture(() -> state.importRequest(uuid), uuid);
    }

    /** All backend resources (seeded and created by the agent), in creation order. */
    public List<WaldurBackendResource> backendResources() {
        return state.backendResources(b -> true);
    }

    /** Periodic-limits command results reported so far, oldest first. */
    public List<WaldurCommandResult> commandResults() {
        return state.commandResults();
    }

    /**
     * When the agent last refreshed the offering's "Order processing" integration status: a
     * {@code GET /api/marketplace-orders/?offering_uuid=<o>} with a User-Agent containing
     * {@code waldur-site-agent} that passed authentication and the contract check. Empty if never.
     */
    public Optional<Instant> lastIntegrationHeartbeat(String offeringUuid) {
        return state.lastHeartbeat(offeringUuid, true);
    }

    /** As {@link #lastIntegrationHeartbeat(String)} for "Usage reporting", refreshed by the provider-resources list. */
    public Optional<Instant> lastUsageReportingHeartbeat(String offeringUuid) {
        return state.lastHeartbeat(offeringUuid, false);
    }

    private static BigDecimal decimal(Number n) {
        return new BigDecimal(n.toString()).setScale(2, java.math.RoundingMode.HALF_UP);
    }

    private static <T> T fixture(java.util.function.Supplier<T> lookup, String uuid) {
        try {
            return lookup.get();
        } catch (ApiError e) {
            throw new IllegalArgumentException("No fixture with uuid " + uuid + ": " + e.body, e);
        }
    }

    // --- event subscriptions ----------------------------------------------------------------

    public List<WaldurSubscription> subscriptions() {
        return state.subscriptions();
    }

    public Optional<WaldurSubscription> subscription(String uuid) {
        return state.subscription(uuid);
    }

    /**
     * Called with every request once it has been answered (its effect is in the state), on the server's thread.
     * For a harness that waits on many requests: cheaper than polling {@link #requests()}, which copies them all.
     */
    public void addRequestListener(Consumer<RecordedRequest> listener) {
        requestListeners.add(listener);
    }

    public void removeRequestListener(Consumer<RecordedRequest> listener) {
        requestListeners.remove(listener);
    }

    public void addSubscriptionListener(SubscriptionListener listener) {
        listeners.add(listener);
    }

    public void removeSubscriptionListener(SubscriptionListener listener) {
        listeners.remove(listener);
    }

    /**
     * Deletes a subscription server-side, as Waldur's cleanup tasks do (the agent is not told),
     * and notifies the listeners.
     *
     * @return whether it existed
     */
    public boolean deleteSubscription(String uuid) {
        Optional<WaldurSubscription> removed = state.removeSubscription(uuid);
        removed.ifPresent(s -> listeners.forEach(l -> l.deleted(s)));
        return removed.isPresent();
    }

    // --- observability ----------------------------------------------------------------------

    /** Every request so far, oldest first. */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Requests with this method ({@code "*"} for any) whose path fully matches {@code pathRegex}. */
    public List<RecordedRequest> requests(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return requests().stream()
                .filter(r -> method.equals("*") || r.method().equalsIgnoreCase(method))
                .filter(r -> p.matcher(r.path()).matches())
                .toList();
    }

    /** Number of {@link #requests(String, String)}. */
    public int count(String method, String pathRegex) {
        return requests(method, pathRegex).size();
    }

    /** Distinct {@code User-Agent} headers seen, in first-seen order. */
    public Set<String> userAgents() {
        Set<String> agents = new LinkedHashSet<>();
        requests().forEach(r -> agents.add(r.userAgent()));
        return agents;
    }

    /** Forgets the request log (not the state, not the violations). */
    public void resetRequests() {
        requests.clear();
    }

    /** Requests that did not conform to the OpenAPI schema; tests should assert this is empty. */
    public List<ContractViolation> contractViolations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    /** Responses of the fake itself that do not conform to the schema (bugs of the fake). */
    public List<ContractViolation> responseViolations() {
        synchronized (responseViolations) {
            return List.copyOf(responseViolations);
        }
    }

    public void resetContractViolations() {
        violations.clear();
        responseViolations.clear();
    }

    // --- fault injection --------------------------------------------------------------------

    /**
     * Answers the next {@code times} requests with this method ({@code "*"} for any) and a path
     * fully matching {@code pathRegex} with {@code status} and a DRF-style JSON body, then
     * behaves normally again. Rules are consumed in the order they were added.
     */
    public void failNext(String method, String pathRegex, int status, int times) {
        faults.failNext(method, pathRegex, status, times, null);
    }

    /** As {@link #failNext(String, String, int, int)} with an explicit response body. */
    public void failNext(String method, String pathRegex, int status, int times, String body) {
        faults.failNext(method, pathRegex, status, times, body);
    }

    /** Answers every request with {@code status} until {@link #clearFaults()} (e.g. 503 = Waldur down). */
    public void failAll(int status) {
        faults.failAll(status, null);
    }

    /** Delays every answer by {@code delay} (zero to stop), e.g. to provoke client timeouts. */
    public void delayResponses(Duration delay) {
        faults.delay(delay);
    }

    /**
     * Keeps every request with this method ({@code "*"} for any) and a path fully matching {@code pathRegex}
     * unanswered until {@code release} is counted down (at most a minute), e.g. to see what a client does
     * while it waits.
     */
    public void holdAnswers(String method, String pathRegex, CountDownLatch release) {
        faults.hold(method, pathRegex, release);
    }

    /** How many requests {@link #holdAnswers} keeps waiting right now. */
    public int heldRequests() {
        return faults.held();
    }

    /** Removes all fault rules, {@link #failAll}, the delay and the holds. */
    public void clearFaults() {
        faults.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // --- HTTP plumbing ----------------------------------------------------------------------

    private void exchange(HttpExchange exchange) {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod().toUpperCase(java.util.Locale.ROOT);
            String path = exchange.getRequestURI().getRawPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            Map<String, List<String>> query = parseQuery(rawQuery);
            Headers headers = exchange.getRequestHeaders();
            String userAgent = headers.getFirst("User-Agent");

            sleep(faults.delay());
            try {
                faults.awaitRelease(method, path);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ApiResponse response;
            try {
                response = respond(method, path, query, headers, body);
            } catch (RuntimeException e) {
                e.printStackTrace();
                response = ApiResponse.text(500, "text/plain", "FakeWaldur bug: " + e);
            }
            RecordedRequest recorded = new RecordedRequest(Instant.now(), method, path, rawQuery == null ? "" : rawQuery,
                    query, new String(body, StandardCharsets.UTF_8), userAgent, response.status());
            requests.add(recorded);
            requestListeners.forEach(l -> l.accept(recorded));
            send(exchange, response);
        } catch (IOException e) {
            // the client went away; nothing to answer
        } finally {
            exchange.close();
        }
    }

    private ApiResponse respond(String method, String path, Map<String, List<String>> query,
            Headers headers, byte[] body) {
        List<ContractViolation> found = contract.validateRequest(method, path, query,
                headers.getFirst("Content-Type"), body);
        violations.addAll(found);

        Optional<FaultInjector.Fault> fault = faults.next(method, path);
        if (fault.isPresent()) {
            return new ApiResponse(fault.get().status(), fault.get().body(), "application/json", Map.of());
        }
        ApiResponse unauthorized = authenticate(headers.getFirst("Authorization"));
        if (unauthorized != null) {
            return unauthorized;
        }
        if (!found.isEmpty()) {
            return violationResponse(path, found);
        }
        JsonNode json = null;
        if (body.length > 0 && !new String(body, StandardCharsets.UTF_8).isBlank()) {
            try {
                json = Json.parse(body);
            } catch (JsonProcessingException e) {
                return ApiResponse.json(400, Json.detail("JSON parse error - " + e.getOriginalMessage()));
            }
        }
        Optional<ApiResponse> handled = api.handle(new FakeWaldurApi.ApiRequest(method, path, query, json,
                headers.getFirst("User-Agent")));
        if (handled.isEmpty()) {
            return notHandled(method, path);
        }
        ApiResponse response = handled.get();
        if (response.isJson() || response.body().length == 0) {
            List<ContractViolation> bad = new ArrayList<>(
                    contract.validateResponse(method, path, response.status(), response.body()));
            if (usageAsDecimalString && path.startsWith("/api/marketplace-component-usages/")) {
                // the documented, deliberate deviation of Builder.usageAsDecimalString
                bad.removeIf(v -> v.message().matches("\\$(\\[\\d+])?\\.usage: .*"));
            }
            if (!bad.isEmpty()) {
                bad.forEach(v -> System.err.println("FakeWaldur response violates the contract: " + v));
                responseViolations.addAll(bad);
            }
        }
        return response;
    }

    /** DRF's TokenAuthentication answers. */
    private ApiResponse authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return ApiResponse.json(401, Json.detail("Authentication credentials were not provided."))
                    .withHeader("WWW-Authenticate", "Token");
        }
        String[] parts = authorization.strip().split("\\s+");
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Token") || !parts[1].equals(token)) {
            return ApiResponse.json(401, Json.detail("Invalid token.")).withHeader("WWW-Authenticate", "Token");
        }
        return null;
    }

    private ApiResponse violationResponse(String path, List<ContractViolation> found) {
        Kind first = found.get(0).kind();
        if (first == Kind.UNKNOWN_PATH) {
            // Django's own 404 page, not DRF JSON: no view matched
            return ApiResponse.text(404, "text/html",
                    "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>");
        }
        if (first == Kind.METHOD_NOT_ALLOWED) {
            String method = found.get(0).method();
            return ApiResponse.json(405, Json.detail("Method \"" + method + "\" not allowed."))
                    .withHeader("Allow", String.join(", ", contract.allowedMethods(path)));
        }
        ObjectNode body = Json.detail("Request violates the Waldur OpenAPI contract (see contract_violations)");
        ArrayNode list = body.putArray("contract_violations");
        found.forEach(v -> list.add(v.kind() + ": " + v.message()));
        return ApiResponse.json(400, body);
    }

    /** A path the fake has no route for: 404 if Waldur lacks it too, else 501 (fake incomplete). */
    private ApiResponse notHandled(String method, String path) {
        if (contract.isAvailable() && contract.template(path).isPresent()) {
            return ApiResponse.json(501, Json.detail("FakeWaldur does not implement " + method + " "
                    + contract.template(path).get()));
        }
        return ApiResponse.text(404, "text/html",
                "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>");
    }

    private static void send(HttpExchange exchange, ApiResponse response) throws IOException {
        Headers out = exchange.getResponseHeaders();
        if (response.contentType() != null) {
            out.set("Content-Type", response.contentType());
        }
        response.headers().forEach(out::set);
        byte[] body = response.body();
        boolean noBody = body.length == 0 || response.status() == 204 || response.status() == 304;
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        }
    }

    static Map<String, List<String>> parseQuery(String rawQuery) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
