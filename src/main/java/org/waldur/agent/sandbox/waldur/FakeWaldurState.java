package org.waldur.agent.sandbox.waldur;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The fake's in-memory database and the order/resource state machines.
 *
 * <p>All methods synchronise on this object: the agent calls the fake from several threads and
 * transitions must be atomic (two concurrent {@code approve_by_provider} calls: one wins, the
 * other gets 409). Stored values are immutable records, so readers get consistent snapshots.
 * Maps keep insertion order, which is also the order of list endpoints.
 */
final class FakeWaldurState {

    private final SplittableRandom random;
    private final Map<String, WaldurCustomer> customers = new LinkedHashMap<>();
    private final Map<String, WaldurProject> projects = new LinkedHashMap<>();
    private final Map<String, WaldurOffering> offerings = new LinkedHashMap<>();
    private final Map<String, String> serviceProviders = new LinkedHashMap<>(); // customer uuid -> SP uuid
    private final Map<String, WaldurPlan> plans = new LinkedHashMap<>();
    private final Map<String, WaldurResource> resources = new LinkedHashMap<>();
    private final Map<String, WaldurOrder> orders = new LinkedHashMap<>();
    private final Map<String, List<WaldurTeamMember>> teams = new LinkedHashMap<>();
    private final Map<String, WaldurOfferingUser> offeringUsers = new LinkedHashMap<>();
    private final Map<String, WaldurSubscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, WaldurServiceAccount> serviceAccounts = new LinkedHashMap<>();
    private final Map<String, WaldurCourseAccount> courseAccounts = new LinkedHashMap<>();
    private final Map<String, String> componentUuids = new LinkedHashMap<>(); // offering/type -> uuid
    private final Map<String, WaldurComponentUserLimit> userLimits = new LinkedHashMap<>();
    private final Map<String, WaldurComponentUsage> usages = new LinkedHashMap<>();
    private final Map<String, WaldurComponentUserUsage> userUsages = new LinkedHashMap<>();
    private final Map<String, WaldurBackendResourceRequest> importRequests = new LinkedHashMap<>();
    private final Map<String, WaldurBackendResource> backendResources = new LinkedHashMap<>();
    private final Map<String, WaldurPeriodicUsagePolicy> policies = new LinkedHashMap<>();
    private final List<WaldurCommandResult> commandResults = new ArrayList<>();
    private final Map<String, Instant> orderHeartbeats = new LinkedHashMap<>();
    private final Map<String, Instant> usageHeartbeats = new LinkedHashMap<>();

