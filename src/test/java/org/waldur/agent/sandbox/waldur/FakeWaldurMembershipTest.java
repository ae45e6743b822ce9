package org.waldur.agent.sandbox.waldur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.waldur.agent.sandbox.waldur.FakeWaldurTest.Http;

/** Offering users, service and course accounts, per-user limits. */
class FakeWaldurMembershipTest {

    private FakeWaldur waldur;
    private Http http;
    private WaldurCustomer customer;
    private WaldurProject project;
    private WaldurOffering offering;
    private WaldurResource resource;
    private int users;

    @BeforeEach
    void setUp() {
        waldur = FakeWaldur.start();
        http = new Http(waldur.apiUrl(), waldur.token());
        customer = waldur.addCustomer("Uni Tartu", "uni-tartu");
        project = waldur.addProject(customer, "Physics", "physics");
        offering = waldur.newOffering(customer)
                .name("HPC cluster")
                .component("cpu", "limit", 60000)
                .component("mem", "usage", 61440)
                .pluginOption("username_generation_policy", "service_provider")
                .pluginOption("service_provider_can_create_offering_user", true)
                .create();
        resource = waldur.newResource(offering, project).slug("alloc").create();
    }

    @AfterEach
    void tearDown() {
        assertThat(waldur.responseViolations()).isEmpty();
        waldur.close();
    }

    /** A project member without an offering user yet. */
    private WaldurTeamMember member(String username, String fullName) {
        String uuid = String.format("%032x", ++users);
        return waldur.addTeamMember(resource, new WaldurTeamMember(uuid, username, fullName,
                username + "@example.org", "PROJECT.MEMBER", null, null));
    }

    private static String ouPath(WaldurOfferingUser u, String action) {
        return "marketplace-offering-users/" + u.uuid() + "/" + (action.isEmpty() ? "" : action + "/");
    }

    private static String detail(HttpResponse<String> r) {
        return Json.read(r.body()).path("detail").asText();
    }

    @Nested
    class OfferingUsers {

        @Test
        void usernameGenerationGoesRequestedCreatingOkAndTheTeamFollows() throws Exception {
            WaldurTeamMember alice = member("alice", "Alice Smith");
            WaldurOfferingUser ou = waldur.newOfferingUser(offering, alice).create();
            assertThat(ou.state()).isEqualTo("Requested");
            assertThat(ou.userUsername()).isEqualTo("alice");

            JsonNode requested = http.getJson("marketplace-offering-users/?offering_uuid=" + offering.uuid()
                    + "&state=OK&state=Requested&is_restricted=false");
            assertThat(requested).singleElement().satisfies(n -> {
                assertThat(n.get("uuid").asText()).isEqualTo(ou.uuid());
                assertThat(n.get("username").isNull()).isTrue();
                assertThat(n.get("state").asText()).isEqualTo("Requested");
                assertThat(n.get("user_email").asText()).isEqualTo("alice@example.org");
                assertThat(n.get("user_first_name").asText()).isEqualTo("Alice");
            });
            JsonNode team = http.getJson("marketplace-provider-resources/" + resource.uuid() + "/team/");
            assertThat(team.get(0).get("offering_user_state").asText()).isEqualTo("Requested");
            assertThat(team.get(0).get("offering_user_username").isNull()).isTrue();

            assertThat(http.post(ouPath(ou, "begin_creating"), null).statusCode()).isEqualTo(200);
            assertThat(waldur.offeringUser(ou.uuid()).state()).isEqualTo("Creating");

            HttpResponse<String> patched = http.patch(ouPath(ou, ""), "{\"username\": \"asmith\"}");
            assertThat(patched.statusCode()).isEqualTo(200);
            assertThat(Json.read(patched.body()).get("username").asText()).isEqualTo("asmith");
            // OfferingUser.save(): a new username moves a user in the creation flow to OK by itself
            assertThat(Json.read(patched.body()).get("state").asText()).isEqualTo("OK");

            // ... so the set_ok the Python agent sends next is a 400 it ignores (sync_detailed)
            HttpResponse<String> setOk = http.post(ouPath(ou, "set_ok"), null);
            assertThat(setOk.statusCode()).isEqualTo(400);
            assertThat(detail(setOk)).isEqualTo("Cannot transition to OK from current state: 5. Valid states for "
                    + "operation: Requested, Creating, Pending additional validation, Pending account linking, "
                    + "Error creating, Error deleting.");

            assertThat(waldur.team(resource)).singleElement().satisfies(m -> {
                assertThat(m.offeringUserUsername()).isEqualTo("asmith");
                assertThat(m.offeringUserState()).isEqualTo("OK");
            });
            JsonNode teamAfter = http.getJson("marketplace-provider-resources/" + resource.uuid() + "/team/");
            assertThat(teamAfter.get(0).get("offering_user_username").asText()).isEqualTo("asmith");
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void setOkWithoutUsernameAndIllegalTransitionsAre400WithWaldursMessage() throws Exception {
            WaldurOfferingUser ou = waldur.newOfferingUser(offering, member("bob", "Bob B")).create();
            assertThat(http.post(ouPath(ou, "begin_creating"), null).statusCode()).isEqualTo(200);

            HttpResponse<String> again = http.post(ouPath(ou, "begin_creating"), null);
            assertThat(again.statusCode()).isEqualTo(400);
            assertThat(detail(again)).isEqualTo("Cannot transition to CREATING from current state: 2. "
                    + "Valid states for operation: Requested, Error creating.");

            assertThat(http.post(ouPath(ou, "set_ok"), null).statusCode()).isEqualTo(200);
            assertThat(waldur.offeringUser(ou.uuid()).state()).isEqualTo("OK");
            assertThat(waldur.offeringUser(ou.uuid()).username()).isNull();

            HttpResponse<String> linking = http.post(ouPath(ou, "set_pending_account_linking"), "{}");
            assertThat(linking.statusCode()).isEqualTo(400);
            assertThat(detail(linking)).startsWith("Cannot transition to PENDING_ACCOUNT_LINKING from current state: 5.");
            assertThat(waldur.offeringUser(ou.uuid()).state()).isEqualTo("OK");
        }

        @Test
        void concurrentBeginCreatingLetsExactlyOneWin() {
            WaldurOfferingUser ou = waldur.newOfferingUser(offering, member("gina", "Gina G")).create();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                calls.add(http.postAsync(ouPath(ou, "begin_creating"), null));
            }
            List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 400).hasSize(11);
            assertThat(waldur.offeringUser(ou.uuid()).state()).isEqualTo("Creating");
        }

