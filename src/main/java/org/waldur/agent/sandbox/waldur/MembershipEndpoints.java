package org.waldur.agent.sandbox.waldur;

import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.fields;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.matches;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.matchesBoolean;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.ok;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.uuidOf;
import static org.waldur.agent.sandbox.waldur.WaldurOfferingUser.CREATING;
import static org.waldur.agent.sandbox.waldur.WaldurOfferingUser.ERROR_CREATING;
import static org.waldur.agent.sandbox.waldur.WaldurOfferingUser.ERROR_DELETING;
import static org.waldur.agent.sandbox.waldur.WaldurOfferingUser.OK;
import static org.waldur.agent.sandbox.waldur.WaldurOfferingUser.PENDING_ACCOUNT_LINKING;
import static org.waldur.agent.sandbox.waldur.WaldurOfferingUser.PENDING_ADDITIONAL_VALIDATION;
import static org.waldur.agent.sandbox.waldur.WaldurOfferingUser.REQUESTED;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.waldur.agent.sandbox.waldur.FakeWaldurApi.ApiRequest;

/**
 * Endpoints about who may use a resource: offering users (with Waldur's username-generation
 * transitions), project service accounts, course accounts and per-user component limits.
 */
final class MembershipEndpoints {

    private static final String OFFERING_USERS = "/api/marketplace-offering-users/";

    private final FakeWaldurApi api;
    private final FakeWaldurState state;
    private final WaldurViews views;

    MembershipEndpoints(FakeWaldurApi api) {
        this.api = api;
        this.state = api.state;
        this.views = api.views;
    }

    void register() {
        api.get(OFFERING_USERS, (r, m) -> api.list(r, "marketplace-offering-users",
                Set.of("offering_uuid", "user_uuid", "user_username", "state", "is_restricted", "query",
                        "provider_uuid"),
                state.offeringUsers(u -> visible(u) && offeringUserFilter(r, u)).stream()
                        .sorted(BY_USERNAME).map(views::offeringUser).toList()));
        api.get(OFFERING_USERS + "{uuid}/", (r, m) -> ok(fields(views.offeringUser(visibleOfferingUser(m.group(1))), r)));
        api.patch(OFFERING_USERS + "{uuid}/", (r, m) -> patchOfferingUser(uuidOf(m), r));
        api.post(OFFERING_USERS + "{uuid}/begin_creating/", (r, m) ->
                transition(uuidOf(m), "CREATING", List.of(REQUESTED, ERROR_CREATING), b -> b.state(CREATING)));
        api.post(OFFERING_USERS + "{uuid}/set_ok/", (r, m) -> transition(uuidOf(m), "OK",
                List.of(REQUESTED, CREATING, PENDING_ADDITIONAL_VALIDATION, PENDING_ACCOUNT_LINKING, ERROR_CREATING,
                        ERROR_DELETING),
                b -> b.state(OK)));
        api.post(OFFERING_USERS + "{uuid}/set_pending_account_linking/", (r, m) -> transition(uuidOf(m),
                "PENDING_ACCOUNT_LINKING", List.of(CREATING, ERROR_CREATING, PENDING_ADDITIONAL_VALIDATION),
                b -> comment(b.state(PENDING_ACCOUNT_LINKING), r)));
        api.post(OFFERING_USERS + "{uuid}/set_pending_additional_validation/", (r, m) -> transition(uuidOf(m),
                "PENDING_ADDITIONAL_VALIDATION", List.of(CREATING, ERROR_CREATING, PENDING_ACCOUNT_LINKING),
                b -> comment(b.state(PENDING_ADDITIONAL_VALIDATION), r)));

        String providers = "/api/marketplace-service-providers/{uuid}/";
        api.get(providers + "project_service_accounts/", (r, m) -> {
            Set<String> projects = state.serviceProviderProjects(m.group(1));
            return api.list(r, "marketplace-service-providers/" + uuidOf(m) + "/project_service_accounts",
                    Set.of("project_uuid", "username", "state", "email"),
                    state.serviceAccounts().stream()
                            .filter(a -> projects.contains(a.projectUuid()))
                            .filter(a -> matches(r, "project_uuid", a.projectUuid())
                                    && matches(r, "username", a.username()) && matches(r, "state", a.state())
                                    && matches(r, "email", a.email()))
                            .map(views::serviceAccount).toList());
        });
        api.get(providers + "course_accounts/", (r, m) -> {
            Set<String> projects = state.serviceProviderProjects(m.group(1));
            return api.list(r, "marketplace-service-providers/" + uuidOf(m) + "/course_accounts",
                    Set.of("project_uuid", "username", "state", "email"),
                    state.courseAccounts().stream()
                            .filter(a -> projects.contains(a.projectUuid()))
                            .filter(a -> matches(r, "project_uuid", a.projectUuid())
                                    && matches(r, "username", a.username()) && matches(r, "state", a.state())
                                    && matches(r, "email", a.email()))
                            .map(views::courseAccount).toList());
        });

        api.get("/api/component-user-usage-limits/", (r, m) -> api.list(r, "component-user-usage-limits",
                Set.of("resource_uuid", "username", "component_type", "offering_uuid"),
                state.userLimits(l -> userLimitFilter(r, l)).stream().map(views::userLimit).toList()));
        api.get("/api/component-user-usage-limits/{uuid}/", (r, m) -> ok(views.userLimit(
                state.userLimits(l -> l.uuid().equals(uuidOf(m))).stream().findFirst()
                        .orElseThrow(() -> ApiError.notFound("ComponentUserUsageLimit")))));
    }

