package org.waldur.agent.testing.waldur;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private final Map<String, String> offeringUsers = new LinkedHashMap<>(); // offering+user -> uuid
    private final Map<String, WaldurSubscription> subscriptions = new LinkedHashMap<>();

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
        List<WaldurTeamMember> team = teams.computeIfAbsent(resourceUuid, k -> new ArrayList<>());
        team.removeIf(m -> m.uuid().equals(member.uuid()));
        team.add(member);
        if (member.offeringUserUsername() != null) {
            offeringUsers.computeIfAbsent(resource.offeringUuid() + "/" + member.uuid(), k -> newUuid());
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

    synchronized List<WaldurTeamMember> team(String resourceUuid) {
        require(resources, resourceUuid, "Resource");
        return List.copyOf(teams.getOrDefault(resourceUuid, List.of()));
    }

    /** Customers that own an offering, with their service provider uuid. */
    synchronized Map<String, String> serviceProviders() {
        return Map.copyOf(serviceProviders);
    }

    /** Offering users derived from team members that have an offering username. */
    synchronized List<OfferingUser> offeringUsers() {
        List<OfferingUser> out = new ArrayList<>();
        Map<String, OfferingUser> seen = new LinkedHashMap<>();
        teams.forEach((resourceUuid, team) -> {
            String offeringUuid = resources.get(resourceUuid).offeringUuid();
            for (WaldurTeamMember m : team) {
                String key = offeringUuid + "/" + m.uuid();
                String uuid = offeringUsers.get(key);
                if (uuid != null && !seen.containsKey(key)) {
                    seen.put(key, new OfferingUser(uuid, offeringUuid, m));
                }
            }
        });
        out.addAll(seen.values());
        return out;
    }

    /** An offering user: one user's account in one offering. */
    record OfferingUser(String uuid, String offeringUuid, WaldurTeamMember member) {
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