    FakeWaldurState(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Deterministic per seed, so failing runs can be replayed with the same UUIDs. */
    synchronized String newUuid() {
        return String.format("%016x%016x", random.nextLong(), random.nextLong());
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    // --- fixtures -----------------------------------------------------------------------

    synchronized WaldurCustomer put(WaldurCustomer c) {
        checkUuid(c.uuid());
        customers.put(c.uuid(), c);
        return c;
    }

    synchronized WaldurProject put(WaldurProject p) {
        checkUuid(p.uuid());
        require(customers, p.customerUuid(), "Customer");
        projects.put(p.uuid(), p);
        return p;
    }

    synchronized WaldurOffering put(WaldurOffering o) {
        checkUuid(o.uuid());
        require(customers, o.customerUuid(), "Customer");
        offerings.put(o.uuid(), o);
        serviceProviders.computeIfAbsent(o.customerUuid(), c -> newUuid());
        return o;
    }

    synchronized WaldurPlan put(WaldurPlan p) {
        checkUuid(p.uuid());
        require(offerings, p.offeringUuid(), "Offering");
        plans.put(p.uuid(), p);
        return p;
    }

    synchronized WaldurResource put(WaldurResource r) {
        checkUuid(r.uuid());
        require(offerings, r.offeringUuid(), "Offering");
        require(projects, r.projectUuid(), "Project");
        resources.put(r.uuid(), r);
        return r;
    }

    synchronized WaldurOrder put(WaldurOrder o) {
        checkUuid(o.uuid());
        require(resources, o.resourceUuid(), "Resource");
        orders.put(o.uuid(), o);
        return o;
    }

    synchronized WaldurTeamMember addTeamMember(String resourceUuid, WaldurTeamMember member) {
        WaldurResource resource = require(resources, resourceUuid, "Resource");
        checkUuid(member.uuid());
        List<WaldurTeamMember> team = teams.computeIfAbsent(resourceUuid, k -> new ArrayList<>());
        team.removeIf(m -> m.uuid().equals(member.uuid()));
        team.add(member);
        if (member.offeringUserUsername() != null
                && findOfferingUser(resource.offeringUuid(), member.uuid()).isEmpty()) {
            // the offering user of a team member is created once; later fixtures never overwrite it
            Instant now = now();
            put(new WaldurOfferingUser(newUuid(), resource.offeringUuid(), member.uuid(), member.username(),
                    member.fullName(), member.email(), member.offeringUserUsername(),
                    member.offeringUserState() == null ? WaldurOfferingUser.OK : member.offeringUserState(),
                    false, "", "", now, now));
        }
        return member;
    }

    synchronized boolean removeTeamMember(String resourceUuid, String username) {
        return teams.getOrDefault(resourceUuid, new ArrayList<>()).removeIf(m -> m.username().equals(username));
    }

    synchronized WaldurOrder updateOrder(String uuid, UnaryOperator<WaldurOrder.Builder> change) {
        WaldurOrder current = order(uuid);
        WaldurOrder updated = change.apply(current.toBuilder()).build();
        sameUuid(current.uuid(), updated.uuid());
        orders.put(current.uuid(), updated);
        return updated;
    }

    synchronized WaldurResource updateResource(String uuid, UnaryOperator<WaldurResource.Builder> change) {
        WaldurResource current = resource(uuid);
        WaldurResource updated = change.apply(current.toBuilder()).build();
        sameUuid(current.uuid(), updated.uuid());
        resources.put(current.uuid(), updated);
        return updated;
    }

    private static void sameUuid(String before, String after) {
        if (!before.equals(after)) {
            throw new IllegalArgumentException("An update must not change the uuid (" + before + " -> " + after + ")");
        }
    }

    // --- lookups (ApiError 404 when unknown, like get_object_or_404) ------------------------

    synchronized WaldurOrder order(String uuid) {
        return require(orders, uuid, "Order");
    }

    synchronized WaldurResource resource(String uuid) {
        return require(resources, uuid, "Resource");
    }

    synchronized WaldurOffering offering(String uuid) {
        return require(offerings, uuid, "Offering");
    }

    synchronized WaldurPlan plan(String uuid) {
        return require(plans, uuid, "Plan");
    }

    synchronized WaldurProject project(String uuid) {
        return require(projects, uuid, "Project");
    }

    synchronized WaldurCustomer customer(String uuid) {
        return require(customers, uuid, "Customer");
    }

    synchronized Optional<WaldurSubscription> subscription(String uuid) {
        return Optional.ofNullable(subscriptions.get(uuid));
    }

    synchronized List<WaldurOrder> orders(Predicate<WaldurOrder> filter) {
        return orders.values().stream().filter(filter).toList();
    }

    synchronized List<WaldurResource> resources(Predicate<WaldurResource> filter) {
        return resources.values().stream().filter(filter).toList();
    }

    synchronized List<WaldurSubscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    /**
     * The team of a resource; a member's offering-user fields come from the offering user of that
     * user in the resource's offering when one exists, as Waldur computes them.
     */
    synchronized List<WaldurTeamMember> team(String resourceUuid) {
        WaldurResource resource = require(resources, resourceUuid, "Resource");
        return teams.getOrDefault(resourceUuid, List.of()).stream()
                .map(m -> findOfferingUser(resource.offeringUuid(), m.uuid())
                        .map(u -> m.withOfferingUser(u.username(), u.state()))
                        .orElse(m))
                .toList();
    }

    /** A team member of any resource with this user uuid, if any (for linking offering users). */
    synchronized Optional<WaldurTeamMember> teamMember(String userUuid) {
        return teams.values().stream().flatMap(List::stream).filter(m -> m.uuid().equals(userUuid)).findFirst();
    }

    /** Customers that own an offering, with their service provider uuid. */
    synchronized Map<String, String> serviceProviders() {
        return Map.copyOf(serviceProviders);
    }

    // --- offering users ----------------------------------------------------------------------

    synchronized WaldurOfferingUser put(WaldurOfferingUser u) {
        checkUuid(u.uuid());
        require(offerings, u.offeringUuid(), "Offering");
        checkUuid(u.userUuid());
        WaldurOfferingUser existing = offeringUsers.get(u.uuid());
        Optional<WaldurOfferingUser> same = findOfferingUser(u.offeringUuid(), u.userUuid());
        if (same.isPresent() && !same.get().uuid().equals(u.uuid())) {
            // unique_together = ("offering", "user")
            throw new IllegalArgumentException("User " + u.userUuid() + " already has offering user "
                    + same.get().uuid() + " in offering " + u.offeringUuid());
        }
        if (existing != null && (!existing.offeringUuid().equals(u.offeringUuid())
                || !existing.userUuid().equals(u.userUuid()))) {
            throw new IllegalArgumentException("An update must not change the offering or user of " + u.uuid());
        }
        offeringUsers.put(u.uuid(), u);
        return u;
    }

    synchronized WaldurOfferingUser offeringUser(String uuid) {
        return require(offeringUsers, uuid, "OfferingUser");
    }

    synchronized Optional<WaldurOfferingUser> findOfferingUser(String offeringUuid, String userUuid) {
        return offeringUsers.values().stream()
                .filter(u -> u.offeringUuid().equals(offeringUuid) && u.userUuid().equals(userUuid))
                .findFirst();
    }

    /** In insertion order. */
    synchronized List<WaldurOfferingUser> offeringUsers(Predicate<WaldurOfferingUser> filter) {
        return offeringUsers.values().stream().filter(filter).toList();
    }

    synchronized WaldurOfferingUser updateOfferingUser(String uuid, UnaryOperator<WaldurOfferingUser.Builder> change) {
        WaldurOfferingUser current = offeringUser(uuid);
        WaldurOfferingUser updated = change.apply(current.toBuilder()).build();
        sameUuid(current.uuid(), updated.uuid());
        return put(updated);
    }

    /**
     * An offering-user action guarded like Waldur's {@code validate_offering_user_state_transition}:
     * a 400 (not 409) naming the current state by its integer code.
     */
    synchronized WaldurOfferingUser transitionOfferingUser(String uuid, String targetName, List<String> from,
            UnaryOperator<WaldurOfferingUser.Builder> change) {
        WaldurOfferingUser current = offeringUser(uuid);
        if (!from.contains(current.state())) {
            throw new ApiError(400, Json.detail("Cannot transition to " + targetName + " from current state: "
                    + WaldurOfferingUser.code(current.state()) + ". Valid states for operation: "
                    + String.join(", ", from) + "."));
        }
        return updateOfferingUser(uuid, b -> change.apply(b).modified(now()));
    }

    /**
     * {@code PATCH {"username": ...}}. Like {@code OfferingUser.save()}: a changed, non-empty username
     * moves a user that is still in the creation flow to {@code OK}.
     */
    synchronized WaldurOfferingUser setOfferingUsername(String uuid, String username) {
        WaldurOfferingUser current = offeringUser(uuid);
        boolean changed = !java.util.Objects.equals(current.username(), username);
        boolean toOk = changed && username != null && !username.isEmpty() && Set.of(WaldurOfferingUser.REQUESTED,
                WaldurOfferingUser.CREATING, WaldurOfferingUser.PENDING_ACCOUNT_LINKING,
                WaldurOfferingUser.PENDING_ADDITIONAL_VALIDATION, WaldurOfferingUser.ERROR_CREATING)
                .contains(current.state());
        return updateOfferingUser(uuid, b -> {
            b.username(username).modified(now());
            return toOk ? b.state(WaldurOfferingUser.OK) : b;
        });
    }

    // --- service and course accounts ---------------------------------------------------------

    synchronized WaldurServiceAccount put(WaldurServiceAccount a) {
        checkUuid(a.uuid());
        require(projects, a.projectUuid(), "Project");
        serviceAccounts.put(a.uuid(), a);
        return a;
    }

    synchronized WaldurCourseAccount put(WaldurCourseAccount a) {
        checkUuid(a.uuid());
        require(projects, a.projectUuid(), "Project");
        courseAccounts.put(a.uuid(), a);
        return a;
    }

    synchronized WaldurServiceAccount serviceAccount(String uuid) {
        return require(serviceAccounts, uuid, "ProjectServiceAccount");
    }

    synchronized WaldurCourseAccount courseAccount(String uuid) {
        return require(courseAccounts, uuid, "CourseAccount");
    }

    synchronized List<WaldurServiceAccount> serviceAccounts() {
        return List.copyOf(serviceAccounts.values());
    }

    synchronized List<WaldurCourseAccount> courseAccounts() {
        return List.copyOf(courseAccounts.values());
    }

    /**
     * Projects a service provider "serves": those with a non-terminated resource of an offering of
     * the provider's customer ({@code get_service_provider_project_ids}).
     */
    synchronized Set<String> serviceProviderProjects(String serviceProviderUuid) {
        String customerUuid = serviceProviders.entrySet().stream()
                .filter(e -> e.getValue().equals(FakeWaldurState.normalise(serviceProviderUuid)))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> ApiError.notFound("ServiceProvider"));
        Set<String> out = new java.util.LinkedHashSet<>();
        resources.values().stream()
                .filter(r -> !r.state().equals("Terminated"))
                .filter(r -> offerings.get(r.offeringUuid()).customerUuid().equals(customerUuid))
                .forEach(r -> out.add(r.projectUuid()));
        return out;
    }

    // --- components, per-user limits and usages ---------------------------------------------

    /** The stable uuid of an offering component (components are records without one). */
    synchronized String componentUuid(String offeringUuid, String type) {
        return componentUuids.computeIfAbsent(offeringUuid + "/" + type, k -> newUuid());
    }

    synchronized WaldurComponent component(String offeringUuid, String type) {
        return require(offerings, offeringUuid, "Offering").components().stream()
                .filter(c -> c.type().equals(type)).findFirst().orElse(null);
    }

    synchronized WaldurComponentUserLimit put(WaldurComponentUserLimit l) {
        checkUuid(l.uuid());
        WaldurResource resource = require(resources, l.resourceUuid(), "Resource");
        WaldurOfferingUser user = require(offeringUsers, l.offeringUserUuid(), "OfferingUser");
        if (component(resource.offeringUuid(), l.componentType()) == null) {
            throw new IllegalArgumentException("Offering " + resource.offeringUuid() + " has no component '"
                    + l.componentType() + "'");
        }
        if (!user.offeringUuid().equals(resource.offeringUuid())) {
            throw new IllegalArgumentException("Offering user " + user.uuid() + " belongs to another offering");
        }
        componentUuid(resource.offeringUuid(), l.componentType());
        userLimits.put(l.uuid(), l);
        return l;
    }

    synchronized List<WaldurComponentUserLimit> userLimits(Predicate<WaldurComponentUserLimit> filter) {
        return userLimits.values().stream().filter(filter).toList();
    }

    synchronized WaldurComponentUsage put(WaldurComponentUsage u) {
        checkUuid(u.uuid());
        WaldurResource resource = require(resources, u.resourceUuid(), "Resource");
        if (component(resource.offeringUuid(), u.type()) == null) {
            throw new IllegalArgumentException("Offering " + resource.offeringUuid() + " has no component '"
                    + u.type() + "'");
        }
        usages.put(u.uuid(), u);
        return u;
    }

    synchronized WaldurComponentUsage usage(String uuid) {
        return require(usages, uuid, "ComponentUsage");
    }

    /** Waldur's order: newest {@code date} first, then component type. */
    synchronized List<WaldurComponentUsage> usages(Predicate<WaldurComponentUsage> filter) {
        return usages.values().stream().filter(filter)
                .sorted(Comparator.comparing(WaldurComponentUsage::date).reversed()
                        .thenComparing(WaldurComponentUsage::type))
                .toList();
    }

    synchronized List<WaldurComponentUserUsage> userUsages(Predicate<WaldurComponentUserUsage> filter) {
        return userUsages.values().stream().filter(filter).toList();
    }

    /**
     * {@code set_usage} after validation: per item, update the first record of (resource, type,
     * period) or create one. All items are applied atomically.
     */
    synchronized void setUsages(String resourceUuid, Map<String, BigDecimal> amounts, Instant date,
            Map<String, String> descriptions, Map<String, Boolean> recurring) {
        LocalDate period = billingPeriod(date);
        Instant now = now();
        amounts.forEach((type, amount) -> {
            Optional<WaldurComponentUsage> existing = usages.values().stream()
                    .filter(u -> u.resourceUuid().equals(resourceUuid) && u.type().equals(type)
                            && u.billingPeriod().equals(period))
                    .findFirst();
            String uuid = existing.map(WaldurComponentUsage::uuid).orElseGet(this::newUuid);
            Instant created = existing.map(WaldurComponentUsage::created).orElse(now);
            usages.put(uuid, new WaldurComponentUsage(uuid, resourceUuid, type, amount, period, date,
                    descriptions.getOrDefault(type, ""), recurring.getOrDefault(type, false), created, now));
        });
    }

    /**
     * {@code set_user_usage}: with a {@code date}, the component usage of that date's month is used
     * (created with usage 0 when missing, as Waldur backfills); then the user usage with this
     * username is created or updated.
     */
    synchronized WaldurComponentUserUsage setUserUsage(String componentUsageUuid, String username, BigDecimal usage,
            String offeringUserUuid, Instant date) {
        WaldurComponentUsage target = usage(componentUsageUuid);
        Instant now = now();
        if (date != null) {
            LocalDate period = billingPeriod(date);
            WaldurComponentUsage base = target;
            target = usages.values().stream()
                    .filter(u -> u.resourceUuid().equals(base.resourceUuid()) && u.type().equals(base.type())
                            && u.billingPeriod().equals(period))
                    .findFirst()
                    .orElseGet(() -> put(new WaldurComponentUsage(newUuid(), base.resourceUuid(), base.type(),
                            BigDecimal.ZERO, period, date, "Created for user usage backfill", false, now, now)));
        }
        String usageUuid = target.uuid();
        Optional<WaldurComponentUserUsage> existing = userUsages.values().stream()
                .filter(u -> u.componentUsageUuid().equals(usageUuid) && u.username().equals(username))
                .findFirst();
        WaldurComponentUserUsage stored = existing
                // an update changes the amount only, like Waldur's view
                .map(u -> new WaldurComponentUserUsage(u.uuid(), usageUuid, username, usage, u.offeringUserUuid(),
                        u.created(), now))
                .orElseGet(() -> new WaldurComponentUserUsage(newUuid(), usageUuid, username, usage,
                        offeringUserUuid, now, now));
        userUsages.put(stored.uuid(), stored);
        return stored;
    }

    /** First day of the UTC month of {@code t}. */
    static LocalDate billingPeriod(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1);
    }

