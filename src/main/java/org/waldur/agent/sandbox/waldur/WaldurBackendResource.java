package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.Map;

/**
 * A backend resource known to Waldur but not (yet) imported as a marketplace resource
 * ({@code BackendResource}); created by {@code POST /api/backend-resources/} or with
 * {@link FakeWaldur#addBackendResource(WaldurProject, WaldurOffering, String, String)}.
 *
 * @param uuid 32-char hex
 * @param name display name
 * @param projectUuid the project
 * @param offeringUuid the offering
 * @param backendId e.g. the SLURM account, "" when none
 * @param backendMetadata free-form metadata (the agent sends {@code {"limits": {...}}})
 * @param created creation time
 * @param modified last change
 */
public record WaldurBackendResource(String uuid, String name, String projectUuid, String offeringUuid,
        String backendId, Map<String, Object> backendMetadata, Instant created, Instant modified) {

    public WaldurBackendResource {
        backendMetadata = FixtureMaps.copy(backendMetadata);
        backendId = backendId == null ? "" : backendId;
    }
}