        @Test
        void aMethodWaldurHasButTheFakeLacksIs501() throws Exception {
            assumeTrue(waldur.contract().isAvailable());
            WaldurOfferingUser ou = waldur.newOfferingUser(offering, member("hal", "Hal H")).create();
            HttpResponse<String> r = http.send("DELETE", ouPath(ou, ""), null);
            assertThat(r.statusCode()).isEqualTo(501);
            assertThat(r.body()).contains("does not implement DELETE /api/marketplace-offering-users/{uuid}/");
            assertThat(waldur.offeringUsers()).extracting(WaldurOfferingUser::uuid).contains(ou.uuid());
        }

        @Test
        void pendingStatesStoreTheServiceProviderComment() throws Exception {
            WaldurOfferingUser ou = waldur.newOfferingUser(offering, member("carol", "Carol C"))
                    .state("Creating").create();

            assertThat(http.post(ouPath(ou, "set_pending_account_linking"),
                    "{\"comment\": \"Link your account\", \"comment_url\": \"https://idm.example.org/link\"}")
                    .statusCode()).isEqualTo(200);
            WaldurOfferingUser linking = waldur.offeringUser(ou.uuid());
            assertThat(linking.state()).isEqualTo("Pending account linking");
            assertThat(linking.serviceProviderComment()).isEqualTo("Link your account");

            assertThat(http.post(ouPath(ou, "set_pending_additional_validation"), "{\"comment\": \"Upload ID\"}")
                    .statusCode()).isEqualTo(200);
            JsonNode json = http.getJson(ouPath(ou, ""));
            assertThat(json.get("state").asText()).isEqualTo("Pending additional validation");
            assertThat(json.get("service_provider_comment").asText()).isEqualTo("Upload ID");
            // an absent field keeps the previous value
            assertThat(json.get("service_provider_comment_url").asText()).isEqualTo("https://idm.example.org/link");

            // a username resolves the pending state, like Waldur's save()
            http.patch(ouPath(ou, ""), "{\"username\": \"carol\"}");
            assertThat(waldur.offeringUser(ou.uuid()).state()).isEqualTo("OK");
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void bodiesOutsideTheSchemaAreContractViolations() throws Exception {
            assumeTrue(waldur.contract().isAvailable());
            WaldurOfferingUser ou = waldur.newOfferingUser(offering, member("dave", "Dave D")).create();

            HttpResponse<String> state = http.patch(ouPath(ou, ""), "{\"state\": \"OK\"}");
            assertThat(state.statusCode()).isEqualTo(400);
            HttpResponse<String> nullUrl = http.post(ouPath(ou, "set_pending_account_linking"),
                    "{\"comment\": \"x\", \"comment_url\": null}");
            assertThat(nullUrl.statusCode()).isEqualTo(400);

            assertThat(waldur.contractViolations()).extracting(ContractViolation::kind)
                    .containsOnly(ContractViolation.Kind.REQUEST_BODY).hasSize(2);
            assertThat(waldur.offeringUser(ou.uuid()).state()).isEqualTo("Requested");
        }

        @Test
        void listFiltersLikeWaldursOfferingUserFilter() throws Exception {
            WaldurOffering other = waldur.newOffering(customer).name("Storage").component("gb", "limit", 1)
                    .pluginOption("service_provider_can_create_offering_user", true).create();
            WaldurTeamMember alice = member("alice", "Alice Smith");
            WaldurTeamMember bob = member("Bob", "Bob Jones");
            WaldurOfferingUser a = waldur.newOfferingUser(offering, alice).username("asmith").state("OK").create();
            WaldurOfferingUser b = waldur.newOfferingUser(offering, bob).restricted(true).create();
            WaldurOfferingUser c = waldur.newOfferingUser(other, alice).username("alice-st").state("OK").create();

            String o = "marketplace-offering-users/?offering_uuid=";
            assertThat(uuids(http.getJson(o + offering.uuid()))).containsExactly(a.uuid(), b.uuid());
            // explode=false: several offerings comma-separated; ordered by username, NULL last
            assertThat(uuids(http.getJson(o + offering.uuid() + "," + other.uuid())))
                    .containsExactly(c.uuid(), a.uuid(), b.uuid());
            assertThat(uuids(http.getJson(o + offering.uuid() + "&user_uuid=" + alice.uuid()))).containsExactly(a.uuid());
            // user_username is case-insensitive (iexact)
            assertThat(uuids(http.getJson("marketplace-offering-users/?user_username=bob"))).containsExactly(b.uuid());
            assertThat(uuids(http.getJson(o + offering.uuid() + "&is_restricted=true"))).containsExactly(b.uuid());
            assertThat(uuids(http.getJson("marketplace-offering-users/?state=Requested&state=Creating")))
                    .containsExactly(b.uuid());
            // query searches offering name, username and the user's names: not the offering uuid
            assertThat(uuids(http.getJson("marketplace-offering-users/?query=storage"))).containsExactly(c.uuid());
            assertThat(uuids(http.getJson("marketplace-offering-users/?query=JONES"))).containsExactly(b.uuid());
            assertThat(http.getJson("marketplace-offering-users/?user_username=alice&query=" + offering.uuid()))
                    .isEmpty();
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void listIsPaginated() throws Exception {
            Set<String> created = new HashSet<>();
            for (int i = 0; i < 13; i++) {
                created.add(waldur.newOfferingUser(offering, member("user" + i, "User " + i))
                        .username(String.format("u%02d", i)).state("OK").create().uuid());
            }
            String first = "marketplace-offering-users/?offering_uuid=" + offering.uuid() + "&page_size=5";
            HttpResponse<String> page1 = http.get(first);
            assertThat(page1.headers().firstValue("X-Result-Count")).hasValue("13");
            assertThat(Json.read(page1.body())).hasSize(5);
            assertThat(page1.headers().firstValue("Link").orElseThrow()).contains("page=2").contains("rel=\"next\"");

            List<String> seen = new ArrayList<>();
            for (int page = 1; page <= 3; page++) {
                seen.addAll(uuids(http.getJson(first + "&page=" + page)));
            }
            assertThat(seen).hasSize(13).containsExactlyInAnyOrderElementsOf(created);
            assertThat(http.get(first + "&page=4").statusCode()).isEqualTo(404);
        }

        @Test
        void offeringsThatDoNotLetTheProviderCreateOfferingUsersHideThem() throws Exception {
            WaldurOffering closed = waldur.newOffering(customer).name("Closed").component("cpu", "limit", 1).create();
            WaldurOfferingUser hidden = waldur.newOfferingUser(closed, member("eve", "Eve E")).create();

            assertThat(http.getJson("marketplace-offering-users/?offering_uuid=" + closed.uuid())).isEmpty();
            HttpResponse<String> get = http.get(ouPath(hidden, ""));
            assertThat(get.statusCode()).isEqualTo(404);
            assertThat(detail(get)).isEqualTo("No OfferingUser matches the given query.");
            assertThat(http.post(ouPath(hidden, "begin_creating"), null).statusCode()).isEqualTo(404);
            assertThat(waldur.offeringUser(hidden.uuid()).state()).isEqualTo("Requested");
        }

        @Test
        void teamMemberFixtureCreatesTheOfferingUserOnceAndNeverOverwritesIt() throws Exception {
            WaldurTeamMember frank = waldur.addTeamMember(resource, "frank", "Frank F");
            WaldurOfferingUser ou = waldur.offeringUser(offering, frank.uuid()).orElseThrow();
            assertThat(ou.username()).isEqualTo("frank");
            assertThat(ou.state()).isEqualTo("OK");

            waldur.updateOfferingUser(ou.uuid(), b -> b.state("Requested deletion"));
            waldur.addTeamMember(resource, frank.withRole("PROJECT.ADMIN"));
            assertThat(waldur.offeringUser(ou.uuid()).state()).isEqualTo("Requested deletion");
            assertThat(waldur.team(resource)).singleElement()
                    .satisfies(m -> assertThat(m.offeringUserState()).isEqualTo("Requested deletion"));

            assertThatThrownBy(() -> waldur.newOfferingUser(offering, frank).create())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has offering user");
            assertThatThrownBy(() -> waldur.newOfferingUser(offering, "0123456789abcdef0123456789abcdef")
                    .state("Active").create()).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void pluginOptionsAreReadableAlone() throws Exception {
            JsonNode options = http.getJson("marketplace-provider-offerings/" + offering.uuid() + "/?field=plugin_options");
            assertThat(options.size()).isEqualTo(1);
            assertThat(options.get("plugin_options").get("username_generation_policy").asText())
                    .isEqualTo("service_provider");
            assertThat(options.get("plugin_options").get("service_provider_can_create_offering_user").asBoolean())
                    .isTrue();
        }
    }

    @Nested
    class Accounts {

        private String serviceProvider() throws Exception {
            return http.getJson("marketplace-service-providers/?customer_uuid=" + customer.uuid())
                    .get(0).get("uuid").asText();
        }

        @Test
        void serviceAccountsOfServedProjectsAreListedAndFiltered() throws Exception {
            String sp = serviceProvider();
            WaldurServiceAccount ok = waldur.addServiceAccount(project, "svc-ok", "OK");
            WaldurServiceAccount closed = waldur.addServiceAccount(project, "svc-closed", "Closed");
            WaldurProject unserved = waldur.addProject(customer, "Chemistry", "chemistry");
            waldur.addServiceAccount(unserved, "svc-other", "OK");

            String base = "marketplace-service-providers/" + sp + "/project_service_accounts/";
            JsonNode all = http.getJson(base);
            assertThat(uuids(all)).containsExactly(ok.uuid(), closed.uuid());
            assertThat(all.get(0).get("project_uuid").asText()).isEqualTo(project.uuid());
            assertThat(all.get(0).get("state").asText()).isEqualTo("OK");
            assertThat(uuids(http.getJson(base + "?username=svc-closed"))).containsExactly(closed.uuid());
            assertThat(uuids(http.getJson(base + "?project_uuid=" + project.uuid() + "&state=Closed")))
                    .containsExactly(closed.uuid());
            assertThat(http.getJson(base + "?project_uuid=" + unserved.uuid())).isEmpty();

            // a project stops being served when its last resource of the provider is terminated
            waldur.updateResource(resource.uuid(), b -> b.state("Terminated"));
            assertThat(http.getJson(base)).isEmpty();
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void courseAccountsAreListedAndChangeState() throws Exception {
            String sp = serviceProvider();
            WaldurCourseAccount course = waldur.addCourseAccount(project, "student1", "OK");
            String base = "marketplace-service-providers/" + sp + "/course_accounts/";

            JsonNode list = http.getJson(base + "?username=student1");
            assertThat(list).singleElement().satisfies(n -> {
                assertThat(n.get("uuid").asText()).isEqualTo(course.uuid());
                assertThat(n.get("user_uuid").asText()).isEqualTo(course.userUuid());
                assertThat(n.get("project_slug").asText()).isEqualTo("physics");
            });
            waldur.setCourseAccountState(course.uuid(), "Closed");
            assertThat(http.getJson(base + "?state=OK")).isEmpty();
            assertThat(uuids(http.getJson(base + "?state=Closed"))).containsExactly(course.uuid());

            assertThat(http.get("marketplace-service-providers/0123456789abcdef0123456789abcdef/course_accounts/")
                    .statusCode()).isEqualTo(404);
        }

        @Test
        void accountListsArePaginatedAndRejectUndeclaredFilters() throws Exception {
            String sp = serviceProvider();
            for (int i = 0; i < 12; i++) {
                waldur.addServiceAccount(project, "svc-" + i, "OK");
            }
            String base = "marketplace-service-providers/" + sp + "/project_service_accounts/?page_size=5";
            HttpResponse<String> page3 = http.get(base + "&page=3");
            assertThat(page3.headers().firstValue("X-Result-Count")).hasValue("12");
            assertThat(Json.read(page3.body())).extracting(n -> n.get("username").asText())
                    .containsExactly("svc-10", "svc-11");
            assertThat(page3.headers().firstValue("Link").orElseThrow()).contains("rel=\"prev\"")
                    .doesNotContain("rel=\"next\"");

            assumeTrue(waldur.contract().isAvailable());
            assertThat(http.get(base + "&user_uuid=" + project.uuid()).statusCode()).isEqualTo(400);
            assertThat(waldur.contractViolations()).singleElement()
                    .satisfies(v -> assertThat(v.message()).contains("undeclared query parameter 'user_uuid'"));
        }
    }

    @Nested
    class PerUserLimits {

        @Test
        void limitsAreFoundByResourceAndOfferingUsername() throws Exception {
            WaldurTeamMember alice = member("alice", "Alice Smith");
            WaldurOfferingUser ou = waldur.newOfferingUser(offering, alice).username("asmith").state("OK").create();
            WaldurOfferingUser other = waldur.newOfferingUser(offering, member("bob", "Bob B"))
                    .username("bob").state("OK").create();
            waldur.addComponentUserLimit(resource, ou, "cpu", 100.5);
            waldur.addComponentUserLimit(resource, other, "cpu", 7);

            JsonNode limits = http.getJson("component-user-usage-limits/?resource_uuid=" + resource.uuid()
                    + "&username=asmith");
            assertThat(limits).singleElement().satisfies(n -> {
                assertThat(n.get("component_type").asText()).isEqualTo("cpu");
                assertThat(n.get("limit").asText()).isEqualTo("100.50");
                assertThat(n.get("user").asText()).isEqualTo(waldur.apiUrl() + "marketplace-offering-users/"
                        + ou.uuid() + "/");
                assertThat(n.get("component").asText()).matches("[0-9a-f]{32}");
            });
            // the filter is on the offering user's username, not the Waldur username
            assertThat(http.getJson("component-user-usage-limits/?resource_uuid=" + resource.uuid()
                    + "&username=alice")).isEmpty();
            assertThat(http.getJson("component-user-usage-limits/?component_type=cpu")).hasSize(2);
            assertThat(waldur.contractViolations()).isEmpty();

            assumeTrue(waldur.contract().isAvailable());
            assertThat(http.get("component-user-usage-limits/?user_username=asmith").statusCode()).isEqualTo(400);
            assertThatThrownBy(() -> waldur.addComponentUserLimit(resource, ou, "gpu", 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void responsesOfTheNewEndpointsConformToTheSchema() throws Exception {
        assumeTrue(waldur.contract().isAvailable());
        WaldurOfferingUser ou = waldur.newOfferingUser(offering, member("alice", "Alice Smith"))
                .username("asmith").state("Pending account linking").comment("c", "https://x.example/y").create();
        waldur.addComponentUserLimit(resource, ou, "mem", 3);
        waldur.addServiceAccount(project, "svc", "Erred");
        waldur.addCourseAccount(project, "student", "OK");
        String sp = http.getJson("marketplace-service-providers/").get(0).get("uuid").asText();
        List<String> paths = List.of(
                "marketplace-offering-users/?offering_uuid=" + offering.uuid(),
                ouPath(ou, ""),
                "marketplace-service-providers/" + sp + "/project_service_accounts/",
                "marketplace-service-providers/" + sp + "/course_accounts/",
                "component-user-usage-limits/");
        for (String path : paths) {
            HttpResponse<String> r = http.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(Json.read(r.body()).isEmpty()).as(path).isFalse();
            String rawPath = URI.create(waldur.apiUrl() + path).getRawPath();
            assertThat(waldur.contract().validateResponse("GET", rawPath, 200, r.body().getBytes())).as(path).isEmpty();
        }
        // the check is able to fail
        assertThat(waldur.contract().validateResponse("GET", "/api/" + ouPath(ou, ""), 200,
                "{\"state\": \"Active\", \"is_restricted\": \"no\"}".getBytes())).hasSize(2);
    }

    private static List<String> uuids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.get("uuid").asText()));
        return out;
    }
}