    // --- import: backend resource requests and backend resources ------------------------------

    synchronized WaldurBackendResourceRequest put(WaldurBackendResourceRequest r) {
        checkUuid(r.uuid());
        require(offerings, r.offeringUuid(), "Offering");
        importRequests.put(r.uuid(), r);
        return r;
    }

    synchronized WaldurBackendResourceRequest importRequest(String uuid) {
        return require(importRequests, uuid, "BackendResourceRequest");
    }

    /** A request transition guarded like Waldur's StateValidator (409). */
    synchronized WaldurBackendResourceRequest transitionImportRequest(String uuid, List<String> from, String to,
            String errorMessage, String errorTraceback) {
        WaldurBackendResourceRequest r = importRequest(uuid);
        if (!from.contains(r.state())) {
            throw ApiError.invalidState(String.join(", ", from));
        }
        Instant now = now();
        WaldurBackendResourceRequest next = new WaldurBackendResourceRequest(r.uuid(), r.offeringUuid(), to,
                to.equals("Processing") ? now : r.started(),
                to.equals("Done") || to.equals("Erred") ? now : r.finished(),
                errorMessage == null ? r.errorMessage() : errorMessage,
                errorTraceback == null ? r.errorTraceback() : errorTraceback, r.created(), now);
        importRequests.put(uuid, next);
        return next;
    }