    // --- offering users -----------------------------------------------------------------------

    /** {@code Meta.ordering = ["username"]}; PostgreSQL sorts NULL last. */
    private static final Comparator<WaldurOfferingUser> BY_USERNAME = Comparator.comparing(
            WaldurOfferingUser::username, Comparator.nullsLast(Comparator.naturalOrder()));

    /** What a non-staff user sees: offering users of offerings that let the provider create them. */
    private boolean visible(WaldurOfferingUser u) {
        return Boolean.TRUE.equals(state.offering(u.offeringUuid()).pluginOptions()
                .get("service_provider_can_create_offering_user"));
    }

    private WaldurOfferingUser visibleOfferingUser(String uuid) {
        WaldurOfferingUser u = state.offeringUser(uuid);
        if (!visible(u)) {
            throw ApiError.notFound("OfferingUser");
        }
        return u;
    }

    private boolean offeringUserFilter(ApiRequest r, WaldurOfferingUser u) {
        String username = r.param("user_username");
        String query = r.param("query");
        return matches(r, "offering_uuid", u.offeringUuid())
                && matches(r, "user_uuid", u.userUuid())
                // CharFilter(field_name="user__username", lookup_expr="iexact")
                && (username == null || username.equalsIgnoreCase(u.userUsername()))
                && matches(r, "state", u.state())
                && matchesBoolean(r, "is_restricted", u.restricted())
                && matches(r, "provider_uuid", state.offering(u.offeringUuid()).customerUuid())
                && (query == null || matchesQuery(u, query));
    }

    /**
     * OfferingUserFilter.filter_query: offering name, offering username, user first or last name
     * (icontains). Not the offering uuid, which the Python agent passes.
     */
    private boolean matchesQuery(WaldurOfferingUser u, String query) {
        String q = query.toLowerCase(Locale.ROOT);
        String fullName = u.userFullName() == null ? "" : u.userFullName().strip();
        int space = fullName.indexOf(' ');
        List<String> haystack = new ArrayList<>();
        haystack.add(state.offering(u.offeringUuid()).name());
        haystack.add(u.username() == null ? "" : u.username());
        haystack.add(space < 0 ? fullName : fullName.substring(0, space));
        haystack.add(space < 0 ? "" : fullName.substring(space + 1));
        return haystack.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).contains(q));
    }

    private ApiResponse transition(String uuid, String targetName, List<String> from,
            UnaryOperator<WaldurOfferingUser.Builder> change) {
        visibleOfferingUser(uuid);
        state.transitionOfferingUser(uuid, targetName, from, change);
        return ApiResponse.empty(200);
    }

    /** The serializer leaves the comment alone when a field is absent. */
    private static WaldurOfferingUser.Builder comment(WaldurOfferingUser.Builder b, ApiRequest r) {
        WaldurOfferingUser current = b.build();
        String comment = r.text("comment");
        String url = r.text("comment_url");
        return b.comment(comment != null ? comment : current.serviceProviderComment(),
                url != null ? url : current.serviceProviderCommentUrl());
    }

    private ApiResponse patchOfferingUser(String uuid, ApiRequest r) {
        visibleOfferingUser(uuid);
        if (r.body() != null) {
            List<String> other = new ArrayList<>();
            r.body().fieldNames().forEachRemaining(f -> {
                if (!f.equals("username")) {
                    other.add(f);
                }
            });
            if (!other.isEmpty()) {
                throw new ApiError(501, Json.detail("FakeWaldur only implements changing 'username' of an "
                        + "offering user, not " + other));
            }
        }
        WaldurOfferingUser updated = r.has("username")
                ? state.setOfferingUsername(uuid, r.text("username"))
                : state.offeringUser(uuid);
        return ok(views.offeringUser(updated));
    }

    // --- per-user limits ----------------------------------------------------------------------

    private boolean userLimitFilter(ApiRequest r, WaldurComponentUserLimit l) {
        WaldurResource resource = state.resource(l.resourceUuid());
        WaldurOfferingUser user = state.offeringUser(l.offeringUserUuid());
        return matches(r, "resource_uuid", l.resourceUuid())
                && matches(r, "offering_uuid", resource.offeringUuid())
                && matches(r, "component_type", l.componentType())
                // CharFilter(field_name="user__username"): the offering user's username, exact
                && matches(r, "username", user.username());
    }
}
