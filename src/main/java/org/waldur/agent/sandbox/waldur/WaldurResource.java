package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A marketplace resource (for SLURM: one allocation account). Create with
 * {@link FakeWaldur#newResource(WaldurOffering, WaldurProject)}:
 *
 * <pre>{@code
 * WaldurResource resource = waldur.newResource(offering, project)
 *         .name("Alloc 1").slug("alloc-1").state("Creating").limit("cpu", 10)
 *         .create();
 * }</pre>
 * Change it from a test with {@link FakeWaldur#updateResource(String, UnaryOperator)}.
 *
 * @param uuid 32-char hex
 * @param name display name
 * @param slug slug, the SLURM account base name
 * @param offeringUuid offering
 * @param projectUuid project (customer is the project's customer)
 * @param state {@code Creating, OK, Erred, Updating, Terminating, Terminated}
 * @param backendId SLURM account name once set by the agent, "" before
 * @param limits component type to limit in Waldur units
 * @param planUuid plan or null
 * @param paused resource paused flag
 * @param downscaled resource downscaled flag
 * @param restrictMemberAccess restrict-member-access flag
 * @param backendMetadata what the agent stored with {@code set_backend_metadata}
 * @param errorMessage set by {@code set_as_erred}
 * @param errorTraceback set by {@code set_as_erred}
 * @param lastSync set by {@code refresh_last_sync}, null before
 * @param created creation time
 * @param modified last change
 */
public record WaldurResource(String uuid, String name, String slug, String offeringUuid, String projectUuid,
        String state, String backendId, Map<String, Integer> limits, String planUuid,
        boolean paused, boolean downscaled, boolean restrictMemberAccess,
        Map<String, Object> backendMetadata, String errorMessage, String errorTraceback,
        Instant lastSync, Instant created, Instant modified) {

    public WaldurResource {
        limits = FixtureMaps.copy(limits);
        backendMetadata = FixtureMaps.copy(backendMetadata);
    }

    /** A builder preset with this resource's values (the sink is unused). */
    public Builder toBuilder() {
        Builder b = new Builder(uuid, offeringUuid, projectUuid, created, r -> r);
        b.name = name;
        b.slug = slug;
        b.state = state;
        b.backendId = backendId;
        b.limits.putAll(limits);
        b.planUuid = planUuid;
        b.paused = paused;
        b.downscaled = downscaled;
        b.restrictMemberAccess = restrictMemberAccess;
        b.backendMetadata.putAll(backendMetadata);
        b.errorMessage = errorMessage;
        b.errorTraceback = errorTraceback;
        b.lastSync = lastSync;
        b.modified = modified;
        return b;
    }

    /** Mutable builder; {@link #create()} registers the resource with the fake that made it. */
    public static final class Builder {
        private final UnaryOperator<WaldurResource> sink;
        private String uuid;
        private final String offeringUuid;
        private final String projectUuid;
        private String name = "Allocation";
        private String slug = "allocation";
        private String state = "Creating";
        private String backendId = "";
        private final Map<String, Integer> limits = new LinkedHashMap<>();
        private String planUuid;
        private boolean paused;
        private boolean downscaled;
        private boolean restrictMemberAccess;
        private final Map<String, Object> backendMetadata = new LinkedHashMap<>();
        private String errorMessage = "";
        private String errorTraceback = "";
        private Instant lastSync;
        private final Instant created;
        private Instant modified;

        Builder(String uuid, String offeringUuid, String projectUuid, Instant created,
                UnaryOperator<WaldurResource> sink) {
            this.uuid = uuid;
            this.offeringUuid = offeringUuid;
            this.projectUuid = projectUuid;
            this.created = created;
            this.modified = created;
            this.sink = sink;
        }

        public Builder uuid(String uuid) {
            this.uuid = uuid;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder slug(String slug) {
            this.slug = slug;
            return this;
        }

        public Builder state(String state) {
            this.state = state;
            return this;
        }

        public Builder backendId(String backendId) {
            this.backendId = backendId;
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

        public Builder paused(boolean paused) {
            this.paused = paused;
            return this;
        }

        public Builder downscaled(boolean downscaled) {
            this.downscaled = downscaled;
            return this;
        }

        public Builder restrictMemberAccess(boolean restrictMemberAccess) {
            this.restrictMemberAccess = restrictMemberAccess;
            return this;
        }

        /** Replaces the backend metadata. */
        public Builder backendMetadata(Map<String, Object> metadata) {
            backendMetadata.clear();
            backendMetadata.putAll(metadata);
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

        public Builder lastSync(Instant lastSync) {
            this.lastSync = lastSync;
            return this;
        }

        public Builder modified(Instant modified) {
            this.modified = modified;
            return this;
        }

        public WaldurResource build() {
            return new WaldurResource(uuid, name, slug, offeringUuid, projectUuid, state, backendId, limits,
                    planUuid, paused, downscaled, restrictMemberAccess, backendMetadata, errorMessage,
                    errorTraceback, lastSync, created, modified);
        }

        /** Builds and registers the resource; returns what was stored. */
        public WaldurResource create() {
            return sink.apply(build());
        }
    }
}