    synchronized WaldurBackendResource put(WaldurBackendResource r) {
        checkUuid(r.uuid());
        require(projects, r.projectUuid(), "Project");
        require(offerings, r.offeringUuid(), "Offering");
        backendResources.put(r.uuid(), r);
        return r;
    }

    synchronized WaldurBackendResource backendResource(String uuid) {
        return require(backendResources, uuid, "BackendResource");
    }

    synchronized List<WaldurBackendResource> backendResources(Predicate<WaldurBackendResource> filter) {
        return backendResources.values().stream().filter(filter).toList();
    }

    synchronized List<WaldurProject> projects(Predicate<WaldurProject> filter) {
        return projects.values().stream().filter(filter).toList();
    }

    // --- periodic usage policies --------------------------------------------------------------

    synchronized WaldurPeriodicUsagePolicy put(WaldurPeriodicUsagePolicy p) {
        checkUuid(p.uuid());
        require(offerings, p.offeringUuid(), "Offering");
        policies.put(p.uuid(), p);
        return p;
    }

    synchronized WaldurPeriodicUsagePolicy policy(String uuid) {
        return require(policies, uuid, "SlurmPeriodicUsagePolicy");
    }

    synchronized void addCommandResult(WaldurCommandResult result) {
        commandResults.add(result);
    }

