package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An offering user: one Waldur user's account in one offering ({@code OfferingUser}). Create with
 * {@link FakeWaldur#newOfferingUser(WaldurOffering, WaldurTeamMember)} or
 * {@link FakeWaldur#newOfferingUser(WaldurOffering, String)}:
 *
 * <pre>{@code
 * WaldurOfferingUser ou = waldur.newOfferingUser(offering, alice).state(WaldurOfferingUser.REQUESTED).create();
 * }</pre>
 *
 * <p>Waldur's non-staff users (the agent's token) only see offering users of offerings whose
 * {@code plugin_options.service_provider_can_create_offering_user} is {@code true}; the fake
 * enforces that for the list, the detail and every action (404 otherwise).
 *
 * @param uuid 32-char hex
 * @param offeringUuid the offering
 * @param userUuid the Waldur user (a team member's uuid when linked to one)
 * @param userUsername the Waldur username ({@code user_username})
 * @param userFullName full name ({@code user_full_name}); first word is the first name
 * @param userEmail e-mail ({@code user_email})
 * @param username the account name in the offering (the SLURM user), or null before it is set
 * @param state one of {@link #STATES}
 * @param restricted {@code is_restricted}
 * @param serviceProviderComment set by {@code set_pending_*}, "" otherwise
 * @param serviceProviderCommentUrl set by {@code set_pending_*}, "" otherwise
 * @param created creation time
 * @param modified last change
 */
public record WaldurOfferingUser(String uuid, String offeringUuid, String userUuid, String userUsername,
        String userFullName, String userEmail, String username, String state, boolean restricted,
        String serviceProviderComment, String serviceProviderCommentUrl, Instant created, Instant modified) {

    public static final String REQUESTED = "Requested";
    public static final String CREATING = "Creating";
    public static final String PENDING_ACCOUNT_LINKING = "Pending account linking";
    public static final String PENDING_ADDITIONAL_VALIDATION = "Pending additional validation";
    public static final String OK = "OK";
    public static final String REQUESTED_DELETION = "Requested deletion";
    public static final String DELETING = "Deleting";
    public static final String DELETED = "Deleted";
    public static final String ERROR_CREATING = "Error creating";
    public static final String ERROR_DELETING = "Error deleting";

    /** Waldur's {@code OfferingUserStates} labels; the position + 1 is the integer Waldur stores. */
    public static final List<String> STATES = List.of(REQUESTED, CREATING, PENDING_ACCOUNT_LINKING,
            PENDING_ADDITIONAL_VALIDATION, OK, REQUESTED_DELETION, DELETING, DELETED, ERROR_CREATING, ERROR_DELETING);

    public WaldurOfferingUser {
        if (!STATES.contains(state)) {
            throw new IllegalArgumentException("Unknown offering user state '" + state + "', expected one of " + STATES);
        }
        serviceProviderComment = serviceProviderComment == null ? "" : serviceProviderComment;
        serviceProviderCommentUrl = serviceProviderCommentUrl == null ? "" : serviceProviderCommentUrl;
    }

    /** Waldur's integer code of a state label, as it appears in transition error messages. */
    static int code(String state) {
        return STATES.indexOf(state) + 1;
    }

    /** A builder preset with this offering user's values (the sink is unused). */
    public Builder toBuilder() {
        Builder b = new Builder(uuid, offeringUuid, userUuid, created, u -> u);
        b.userUsername = userUsername;
        b.userFullName = userFullName;
        b.userEmail = userEmail;
        b.username = username;
        b.state = state;
        b.restricted = restricted;
        b.serviceProviderComment = serviceProviderComment;
        b.serviceProviderCommentUrl = serviceProviderCommentUrl;
        b.modified = modified;
        return b;
    }

    /** Mutable builder; {@link #create()} registers the offering user with the fake that made it. */
    public static final class Builder {
        private final UnaryOperator<WaldurOfferingUser> sink;
        private String uuid;
        private final String offeringUuid;
        private final String userUuid;
        private String userUsername;
        private String userFullName = "";
        private String userEmail = "";
        private String username;
        private String state = REQUESTED;
        private boolean restricted;
        private String serviceProviderComment = "";
        private String serviceProviderCommentUrl = "";
        private final Instant created;
        private Instant modified;

        Builder(String uuid, String offeringUuid, String userUuid, Instant created,
                UnaryOperator<WaldurOfferingUser> sink) {
            this.uuid = uuid;
            this.offeringUuid = offeringUuid;
            this.userUuid = userUuid;
            this.userUsername = "user-" + userUuid.substring(0, Math.min(8, userUuid.length()));
            this.created = created;
            this.modified = created;
            this.sink = sink;
        }

        public Builder uuid(String uuid) {
            this.uuid = uuid;
            return this;
        }

        /** The Waldur user's own details (preset from the team member when created from one). */
        public Builder user(String userUsername, String userFullName, String userEmail) {
            this.userUsername = userUsername;
            this.userFullName = userFullName;
            this.userEmail = userEmail;
            return this;
        }

        /** The account name in the offering; null = not generated yet. */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /** One of {@link WaldurOfferingUser#STATES}; default {@code Requested}. */
        public Builder state(String state) {
            this.state = state;
            return this;
        }

        public Builder restricted(boolean restricted) {
            this.restricted = restricted;
            return this;
        }

        public Builder comment(String comment, String commentUrl) {
            this.serviceProviderComment = comment;
            this.serviceProviderCommentUrl = commentUrl;
            return this;
        }

        public Builder modified(Instant modified) {
            this.modified = modified;
            return this;
        }

        public WaldurOfferingUser build() {
            return new WaldurOfferingUser(uuid, offeringUuid, userUuid, userUsername, userFullName, userEmail,
                    username, state, restricted, serviceProviderComment, serviceProviderCommentUrl, created, modified);
        }

        /** Builds and registers the offering user; returns what was stored. */
        public WaldurOfferingUser create() {
            return sink.apply(build());
        }
    }
}
