package org.waldur.agent.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;
import org.waldur.agent.config.Uuids;

/** A {@code service_account} or {@code course_account} message (waldur-protocol.md §4.3, §5.8). */
public final class AccountEvent {

    private static final Set<String> ACTIONS = Set.of("create", "delete");

    private final String accountUsername;
    private final String projectUuid;
    private final String action;

    @JsonCreator
    public AccountEvent(@JsonProperty(value = "account_username", required = true) String accountUsername,
            @JsonProperty("project_uuid") String projectUuid, @JsonProperty("action") String action) {
        if (accountUsername == null || accountUsername.isBlank()) {
            throw new InvalidEventException("account_username is empty");
        }
        String a = action == null || action.isBlank() ? "create" : action;
        if (!ACTIONS.contains(a)) {
            throw new InvalidEventException("action must be create or delete, got " + Failures.quote(action));
        }
        if (projectUuid != null && !projectUuid.isBlank() && !Uuids.isValid(projectUuid)) {
            throw new InvalidEventException("project_uuid must be a UUID, got " + Failures.quote(projectUuid));
        }
        if (a.equals("delete") && (projectUuid == null || projectUuid.isBlank())) {
            throw new InvalidEventException("a delete needs project_uuid");
        }
        this.accountUsername = accountUsername;
        this.projectUuid = projectUuid == null || projectUuid.isBlank() ? null : Uuids.toHex(projectUuid);
        this.action = a;
    }

    public String getAccountUsername() {
        return accountUsername;
    }

    public String getProjectUuid() {
        return projectUuid;
    }

    public String getAction() {
        return action;
    }

    @Override
    public String toString() {
        return action + " account " + accountUsername;
    }
}
