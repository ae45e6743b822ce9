package org.waldur.agent.sandbox.waldur;

import java.time.Instant;

/**
 * A course account ({@code CourseAccount}): a project-scoped account linked to a Waldur user;
 * add with {@link FakeWaldur#addCourseAccount(WaldurProject, String, String)}. Listed like
 * {@link WaldurServiceAccount}s.
 *
 * @param uuid 32-char hex
 * @param projectUuid the project
 * @param userUuid the linked Waldur user
 * @param username the account name (the linked user's username)
 * @param email e-mail, "" when none
 * @param state {@code OK}, {@code Closed} or {@code Erred}
 * @param created creation time
 * @param modified last change
 */
public record WaldurCourseAccount(String uuid, String projectUuid, String userUuid, String username, String email,
        String state, Instant created, Instant modified) {

    public WaldurCourseAccount {
        WaldurServiceAccount.checkState(state);
        email = email == null ? "" : email;
    }

    /** A copy in another state. */
    public WaldurCourseAccount withState(String state, Instant modified) {
        return new WaldurCourseAccount(uuid, projectUuid, userUuid, username, email, state, created, modified);
    }
}
