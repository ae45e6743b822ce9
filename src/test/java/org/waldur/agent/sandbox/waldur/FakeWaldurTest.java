package org.waldur.agent.sandbox.waldur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FakeWaldurTest {

    private static final String UA = "waldur-site-agent-event_process/0.0-test";

    private FakeWaldur waldur;
    private Http http;
    private WaldurCustomer customer;
    private WaldurProject project;
    private WaldurOffering offering;

    @BeforeEach
    void setUp() {
        waldur = FakeWaldur.start();
        http = new Http(waldur.apiUrl(), waldur.token());
        customer = waldur.addCustomer("Uni Tartu", "uni-tartu");
        project = waldur.addProject(customer, "Physics", "physics");
        offering = waldur.newOffering(customer)
                .name("HPC")
                .component(new WaldurComponent("cpu", "CPU", "limit", "k-Hours", 60000, null))
                .component("mem", "limit", 61440)
                .pluginOption("username_generation_policy", "service_provider")
                .pluginOption("service_provider_can_create_offering_user", true)
                .create();
    }

    @AfterEach
    void tearDown() {
        // every scenario below must leave the fake's own answers schema-conformant
        assertThat(waldur.responseViolations()).isEmpty();
        waldur.close();
    }

    private WaldurResource resource(String slug) {
        return waldur.newResource(offering, project).name("Alloc " + slug).slug(slug).limit("cpu", 5).create();
    }

    private String orderPath(WaldurOrder order, String action) {
        return "marketplace-orders/" + order.uuid() + "/" + (action.isEmpty() ? "" : action + "/");
    }

    @Nested
    class OrderStateMachine {

        @Test
        void createOrderGoesThroughApprovalToDoneAndMakesTheResourceOk() throws Exception {
            WaldurResource resource = resource("alloc-1");
            WaldurOrder order = waldur.newOrder(resource).type("Create").limit("cpu", 10).create();

            JsonNode fetched = http.getJson(orderPath(order, ""));
            assertThat(fetched.get("state").asText()).isEqualTo("pending-provider");
            assertThat(fetched.get("marketplace_resource_uuid").asText()).isEqualTo(resource.uuid());
            assertThat(fetched.get("project_slug").asText()).isEqualTo("physics");
            assertThat(fetched.get("customer_slug").asText()).isEqualTo("uni-tartu");
            assertThat(fetched.get("limits").get("cpu").asInt()).isEqualTo(10);

            assertThat(http.post(orderPath(order, "approve_by_provider"), "{}").statusCode()).isEqualTo(200);
            assertThat(waldur.order(order.uuid()).state()).isEqualTo("executing");
            assertThat(http.post(orderPath(order, "set_state_done"), null).statusCode()).isEqualTo(200);

            assertThat(waldur.order(order.uuid()).state()).isEqualTo("done");
            assertThat(waldur.resource(resource.uuid()).state()).isEqualTo("OK");
            assertThat(http.getJson(orderPath(order, "")).get("state").asText()).isEqualTo("done");
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void approvingTwiceOrFinishingAPendingOrderIsAConflict() throws Exception {
            WaldurOrder order = waldur.newOrder(resource("alloc-2")).create();

            HttpResponse<String> early = http.post(orderPath(order, "set_state_done"), null);
            assertThat(early.statusCode()).isEqualTo(409);
            assertThat(Json.read(early.body()).get("detail").asText())
                    .isEqualTo("Valid states for operation: executing.");

            assertThat(http.post(orderPath(order, "approve_by_provider"), "{}").statusCode()).isEqualTo(200);
            HttpResponse<String> again = http.post(orderPath(order, "approve_by_provider"), "{}");
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(Json.read(again.body()).get("detail").asText())
                    .isEqualTo("Valid states for operation: pending-provider.");
            assertThat(waldur.order(order.uuid()).state()).isEqualTo("executing");
        }

        @Test
        void erredOrderKeepsTheMessageAndCannotBeErredOrFinishedAgain() throws Exception {
            WaldurResource resource = resource("alloc-3");
            WaldurOrder order = waldur.newOrder(resource).state("executing").create();

            HttpResponse<String> erred = http.post(orderPath(order, "set_state_erred"),
                    "{\"error_message\": \"sacctmgr failed\", \"error_traceback\": \"Traceback...\"}");
            assertThat(erred.statusCode()).isEqualTo(200);

            WaldurOrder stored = waldur.order(order.uuid());
            assertThat(stored.state()).isEqualTo("erred");
            assertThat(stored.errorMessage()).isEqualTo("sacctmgr failed");
            assertThat(stored.errorTraceback()).isEqualTo("Traceback...");
            assertThat(http.getJson(orderPath(order, "")).get("error_message").asText()).isEqualTo("sacctmgr failed");
            assertThat(waldur.resource(resource.uuid()).state()).isEqualTo("Erred");

            assertThat(http.post(orderPath(order, "set_state_erred"), "{}").statusCode()).isEqualTo(409);
            assertThat(http.post(orderPath(order, "set_state_done"), null).statusCode()).isEqualTo(409);
        }

        @Test
        void updateAppliesLimitsAndTerminateTerminatesTheResource() throws Exception {
            WaldurResource resource = waldur.updateResource(resource("alloc-4").uuid(), b -> b.state("OK"));
            WaldurOrder update = waldur.newOrder(resource).type("Update").limit("cpu", 42).create();
            http.post(orderPath(update, "approve_by_provider"), "{}");
            assertThat(waldur.resource(resource.uuid()).state()).isEqualTo("Updating");
            http.post(orderPath(update, "set_state_done"), null);
            assertThat(waldur.resource(resource.uuid()).limits()).containsEntry("cpu", 42);
            assertThat(waldur.resource(resource.uuid()).state()).isEqualTo("OK");

            WaldurOrder terminate = waldur.newOrder(resource).type("Terminate").create();
            http.post(orderPath(terminate, "approve_by_provider"), "{}");
            assertThat(waldur.resource(resource.uuid()).state()).isEqualTo("Terminating");
            http.post(orderPath(terminate, "set_state_done"), null);
            assertThat(waldur.resource(resource.uuid()).state()).isEqualTo("Terminated");
        }

        @Test
        void unknownOrderIs404LikeDjango() throws Exception {
            HttpResponse<String> r = http.get("marketplace-orders/0123456789abcdef0123456789abcdef/");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(Json.read(r.body()).get("detail").asText()).isEqualTo("No Order matches the given query.");
        }

        @Test
        void concurrentApprovalsLetExactlyOneWin() {
            WaldurOrder order = waldur.newOrder(resource("alloc-5")).create();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(http.postAsync(orderPath(order, "approve_by_provider"), "{}"));
            }
            List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();

            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(15);
            assertThat(waldur.count("POST", "/api/marketplace-orders/.*/approve_by_provider/")).isEqualTo(16);
        }
    }

    @Nested
    class Resources {

        @Test
        void agentReportingCallsChangeTheResource() throws Exception {
            WaldurResource resource = resource("alloc-6");
            String base = "marketplace-provider-resources/" + resource.uuid() + "/";

            HttpResponse<String> first = http.post(base + "set_backend_id/", "{\"backend_id\": \"hpc_alloc_6\"}");
            assertThat(Json.read(first.body()).get("status").asText()).isEqualTo("Resource backend_id has been changed.");
            HttpResponse<String> second = http.post(base + "set_backend_id/", "{\"backend_id\": \"hpc_alloc_6\"}");
            assertThat(Json.read(second.body()).get("status").asText()).isEqualTo("Resource backend_id is not changed.");

            assertThat(http.post(base + "set_limits/", "{\"limits\": {\"cpu\": 7, \"mem\": 3}}").statusCode()).isEqualTo(200);
            assertThat(http.post(base + "set_backend_metadata/", "{\"backend_metadata\": {\"qos\": \"normal\"}}")
                    .statusCode()).isEqualTo(200);
            assertThat(http.post(base + "refresh_last_sync/", null).statusCode()).isEqualTo(200);
            assertThat(http.post(base + "set_as_erred/", "{\"error_message\": \"gone\"}").statusCode()).isEqualTo(200);

            WaldurResource erred = waldur.resource(resource.uuid());
            assertThat(erred.backendId()).isEqualTo("hpc_alloc_6");
            assertThat(erred.limits()).containsExactly(Map.entry("cpu", 7), Map.entry("mem", 3));
            assertThat(erred.backendMetadata()).containsEntry("qos", "normal");
            assertThat(erred.lastSync()).isNotNull();
            assertThat(erred.state()).isEqualTo("Erred");
            assertThat(erred.errorMessage()).isEqualTo("gone");

            assertThat(http.post(base + "set_as_ok/", null).statusCode()).isEqualTo(200);
            assertThat(waldur.resource(resource.uuid()).state()).isEqualTo("OK");
            assertThat(waldur.resource(resource.uuid()).errorMessage()).isEmpty();

            JsonNode json = http.getJson(base);
            assertThat(json.get("backend_id").asText()).isEqualTo("hpc_alloc_6");
            assertThat(json.get("offering_plugin_options").get("username_generation_policy").asText())
                    .isEqualTo("service_provider");
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void setLimitsRejectsNonIntegersLikeTheSerializer() throws Exception {
            WaldurResource resource = resource("alloc-7");
            HttpResponse<String> r = http.post("marketplace-provider-resources/" + resource.uuid() + "/set_limits/",
                    "{\"limits\": {\"cpu\": \"lots\"}}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(Json.read(r.body()).has("limits")).isTrue();
            assertThat(waldur.resource(resource.uuid()).limits()).containsExactly(Map.entry("cpu", 5));
        }

        @Test
        void teamListsProjectUsersWithoutPagination() throws Exception {
            WaldurResource resource = resource("alloc-8");
            waldur.addTeamMember(resource, "alice", "Alice A");
            waldur.addTeamMember(resource, "bob", "Bob B");

            HttpResponse<String> r = http.get("marketplace-provider-resources/" + resource.uuid() + "/team/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Link")).isEmpty();
            JsonNode team = Json.read(r.body());
            assertThat(team).extracting(n -> n.get("offering_user_username").asText()).containsExactly("alice", "bob");
            assertThat(team.get(0).get("offering_user_state").asText()).isEqualTo("OK");

            JsonNode offeringUsers = http.getJson("marketplace-offering-users/?offering_uuid=" + offering.uuid()
                    + "&is_restricted=false");
            assertThat(offeringUsers).extracting(n -> n.get("username").asText()).containsExactly("alice", "bob");
        }

        @Test
        void listFiltersByOfferingAndRepeatedState() throws Exception {
            resource("a1");
            WaldurResource ok = waldur.updateResource(resource("a2").uuid(), b -> b.state("OK"));
            WaldurResource erred = waldur.updateResource(resource("a3").uuid(), b -> b.state("Erred"));

            JsonNode list = http.getJson("marketplace-provider-resources/?offering_uuid=" + offering.uuid()
                    + "&state=OK&state=Erred");
            assertThat(list).extracting(n -> n.get("uuid").asText()).containsExactly(ok.uuid(), erred.uuid());

            JsonNode none = http.getJson("marketplace-provider-resources/?offering_uuid=0123456789abcdef0123456789abcdef");
            assertThat(none).isEmpty();
        }

        @Test
        void listFiltersCombineWithFieldSelectionAndPaging() throws Exception {
            WaldurProject other = waldur.addProject(customer, "Chemistry", "chemistry");
            WaldurOffering storage = waldur.newOffering(customer).name("Storage").component("gb", "limit", 1).create();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                String state = i % 3 == 0 ? "Erred" : i % 3 == 1 ? "OK" : "Creating";
                WaldurResource r = waldur.newResource(i < 6 ? offering : storage, project).slug("r" + i)
                        .state(state).create();
                if (!state.equals("Creating")) {
                    expected.add(r.uuid());
                }
            }
            waldur.newResource(offering, other).state("OK").create();

            String base = "marketplace-provider-resources/?offering_uuid=" + offering.uuid() + "," + storage.uuid()
                    + "&state=OK&state=Erred&project_uuid=" + project.uuid() + "&field=uuid&field=state&page_size=4";
            HttpResponse<String> page1 = http.get(base);
            assertThat(page1.headers().firstValue("X-Result-Count")).hasValue("6");
            JsonNode first = Json.read(page1.body());
            assertThat(first).hasSize(4).allSatisfy(n -> assertThat(n.size()).isEqualTo(2));
            JsonNode second = http.getJson(base + "&page=2");
            List<String> seen = new ArrayList<>();
            first.forEach(n -> seen.add(n.get("uuid").asText()));
            second.forEach(n -> seen.add(n.get("uuid").asText()));
            assertThat(seen).containsExactlyElementsOf(expected);
            assertThat(second.get(0).has("backend_id")).isFalse();
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void setAsOkIsANoOpOnOkAndAServerErrorOnTerminated() throws Exception {
            WaldurResource ok = waldur.updateResource(resource("ok-1").uuid(),
                    b -> b.state("OK").errorMessage("old note"));
            String base = "marketplace-provider-resources/" + ok.uuid() + "/";
            assertThat(http.post(base + "set_as_ok/", null).statusCode()).isEqualTo(200);
            // Waldur only logs "already in OK state": nothing changes
            assertThat(waldur.resource(ok.uuid())).isEqualTo(ok);

            WaldurResource gone = waldur.updateResource(resource("gone-1").uuid(), b -> b.state("Terminated"));
            HttpResponse<String> r = http.post("marketplace-provider-resources/" + gone.uuid() + "/set_as_ok/", null);
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(waldur.resource(gone.uuid()).state()).isEqualTo("Terminated");
        }

        @Test
        void refreshLastSyncMovesLastSyncForwardAndSetAsErredKeepsTheTraceback() throws Exception {
            java.time.Instant past = java.time.Instant.parse("2024-01-01T00:00:00Z");
            WaldurResource r = waldur.updateResource(resource("sync-1").uuid(), b -> b.state("OK").lastSync(past));
            String base = "marketplace-provider-resources/" + r.uuid() + "/";
            assertThat(http.getJson(base).get("last_sync").asText()).isEqualTo("2024-01-01T00:00:00Z");

            assertThat(http.post(base + "refresh_last_sync/", null).statusCode()).isEqualTo(200);
            assertThat(waldur.resource(r.uuid()).lastSync()).isAfter(past);

            assertThat(http.post(base + "set_as_erred/", "{\"error_message\": \"sacctmgr: timeout\","
                    + " \"error_traceback\": \"Traceback (most recent call last): ...\"}").statusCode()).isEqualTo(200);
            WaldurResource erred = waldur.resource(r.uuid());
            assertThat(erred.state()).isEqualTo("Erred");
            assertThat(erred.errorTraceback()).startsWith("Traceback");
            // an empty message leaves the previous one, like Waldur's "if validated_data.get(...)"
            http.post(base + "set_as_erred/", "{\"error_message\": \"\"}");
            assertThat(waldur.resource(r.uuid()).errorMessage()).isEqualTo("sacctmgr: timeout");

            assertThat(http.post(base + "set_backend_metadata/", "{\"qos\": \"normal\"}").statusCode()).isEqualTo(400);
            assertThat(waldur.resource(r.uuid()).backendMetadata()).isEmpty();
        }

        @Test
        void aDeclaredButUnimplementedFilterIs501NotSilentlyIgnored() throws Exception {
            HttpResponse<String> r = http.get("marketplace-provider-resources/?name=x");
            assertThat(r.statusCode()).isEqualTo(501);
            assertThat(r.body()).contains("'name' filter");
        }

        @Test
        void serviceProviderOfTheOfferingCustomerIsFoundAndHasNoAccountsYet() throws Exception {
            JsonNode providers = http.getJson("marketplace-service-providers/?customer_uuid=" + customer.uuid());
            assertThat(providers).hasSize(1);
            String sp = providers.get(0).get("uuid").asText();

            HttpResponse<String> accounts = http.get("marketplace-service-providers/" + sp
                    + "/project_service_accounts/?project_uuid=" + project.uuid());
            assertThat(accounts.statusCode()).isEqualTo(200);
            assertThat(accounts.headers().firstValue("X-Result-Count")).hasValue("0");
            assertThat(http.get("marketplace-service-providers/0123456789abcdef0123456789abcdef/keys/").statusCode())
                    .isEqualTo(404);
            WaldurCustomer consumer = waldur.addCustomer("Consumer", "consumer");
            assertThat(http.getJson("marketplace-service-providers/?customer_uuid=" + consumer.uuid())).isEmpty();
        }

        @Test
        void planAndOfferingExposeQuotasAndComponents() throws Exception {
            WaldurPlan plan = waldur.addPlan(offering, "Small", Map.of("cpu", 100));
            assertThat(http.getJson("marketplace-plans/" + plan.uuid() + "/").get("quotas").get("cpu").asDouble())
                    .isEqualTo(100.0);

            JsonNode o = http.getJson("marketplace-provider-offerings/" + offering.uuid() + "/");
            assertThat(o.get("customer_uuid").asText()).isEqualTo(customer.uuid());
            assertThat(o.get("components")).extracting(c -> c.get("type").asText()).containsExactly("cpu", "mem");
            assertThat(o.get("components").get(0).get("unit_factor").asInt()).isEqualTo(60000);

            JsonNode onlyOptions = http.getJson("marketplace-provider-offerings/" + offering.uuid()
                    + "/?field=plugin_options");
            assertThat(onlyOptions.size()).isEqualTo(1);
            assertThat(onlyOptions.get("plugin_options").get("service_provider_can_create_offering_user").asBoolean())
                    .isTrue();
        }
    }

    @Nested
    class Contract {

        @BeforeEach
        void requireSchema() {
            assumeTrue(waldur.contract().isAvailable(), "OpenAPI schema not available");
        }

        @Test
        void unknownBodyFieldIsRejectedAndRecorded() throws Exception {
            WaldurResource resource = resource("c1");
            HttpResponse<String> r = http.post("marketplace-provider-resources/" + resource.uuid() + "/set_backend_id/",
                    "{\"backend_id\": \"x\", \"account\": \"x\"}");

            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("account");
            assertThat(waldur.contractViolations()).singleElement().satisfies(v -> {
                assertThat(v.kind()).isEqualTo(ContractViolation.Kind.REQUEST_BODY);
                assertThat(v.message()).contains("'account'");
            });
            assertThat(waldur.resource(resource.uuid()).backendId()).isEmpty();
        }

        @Test
        void wrongFieldTypeIsRejected() throws Exception {
            WaldurOrder order = waldur.newOrder(resource("c2")).state("executing").create();
            HttpResponse<String> r = http.post(orderPath(order, "set_state_erred"), "{\"error_message\": 42}");

            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(waldur.contractViolations()).singleElement()
                    .satisfies(v -> assertThat(v.message()).contains("$.error_message").contains("integer"));
            assertThat(waldur.order(order.uuid()).state()).isEqualTo("executing");
        }

        @Test
        void bodyOnAnOperationWithoutRequestBodyIsRejected() throws Exception {
            WaldurOrder order = waldur.newOrder(resource("c3")).state("executing").create();
            HttpResponse<String> r = http.post(orderPath(order, "set_state_done"), "{\"state\": \"done\"}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(waldur.contractViolations()).singleElement()
                    .satisfies(v -> assertThat(v.message()).contains("declares no request body"));
        }

        @Test
        void undeclaredQueryParameterAndBadEnumValueAreRejected() throws Exception {
            HttpResponse<String> r = http.get("marketplace-orders/?offering=x&states=pending-provider&state=pending");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(waldur.contractViolations()).extracting(ContractViolation::message)
                    .anySatisfy(m -> assertThat(m).contains("undeclared query parameter 'states'"))
                    .anySatisfy(m -> assertThat(m).contains("'state' value 'pending' is not one of"))
                    .anySatisfy(m -> assertThat(m).contains("'offering' value 'x' is not an absolute URI"));
        }

        @Test
        void unknownPathIs404AndWrongMethodIs405() throws Exception {
            assertThat(http.get("marketplace-orderz/").statusCode()).isEqualTo(404);
            // Waldur paths always end with a slash
            assertThat(http.get("marketplace-orders").statusCode()).isEqualTo(404);
            HttpResponse<String> put = http.send("PUT", "event-subscriptions/0123456789abcdef0123456789abcdef/", "{}");
            assertThat(put.statusCode()).isEqualTo(405);
            assertThat(put.headers().firstValue("Allow")).hasValue("DELETE, GET");

            assertThat(waldur.contractViolations()).extracting(ContractViolation::kind).containsExactly(
                    ContractViolation.Kind.UNKNOWN_PATH, ContractViolation.Kind.UNKNOWN_PATH,
                    ContractViolation.Kind.METHOD_NOT_ALLOWED);
        }

        @Test
        void formEncodedBodyIsRejectedBecauseDjangoWouldNotReadItAsJson() throws Exception {
            WaldurResource resource = resource("c4");
            HttpResponse<String> r = http.send("POST", "marketplace-provider-resources/" + resource.uuid()
                    + "/set_backend_id/", "{\"backend_id\": \"x\"}", "text/plain");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(waldur.contractViolations()).singleElement()
                    .satisfies(v -> assertThat(v.message()).contains("Content-Type"));
        }

        @Test
        void pathTemplatesAreDistinguishedFromLiteralSegments() throws Exception {
            // "/api/marketplace-provider-resources/{uuid}/team/" must not swallow "{uuid}/" lookups
            HttpResponse<String> r = http.get("marketplace-provider-resources/not-a-uuid/");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(waldur.contractViolations()).singleElement()
                    .satisfies(v -> assertThat(v.kind()).isEqualTo(ContractViolation.Kind.PATH_PARAMETER));
        }

        @Test
        void responsesConformToTheResponseSchemas() throws Exception {
            WaldurResource resource = resource("c5");
            waldur.addTeamMember(resource, "alice", "Alice A");
            WaldurOrder order = waldur.newOrder(resource).create();
            WaldurPlan plan = waldur.addPlan(offering, "Small", Map.of("cpu", 1.5));
            OpenApiContract contract = waldur.contract();
            List<String> paths = List.of(
                    orderPath(order, ""),
                    "marketplace-orders/?offering_uuid=" + offering.uuid(),
                    "marketplace-provider-resources/" + resource.uuid() + "/",
                    "marketplace-provider-resources/" + resource.uuid() + "/team/",
                    "marketplace-plans/" + plan.uuid() + "/",
                    "marketplace-provider-offerings/" + offering.uuid() + "/",
                    "marketplace-service-providers/?customer_uuid=" + customer.uuid(),
                    "users/me/");
            for (String path : paths) {
                HttpResponse<String> r = http.get(path);
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                String rawPath = URI.create(waldur.apiUrl() + path).getRawPath();
                assertThat(contract.validateResponse("GET", rawPath, 200, r.body().getBytes())).as(path).isEmpty();
            }
            // and the check is able to fail
            String bad = "{\"uuid\": \"" + order.uuid() + "\", \"state\": \"finished\", \"limits\": {\"cpu\": \"1\"}}";
            assertThat(contract.validateResponse("GET", "/api/" + orderPath(order, ""), 200, bad.getBytes()))
                    .hasSize(2);
        }
    }

    @Nested
    class Auth {

        @Test
        void missingOrWrongTokenIs401AndChangesNothing() throws Exception {
            WaldurOrder order = waldur.newOrder(resource("auth")).create();
            Http anonymous = new Http(waldur.apiUrl(), null);
            Http wrong = new Http(waldur.apiUrl(), "not-the-token");

            HttpResponse<String> none = anonymous.post(orderPath(order, "approve_by_provider"), "{}");
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(Json.read(none.body()).get("detail").asText())
                    .isEqualTo("Authentication credentials were not provided.");
            HttpResponse<String> bad = wrong.post(orderPath(order, "approve_by_provider"), "{}");
            assertThat(bad.statusCode()).isEqualTo(401);
            assertThat(Json.read(bad.body()).get("detail").asText()).isEqualTo("Invalid token.");

            assertThat(waldur.order(order.uuid()).state()).isEqualTo("pending-provider");
        }

        @Test
        void userAgentOfEveryRequestIsRecorded() throws Exception {
            http.get("users/me/");
            http.get("version/");
            assertThat(waldur.userAgents()).containsExactly(UA);
            assertThat(waldur.requests()).extracting(RecordedRequest::path)
                    .containsExactly("/api/users/me/", "/api/version/");
            waldur.resetRequests();
            assertThat(waldur.requests()).isEmpty();
        }
    }

    @Nested
    class Paging {

        @Test
        void listsArePagedWithLinkHeaderAndResultCount() throws Exception {
            WaldurResource resource = resource("paged");
            Set<String> created = new HashSet<>();
            for (int i = 0; i < 25; i++) {
                created.add(waldur.newOrder(resource).create().uuid());
            }
            waldur.newOrder(resource).state("done").create();

            String first = "marketplace-orders/?offering_uuid=" + offering.uuid()
                    + "&state=pending-provider&state=executing&page_size=10";
            HttpResponse<String> page1 = http.get(first);
            assertThat(page1.headers().firstValue("X-Result-Count")).hasValue("25");
            assertThat(Json.read(page1.body())).hasSize(10);
            String link = page1.headers().firstValue("Link").orElseThrow();
            assertThat(rel(link, "next")).endsWith("page_size=10&page=2");
            assertThat(rel(link, "last")).endsWith("page=3");
            assertThat(rel(link, "prev")).isNull();

            // follow rel="next" the way the SDK's all-pages helper does
            Set<String> seen = new HashSet<>();
            String url = waldur.apiUrl() + first;
            int pages = 0;
            while (url != null) {
                HttpResponse<String> page = http.getAbsolute(url);
                Json.read(page.body()).forEach(o -> seen.add(o.get("uuid").asText()));
                url = rel(page.headers().firstValue("Link").orElse(""), "next");
                pages++;
            }
            assertThat(pages).isEqualTo(3);
            assertThat(seen).isEqualTo(created);

            HttpResponse<String> beyond = http.get(first + "&page=4");
            assertThat(beyond.statusCode()).isEqualTo(404);
            assertThat(Json.read(beyond.body()).get("detail").asText()).isEqualTo("Invalid page.");
            assertThat(waldur.contractViolations()).isEmpty();
        }

        private String rel(String linkHeader, String rel) {
            Matcher m = Pattern.compile("<([^>]+)>; rel=\"" + rel + "\"").matcher(linkHeader);
            return m.find() ? m.group(1) : null;
        }
    }

    @Nested
    class Faults {

        @Test
        void failNextAnswersTheGivenStatusExactlyTimesThenRecovers() throws Exception {
            WaldurOrder order = waldur.newOrder(resource("f1")).create();
            waldur.failNext("POST", "/api/marketplace-orders/.*/approve_by_provider/", 503, 2);

            assertThat(http.get(orderPath(order, "")).statusCode()).isEqualTo(200);
            assertThat(http.post(orderPath(order, "approve_by_provider"), "{}").statusCode()).isEqualTo(503);
            assertThat(http.post(orderPath(order, "approve_by_provider"), "{}").statusCode()).isEqualTo(503);
            assertThat(waldur.order(order.uuid()).state()).isEqualTo("pending-provider");
            assertThat(http.post(orderPath(order, "approve_by_provider"), "{}").statusCode()).isEqualTo(200);

            assertThat(waldur.count("POST", "/api/marketplace-orders/.*/approve_by_provider/")).isEqualTo(3);
            assertThat(waldur.requests("POST", ".*approve_by_provider/")).extracting(RecordedRequest::status)
                    .containsExactly(503, 503, 200);
        }

        @Test
        void failAllAnswersEverythingUntilCleared() throws Exception {
            waldur.failAll(503);
            assertThat(http.get("version/").statusCode()).isEqualTo(503);
            assertThat(new Http(waldur.apiUrl(), null).get("version/").statusCode()).isEqualTo(503);
            waldur.clearFaults();
            assertThat(http.get("version/").statusCode()).isEqualTo(200);
        }

        @Test
        void customBodyIsReturned() throws Exception {
            waldur.failNext("*", "/api/version/", 502, 1, "<html>Bad Gateway</html>");
            HttpResponse<String> r = http.get("version/");
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).isEqualTo("<html>Bad Gateway</html>");
        }
    }

    @Nested
    class Subscriptions {

        private final List<String> events = new CopyOnWriteArrayList<>();

        @BeforeEach
        void listen() {
            waldur.addSubscriptionListener(new SubscriptionListener() {
                @Override
                public void created(WaldurSubscription s) {
                    events.add("created " + s.brokerUsername() + " " + s.objectTypes());
                }

                @Override
                public void deleted(WaldurSubscription s) {
                    events.add("deleted " + s.brokerUsername());
                }
            });
        }

        @Test
        void createGetDeleteNotifiesListeners() throws Exception {
            HttpResponse<String> created = http.post("event-subscriptions/",
                    "{\"description\": \"agent\", \"observable_objects\": [{\"object_type\": \"order\"}]}");
            assertThat(created.statusCode()).isEqualTo(201);
            JsonNode s = Json.read(created.body());
            String uuid = s.get("uuid").asText();
            assertThat(uuid).matches("[0-9a-f]{32}");
            assertThat(s.get("user_uuid").asText()).isEqualTo(waldur.userUuid());
            assertThat(s.get("observable_objects").get(0).get("object_type").asText()).isEqualTo("order");
            assertThat(events).containsExactly("created " + waldur.userUuid() + ":" + uuid + " [order]");

            assertThat(http.getJson("event-subscriptions/" + uuid + "/").get("description").asText()).isEqualTo("agent");
            assertThat(http.send("DELETE", "event-subscriptions/" + uuid + "/", null).statusCode()).isEqualTo(204);
            assertThat(events).last().isEqualTo("deleted " + waldur.userUuid() + ":" + uuid);

            HttpResponse<String> gone = http.get("event-subscriptions/" + uuid + "/");
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(Json.read(gone.body()).get("detail").asText())
                    .isEqualTo("No EventSubscription matches the given query.");
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void serverSideDeletionNotifiesListenersAndThe404Follows() throws Exception {
            String uuid = Json.read(http.post("event-subscriptions/",
                    "{\"observable_objects\": [{\"object_type\": \"resource\"}]}").body()).get("uuid").asText();

            assertThat(waldur.deleteSubscription(uuid)).isTrue();
            assertThat(events).last().isEqualTo("deleted " + waldur.userUuid() + ":" + uuid);
            assertThat(http.get("event-subscriptions/" + uuid + "/").statusCode()).isEqualTo(404);
            assertThat(waldur.deleteSubscription(uuid)).isFalse();
        }

        @Test
        void invalidObjectTypeIsRejectedLikeWaldursSerializer() throws Exception {
            HttpResponse<String> r = http.post("event-subscriptions/",
                    "{\"observable_objects\": [{\"object_type\": \"orders\"}]}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(Json.read(r.body()).has("observable_objects")).isTrue();
            assertThat(waldur.subscriptions()).isEmpty();
            assertThat(events).isEmpty();
        }

        @Test
        void brokerProvisioningFailureIs400AndNoSubscription() throws Exception {
            waldur.addSubscriptionListener(new SubscriptionListener() {
                @Override
                public void created(WaldurSubscription s) {
                    throw new IllegalStateException("broker down");
                }
            });
            HttpResponse<String> r = http.post("event-subscriptions/",
                    "{\"observable_objects\": [{\"object_type\": \"order\"}]}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("Failed to create RabbitMQ");
            assertThat(waldur.subscriptions()).isEmpty();
        }
    }

    @Test
    void fixturesRejectNonWaldurUuids() {
        assertThatThrownBy(() -> waldur.newResource(offering, project).uuid("3F2C9E0B-8D7A-4C1E-9F5B-6A7D8C9E0F1A").create())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> waldur.order("0123456789abcdef0123456789abcdef"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A minimal client that behaves like the agent's: token auth, JSON, its user agent. */
    static final class Http {
        private static final HttpClient CLIENT = HttpClient.newHttpClient();
        private final String apiUrl;
        private final String token;
        private final String userAgent;

        Http(String apiUrl, String token) {
            this(apiUrl, token, UA);
        }

        Http(String apiUrl, String token, String userAgent) {
            this.apiUrl = apiUrl;
            this.token = token;
            this.userAgent = userAgent;
        }

        HttpResponse<String> get(String path) throws IOException, InterruptedException {
            return send("GET", path, null);
        }

        HttpResponse<String> getAbsolute(String url) throws IOException, InterruptedException {
            return CLIENT.send(request("GET", URI.create(url), null, null), HttpResponse.BodyHandlers.ofString());
        }

        JsonNode getJson(String path) throws IOException, InterruptedException {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
            return Json.read(r.body());
        }

        HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
            return send("POST", path, json);
        }

        HttpResponse<String> patch(String path, String json) throws IOException, InterruptedException {
            return send("PATCH", path, json);
        }

        CompletableFuture<HttpResponse<String>> postAsync(String path, String json) {
            return CLIENT.sendAsync(request("POST", URI.create(apiUrl + path), json, "application/json"),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
            return send(method, path, json, "application/json");
        }

        HttpResponse<String> send(String method, String path, String body, String contentType)
                throws IOException, InterruptedException {
            return CLIENT.send(request(method, URI.create(apiUrl + path), body, contentType),
                    HttpResponse.BodyHandlers.ofString());
        }

        private HttpRequest request(String method, URI uri, String body, String contentType) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("User-Agent", userAgent)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", contentType);
            }
            if (token != null) {
                b.header("Authorization", "Token " + token);
            }
            return b.build();
        }
    }
}
