package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A marketplace order on a resource. Create with {@link FakeWaldur#newOrder(WaldurResource)}:
 *
 * <pre>{@code
 * WaldurOrder order = waldur.newOrder(resource)
 *         .type("Create").state("pending-provider").limit("cpu", 10)
 *         .create();
 * }</pre>
 * Project, customer and offering come from the resource; names and slugs are rendered from the
 * registered project and customer.
 *
 * @param uuid 32-char hex
 * @param type {@code Create, Update, Terminate, Restore}
 * @param state {@code pending-consumer, pending-provider, pending-project, pending-start-date,
 *     executing, done, erred, canceled, rejected}
 * @param resourceUuid the marketplace resource ({@code marketplace_resource_uuid})
 * @param offeringUuid offering of the resource
 * @param projectUuid project of the resource
 * @param resourceName {@code resource_name}
 * @param limits requested limits (Create/Update)
 * @param planUuid requested plan or null
 * @param attributes order attributes
 * @param backendId order backend id, "" by default
 * @param errorMessage set by {@code set_state_erred}
 * @param errorTraceback set by {@code set_state_erred}
 * @param created creation time
 * @param modified last change
 */
public record WaldurOrder(String uuid, String type, String state, String resourceUuid, String offeringUuid,
        String projectUuid, String resourceName, Map<String, Integer> limits, String planUuid,
        Map<String, Object> attributes, String backendId, String errorMessage, String errorTraceback,
        Instant created, Instant modified) {

    /** States from which Waldur does not move an order any more. */
    public static final Set<String> TERMINAL_STATES = Set.of("done", "erred", "canceled", "rejected");

    public WaldurOrder {
        limits = FixtureMaps.copy(limits);
        attributes = FixtureMaps.copy(attributes);
    }

    public boolean isTerminal() {
        return TERMINAL_STATES.contains(state);
    }

    /** A builder preset with this order's values (the sink is unused). */
    public Builder toBuilder() {
        Builder b = new Builder(uuid, resourceUuid, offeringUuid, projectUuid, resourceName, created, o -> o);
        b.type = type;
        b.state = state;
        b.limits.putAll(limits);
        b.planUuid = planUuid;
        b.attributes.putAll(attributes);
        b.backendId = backendId;
        b.errorMessage = errorMessage;
        b.errorTraceback = errorTraceback;
        b.modified = modified;
        return b;
    }

    /** Mutable builder; {@link #create()} registers the order with the fake that made it. */
    public static final class Builder {
        private final UnaryOperator<WaldurOrder> sink;
        private String uuid;
        private final String resourceUuid;
        private final String offeringUuid;
        private final String projectUuid;
        private String resourceName;
        private String type = "Create";
        private String state = "pending-provider";
        private final Map<String, Integer> limits = new LinkedHashMap<>();
        private String planUuid;
        private final Map<String, Object> attributes = new LinkedHashMap<>();
        private String backendId = "";
        private String errorMessage = "";
        private String errorTraceback = "";
        private final Instant created;
        private Instant modified;

        Builder(String uuid, String resourceUuid, String offeringUuid, String projectUuid, String resourceName,
                Instant created, UnaryOperator<WaldurOrder> sink) {
            this.uuid = uuid;
            this.resourceUuid = resourceUuid;
            this.offeringUuid = offeringUuid;
            this.projectUuid = projectUuid;
            this.resourceName = resourceName;
            this.created = created;
            this.modified = created;
            this.sink = sink;
        }

        public Builder uuid(String uuid) {
            this.uuid = uuid;
            return this;
        }

        public Builder type(String type) {
            this.type = type;
            return this;
        }

        public Builder state(String state) {
            this.state = state;
            return this;
        }

        public Builder resourceName(String resourceName) {
            this.resourceName = resourceName;
            return this;
        }

        public Builder limit(String component, int value) {
            limits.put(component, value);
            return this;
        }

        /** Replaces all limits. */
        public Builder limits(Map<String, Integer> limits) {
            this.limits.clear();
            this.limits.putAll(limits);
            return this;
        }

        public Builder plan(WaldurPlan plan) {
            return planUuid(plan == null ? null : plan.uuid());
        }

        public Builder planUuid(String planUuid) {
            this.planUuid = planUuid;
            return this;
        }

        public Builder attribute(String key, Object value) {
            attributes.put(key, value);
            return this;
        }

        public Builder backendId(String backendId) {
            this.backendId = backendId;
            return this;
        }

        public Builder errorMessage(String errorMessage) {
            this.errorMessage = errorMessage;
            return this;
        }

        public Builder errorTraceback(String errorTraceback) {
            this.errorTraceback = errorTraceback;
            return this;
        }

        public Builder modified(Instant modified) {
            this.modified = modified;
            return this;
        }

        public WaldurOrder build() {
            return new WaldurOrder(uuid, type, state, resourceUuid, offeringUuid, projectUuid, resourceName,
                    limits, planUuid, attributes, backendId, errorMessage, errorTraceback, created, modified);
        }

        /** Builds and registers the order; returns what was stored. */
        public WaldurOrder create() {
            return sink.apply(build());
        }
    }
}
