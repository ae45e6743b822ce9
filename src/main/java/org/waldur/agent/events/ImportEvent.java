package org.waldur.agent.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.waldur.agent.config.Uuids;

/**
 * An {@code importable_resources} message (waldur-protocol.md §4.3, §5.10): a user asked Waldur to import the
 * offering's backend resources. Only {@code backend_resource_request_uuid} counts; the request is re-read.
 */
public final class ImportEvent {

    private final String backendResourceRequestUuid;

    @JsonCreator
    public ImportEvent(@JsonProperty(value = "backend_resource_request_uuid", required = true) String backendResourceRequestUuid) {
        if (!Uuids.isValid(backendResourceRequestUuid)) {
            throw new InvalidEventException("backend_resource_request_uuid must be a UUID, got "
                    + Failures.quote(backendResourceRequestUuid));
        }
        this.backendResourceRequestUuid = Uuids.toHex(backendResourceRequestUuid);
    }

    public String getBackendResourceRequestUuid() {
        return backendResourceRequestUuid;
    }

    @Override
    public String toString() {
        return "import request " + backendResourceRequestUuid;
    }
}
