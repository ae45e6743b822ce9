package org.waldur.agent.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.waldur.agent.config.Uuids;

/** A {@code resource} message: only {@code resource_uuid} counts; the resource is re-read (waldur-protocol.md §5.7). */
public final class ResourceEvent {

    private final String resourceUuid;

    @JsonCreator
    public ResourceEvent(@JsonProperty(value = "resource_uuid", required = true) String resourceUuid) {
        if (!Uuids.isValid(resourceUuid)) {
            throw new InvalidEventException("resource_uuid must be a UUID, got " + Failures.quote(resourceUuid));
        }
        this.resourceUuid = Uuids.toHex(resourceUuid);
    }

    public String getResourceUuid() {
        return resourceUuid;
    }

    @Override
    public String toString() {
        return "resource " + resourceUuid;
    }
}