    synchronized List<WaldurCommandResult> commandResults() {
        return List.copyOf(commandResults);
    }

    // --- integration status -------------------------------------------------------------------

    /** @param orders true for "Order processing" (orders list), false for "Usage reporting" (resources list) */
    synchronized void heartbeat(String offeringUuid, boolean orders, Instant at) {
        if (offerings.containsKey(offeringUuid)) {
            (orders ? orderHeartbeats : usageHeartbeats).put(offeringUuid, at);
        }
    }

    synchronized Optional<Instant> lastHeartbeat(String offeringUuid, boolean orders) {
        return Optional.ofNullable((orders ? orderHeartbeats : usageHeartbeats).get(normalise(offeringUuid)));
    }

    // --- order state machine --------------------------------------------------------------

    synchronized WaldurOrder approveByProvider(String uuid) {
        WaldurOrder order = order(uuid);
        if (!order.state().equals("pending-provider")) {
            throw ApiError.invalidState("pending-provider");
        }
        String resourceState = switch (order.type()) {
            case "Update" -> "Updating";
            case "Terminate" -> "Terminating";
            default -> null;
        };
        if (resourceState != null) {
            updateResource(order.resourceUuid(), b -> b.state(resourceState).modified(now()));
        }
        return updateOrder(uuid, b -> b.state("executing").modified(now()));
    }

