package org.waldur.agent.sandbox.waldur;

/**
 * A project user as returned by {@code GET /api/marketplace-provider-resources/{uuid}/team/}
 * ({@code ProjectUser}); add with {@link FakeWaldur#addTeamMember(WaldurResource, WaldurTeamMember)}.
 *
 * @param uuid user uuid, 32-char hex
 * @param username Waldur username (lowercase letters, digits, {@code @.+-_})
 * @param fullName full name
 * @param email e-mail
 * @param role project role name, e.g. {@code PROJECT.MEMBER}
 * @param offeringUserUsername the user's username in this offering (the SLURM user), or null
 * @param offeringUserState offering user state, e.g. {@code OK}, or null
 */
public record WaldurTeamMember(String uuid, String username, String fullName, String email, String role,
        String offeringUserUsername, String offeringUserState) {

    /** A copy with the offering user's username and state set. */
    public WaldurTeamMember withOfferingUser(String username, String state) {
        return new WaldurTeamMember(uuid, this.username, fullName, email, role, username, state);
    }

    /** A copy with another project role. */
    public WaldurTeamMember withRole(String role) {
        return new WaldurTeamMember(uuid, username, fullName, email, role, offeringUserUsername, offeringUserState);
    }
}
