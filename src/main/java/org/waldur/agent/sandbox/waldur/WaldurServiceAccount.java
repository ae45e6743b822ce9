package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.List;

/**
 * A project service account ({@code ProjectServiceAccount}); add with
 * {@link FakeWaldur#addServiceAccount(WaldurProject, String, String)}.
 *
 * <p>Listed by {@code GET /api/marketplace-service-providers/{sp}/project_service_accounts/} only
 * while its project has a non-terminated resource of one of the service provider's offerings,
 * as Waldur scopes those lists.
 *
 * @param uuid 32-char hex
 * @param projectUuid the project
 * @param username account name (max 32 characters in Waldur)
 * @param email e-mail, "" when none
 * @param state {@code OK}, {@code Closed} or {@code Erred}
 * @param created creation time
 * @param modified last change
 */
public record WaldurServiceAccount(String uuid, String projectUuid, String username, String email, String state,
        Instant created, Instant modified) {

    /** Waldur's {@code ServiceAccountState}. */
    public static final List<String> STATES = List.of("OK", "Closed", "Erred");

    public WaldurServiceAccount {
        checkState(state);
        email = email == null ? "" : email;
    }

    /** A copy in another state. */
    public WaldurServiceAccount withState(String state, Instant modified) {
        return new WaldurServiceAccount(uuid, projectUuid, username, email, state, created, modified);
    }

    static void checkState(String state) {
        if (!STATES.contains(state)) {
            throw new IllegalArgumentException("Unknown account state '" + state + "', expected one of " + STATES);
        }
    }
}
