package org.waldur.agent.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.waldur.agent.config.Uuids;

/**
 * A {@code user_role} message (waldur-protocol.md §4.3): a project role granted or revoked. Without
 * {@code user_uuid} it asks for a full user sync of the project. {@code granted} may be null.
 */
public final class UserRoleEvent {

    private final String userUuid;
    private final String userUsername;
    private final String projectUuid;
    private final Boolean granted;

    @JsonCreator
    public UserRoleEvent(@JsonProperty("user_uuid") String userUuid, @JsonProperty("user_username") String userUsername,
            @JsonProperty(value = "project_uuid", required = true) String projectUuid, @JsonProperty("granted") Boolean granted) {
        if (!Uuids.isValid(projectUuid)) {
            throw new InvalidEventException("project_uuid must be a UUID, got " + Failures.quote(projectUuid));
        }
        if (userUuid != null && !userUuid.isBlank() && !Uuids.isValid(userUuid)) {
            throw new InvalidEventException("user_uuid must be a UUID, got " + Failures.quote(userUuid));
        }
        this.userUuid = userUuid == null || userUuid.isBlank() ? null : Uuids.toHex(userUuid);
        this.userUsername = userUsername;
        this.projectUuid = Uuids.toHex(projectUuid);
        this.granted = granted;
    }

    public String getUserUuid() {
        return userUuid;
    }

    public String getUserUsername() {
        return userUsername;
    }

    public String getProjectUuid() {
        return projectUuid;
    }

    public Boolean getGranted() {
        return granted;
    }

    public boolean isProjectSync() {
        return userUuid == null;
    }

    @Override
    public String toString() {
        return isProjectSync() ? "user sync of project " + projectUuid
                : "role of user " + userUuid + " in project " + projectUuid + (granted == null ? "" : granted ? " granted" : " revoked");
    }
}