    synchronized WaldurOrder setStateDone(String uuid) {
        WaldurOrder order = order(uuid);
        if (!order.state().equals("executing")) {
            throw ApiError.invalidState("executing");
        }
        updateResource(order.resourceUuid(), b -> {
            switch (order.type()) {
                case "Terminate" -> b.state("Terminated");
                case "Update" -> {
                    b.state("OK");
                    if (!order.limits().isEmpty()) {
                        b.limits(order.limits());
                    }
                    if (order.planUuid() != null) {
                        b.planUuid(order.planUuid());
                    }
                }
                default -> b.state("OK");
            }
            return b.modified(now());
        });
        return updateOrder(uuid, b -> b.state("done").modified(now()));
    }

    synchronized WaldurOrder setStateErred(String uuid, String message, String traceback) {
        WaldurOrder order = order(uuid);
        if (order.isTerminal()) {
            throw ApiError.invalidState("pending-consumer, pending-provider, pending-project, pending-start-date, executing");
        }
        updateResource(order.resourceUuid(), b -> b.state("Erred").modified(now()));
        return updateOrder(uuid, b -> b.state("erred").errorMessage(message).errorTraceback(traceback).modified(now()));
    }

    // --- subscriptions ------------------------------------------------------------------------

    synchronized void putSubscription(WaldurSubscription s) {
        subscriptions.put(s.uuid(), s);
    }

    synchronized Optional<WaldurSubscription> removeSubscription(String uuid) {
        return Optional.ofNullable(subscriptions.remove(uuid));
    }

    private static final java.util.regex.Pattern HEX_UUID = java.util.regex.Pattern.compile("[0-9a-f]{32}");

    /** Waldur renders UUIDs as 32 lower-case hex digits; fixtures must too, or lookups would miss. */
    private static void checkUuid(String uuid) {
        if (uuid == null || !HEX_UUID.matcher(uuid).matches()) {
            throw new IllegalArgumentException("Fixture uuid must be 32 lower-case hex digits: " + uuid);
        }
    }

    private static <T> T require(Map<String, T> map, String uuid, String model) {
        T value = uuid == null ? null : map.get(normalise(uuid));
        if (value == null) {
            throw ApiError.notFound(model);
        }
        return value;
    }

    /** Django accepts dashed and upper-case UUIDs in URLs; the store uses 32-char lower hex. */
    static String normalise(String uuid) {
        return uuid.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    }
}
