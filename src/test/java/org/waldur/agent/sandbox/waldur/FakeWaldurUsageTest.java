package org.waldur.agent.sandbox.waldur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.waldur.agent.sandbox.waldur.FakeWaldurTest.Http;

/** Usage reporting, periodic-limit command results and the integration heartbeat. */
class FakeWaldurUsageTest {

    private FakeWaldur waldur;
    private Http http;
    private WaldurCustomer customer;
    private WaldurProject project;
    private WaldurOffering offering;
    private WaldurResource resource;
    private LocalDate period;

    @BeforeEach
    void setUp() {
        waldur = FakeWaldur.start();
        http = new Http(waldur.apiUrl(), waldur.token());
        customer = waldur.addCustomer("Uni Tartu", "uni-tartu");
        project = waldur.addProject(customer, "Physics", "physics");
        offering = waldur.newOffering(customer)
                .name("HPC")
                .component(new WaldurComponent("cpu", "CPU", "usage", "k-Hours", 60000, null))
                .component("mem", "limit", 61440)
                .component("setup", "one", 1)
                .pluginOption("service_provider_can_create_offering_user", true)
                .create();
        resource = waldur.newResource(offering, project).slug("alloc").state("OK").backendId("hpc_alloc").create();
        period = FakeWaldur.currentBillingPeriod();
    }

    @AfterEach
    void tearDown() {
        assertThat(waldur.responseViolations()).isEmpty();
        waldur.close();
    }

    private String setUsageBody(String type, String amount, Instant date) {
        return "{\"usages\": [{\"type\": \"" + type + "\", \"amount\": \"" + amount + "\"}], \"resource\": \""
                + resource.uuid() + "\", \"date\": \"" + date + "\"}";
    }

    private static String detail(HttpResponse<String> r) {
        return r.body();
    }

    @Nested
    class ComponentUsages {

        @Test
        void setUsageCreatesThenUpdatesTheRecordOfThePeriod() throws Exception {
            HttpResponse<String> first = http.post("marketplace-component-usages/set_usage/",
                    setUsageBody("cpu", "12.34", Instant.now()));
            assertThat(first.statusCode()).isEqualTo(201);
            assertThat(first.body()).isEmpty();
            WaldurComponentUsage stored = waldur.componentUsage(resource, period, "cpu").orElseThrow();
            assertThat(stored.usage()).isEqualByComparingTo("12.34");
            assertThat(stored.billingPeriod()).isEqualTo(period);

            JsonNode list = http.getJson("marketplace-component-usages/?resource_uuid=" + resource.uuid()
                    + "&billing_period=" + period);
            assertThat(list).singleElement().satisfies(n -> {
                assertThat(n.get("uuid").asText()).isEqualTo(stored.uuid());
                assertThat(n.get("type").asText()).isEqualTo("cpu");
                assertThat(n.get("name").asText()).isEqualTo("CPU");
                assertThat(n.get("measured_unit").asText()).isEqualTo("k-Hours");
                // the 8.0.5 schema says integer: the decimal is truncated on the wire
                assertThat(n.get("usage").isIntegralNumber()).isTrue();
                assertThat(n.get("usage").asLong()).isEqualTo(12);
                assertThat(n.get("billing_period").asText()).isEqualTo(period.toString());
            });

            assertThat(http.post("marketplace-component-usages/set_usage/",
                    "{\"usages\": [{\"type\": \"cpu\", \"amount\": \"15.5\"}, {\"type\": \"mem\", \"amount\": \"2\"}],"
                            + " \"resource\": \"" + resource.uuid() + "\"}").statusCode()).isEqualTo(201);
            assertThat(waldur.componentUsages(resource)).hasSize(2);
            WaldurComponentUsage updated = waldur.componentUsage(resource, period, "cpu").orElseThrow();
            assertThat(updated.uuid()).isEqualTo(stored.uuid());
            assertThat(updated.usage()).isEqualByComparingTo("15.5");
            assertThat(waldur.componentUsage(resource, period, "mem").orElseThrow().usage()).isEqualByComparingTo("2");
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void theDateChoosesTheBillingPeriod() throws Exception {
            Instant lastMonth = period.minusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(3600);
            assertThat(http.post("marketplace-component-usages/set_usage/", setUsageBody("cpu", "1", lastMonth))
                    .statusCode()).isEqualTo(201);
            assertThat(waldur.componentUsage(resource, period.minusMonths(1), "cpu")).isPresent();
            assertThat(waldur.componentUsage(resource, period, "cpu")).isEmpty();
        }

        @Test
        void typesOutsideTheOfferingsUsageOrLimitComponentsAreRejectedAndNothingIsStored() throws Exception {
            HttpResponse<String> r = http.post("marketplace-component-usages/set_usage/",
                    "{\"usages\": [{\"type\": \"cpu\", \"amount\": \"1\"}, {\"type\": \"gpu\", \"amount\": \"1\"},"
                            + " {\"type\": \"setup\", \"amount\": \"1\"}], \"resource\": \"" + resource.uuid() + "\"}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(Json.read(r.body()).get("non_field_errors").get(0).asText())
                    .isEqualTo("These components are invalid: gpu, setup.");
            assertThat(waldur.componentUsages(resource)).isEmpty();
        }

        @Test
        void resourceMustBeGivenKnownAndReportable() throws Exception {
            HttpResponse<String> missing = http.post("marketplace-component-usages/set_usage/",
                    "{\"usages\": [{\"type\": \"cpu\", \"amount\": \"1\"}]}");
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(detail(missing)).contains("Either plan_period or resource should be provided.");

            HttpResponse<String> unknown = http.post("marketplace-component-usages/set_usage/",
                    "{\"usages\": [{\"type\": \"cpu\", \"amount\": \"1\"}], \"resource\": \"0123456789abcdef0123456789abcdef\"}");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(Json.read(unknown.body()).get("resource").get(0).asText())
                    .isEqualTo("Object with uuid=0123456789abcdef0123456789abcdef does not exist.");

            waldur.updateResource(resource.uuid(), b -> b.state("Creating"));
            HttpResponse<String> creating = http.post("marketplace-component-usages/set_usage/",
                    setUsageBody("cpu", "1", Instant.now()));
            assertThat(creating.statusCode()).isEqualTo(400);
            assertThat(Json.read(creating.body()).get("resource").get(0).asText())
                    .isEqualTo("Resource is not in valid state.");
            assertThat(waldur.componentUsages(resource)).isEmpty();
        }

        @Test
        void amountMustBeADecimalString() throws Exception {
            assumeTrue(waldur.contract().isAvailable());
            HttpResponse<String> r = http.post("marketplace-component-usages/set_usage/",
                    "{\"usages\": [{\"type\": \"cpu\", \"amount\": 12.5}], \"resource\": \"" + resource.uuid() + "\"}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(waldur.contractViolations()).singleElement()
                    .satisfies(v -> assertThat(v.message()).contains("amount"));
            assertThat(http.post("marketplace-component-usages/set_usage/", setUsageBody("cpu", "1.234", Instant.now()))
                    .statusCode()).isEqualTo(400);
            assertThat(waldur.componentUsages(resource)).isEmpty();
        }

        @Test
        void seededUsagesAreListedNewestFirstWithDateAfterAndPaging() throws Exception {
            for (int i = 0; i < 12; i++) {
                waldur.addComponentUsage(resource, "cpu", 100 + i, period.minusMonths(i));
            }
            // a second record for the same period and type, as a mid-month plan switch leaves behind
            WaldurComponentUsage duplicate = waldur.addComponentUsage(resource, "cpu", 5);

            String base = "marketplace-component-usages/?resource_uuid=" + resource.uuid();
            HttpResponse<String> page1 = http.get(base + "&page_size=5");
            assertThat(page1.headers().firstValue("X-Result-Count")).hasValue("13");
            assertThat(Json.read(page1.body())).extracting(n -> n.get("usage").asInt())
                    .containsExactly(100, 5, 101, 102, 103);
            assertThat(Json.read(http.get(base + "&page_size=5&page=3").body())).hasSize(3);

            JsonNode current = http.getJson(base + "&date_after=" + period);
            assertThat(current).extracting(n -> n.get("uuid").asText()).hasSize(2).contains(duplicate.uuid());
            assertThat(http.getJson(base + "&date_after=" + period + "&type=mem")).isEmpty();
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void userUsagesAreRecordedPerUsernameAndLinkedToTheOfferingUser() throws Exception {
            WaldurComponentUsage usage = waldur.addComponentUsage(resource, "cpu", 20);
            WaldurTeamMember alice = waldur.addTeamMember(resource, "alice", "Alice A");
            WaldurOfferingUser ou = waldur.offeringUser(offering, alice.uuid()).orElseThrow();
            String userUrl = waldur.apiUrl() + "marketplace-offering-users/" + ou.uuid() + "/";
            String path = "marketplace-component-usages/" + usage.uuid() + "/set_user_usage/";

            HttpResponse<String> r = http.post(path, "{\"username\": \"alice\", \"usage\": \"3.50\", \"date\": \""
                    + Instant.now() + "\", \"user\": \"" + userUrl + "\"}");
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(http.post(path, "{\"username\": \"alice\", \"usage\": \"4\"}").statusCode()).isEqualTo(201);
            assertThat(http.post(path, "{\"username\": \"bob\", \"usage\": \"1\"}").statusCode()).isEqualTo(201);

            assertThat(waldur.componentUserUsages(usage)).satisfiesExactly(
                    a -> {
                        assertThat(a.username()).isEqualTo("alice");
                        assertThat(a.usage()).isEqualByComparingTo("4");
                        assertThat(a.offeringUserUuid()).isEqualTo(ou.uuid());
                    },
                    b -> assertThat(b.offeringUserUuid()).isNull());
            assertThat(waldur.componentUserUsages(resource)).hasSize(2);
        }

        @Test
        void userUsageNeedsAnExistingUsageAndAResolvableUserUrl() throws Exception {
            WaldurComponentUsage usage = waldur.addComponentUsage(resource, "cpu", 20);
            HttpResponse<String> noUsage = http.post(
                    "marketplace-component-usages/0123456789abcdef0123456789abcdef/set_user_usage/",
                    "{\"username\": \"alice\", \"usage\": \"1\"}");
            assertThat(noUsage.statusCode()).isEqualTo(404);

            String path = "marketplace-component-usages/" + usage.uuid() + "/set_user_usage/";
            HttpResponse<String> badUrl = http.post(path, "{\"username\": \"alice\", \"usage\": \"1\", "
                    + "\"user\": \"https://elsewhere.example.org/api/users/x/\"}");
            assertThat(badUrl.statusCode()).isEqualTo(400);
            assertThat(Json.read(badUrl.body()).get("user").get(0).asText()).isEqualTo("Invalid hyperlink - No URL match.");
            HttpResponse<String> gone = http.post(path, "{\"username\": \"alice\", \"usage\": \"1\", \"user\": \""
                    + waldur.apiUrl() + "marketplace-offering-users/0123456789abcdef0123456789abcdef/\"}");
            assertThat(gone.statusCode()).isEqualTo(400);
            assertThat(waldur.componentUserUsages(usage)).isEmpty();
        }

        @Test
        void usageCanBeRenderedAsWaldursDecimalString() throws Exception {
            assumeTrue(waldur.contract().isAvailable());
            try (FakeWaldur decimal = FakeWaldur.builder().usageAsDecimalString(true).start()) {
                WaldurCustomer c = decimal.addCustomer("C", "c");
                WaldurOffering o = decimal.newOffering(c).component("cpu", "usage", 1).create();
                WaldurResource res = decimal.newResource(o, decimal.addProject(c, "P", "p")).state("OK").create();
                decimal.addComponentUsage(res, "cpu", new BigDecimal("12.34"));

                String path = "marketplace-component-usages/?resource_uuid=" + res.uuid();
                HttpResponse<String> r = new Http(decimal.apiUrl(), decimal.token()).get(path);
                assertThat(Json.read(r.body()).get(0).get("usage").asText()).isEqualTo("12.34");
                assertThat(Json.read(r.body()).get(0).get("usage").isTextual()).isTrue();
                // a real schema mismatch, deliberately not counted
                assertThat(decimal.contract().validateResponse("GET", "/api/marketplace-component-usages/", 200,
                        r.body().getBytes())).singleElement().satisfies(v -> assertThat(v.message()).contains("usage"));
                assertThat(decimal.responseViolations()).isEmpty();
            }
        }
    }

    @Nested
    class PeriodicLimits {

        @Test
        void commandResultsAreRecordedWithTheUserAgent() throws Exception {
            WaldurPeriodicUsagePolicy policy = waldur.addPeriodicUsagePolicy(offering);
            Http siteAgent = new Http(waldur.apiUrl(), waldur.token(), "site-agent");
            String dashed = resource.uuid().replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5");

            HttpResponse<String> r = siteAgent.post("marketplace-slurm-periodic-usage-policies/" + policy.uuid()
                    + "/report-command-result/", "{\"resource_uuid\": \"" + dashed + "\", \"success\": false,"
                    + " \"error_message\": \"sacctmgr: error\", \"mode\": \"emulator\","
                    + " \"commands_executed\": [\"sacctmgr -i modify account hpc_alloc set fairshare=10\"]}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEmpty();
            assertThat(waldur.commandResults()).singleElement().satisfies(c -> {
                assertThat(c.policyUuid()).isEqualTo(policy.uuid());
                assertThat(c.resourceUuid()).isEqualTo(resource.uuid());
                assertThat(c.success()).isFalse();
                assertThat(c.errorMessage()).isEqualTo("sacctmgr: error");
                assertThat(c.mode()).isEqualTo("emulator");
                assertThat(c.commandsExecuted()).containsExactly("sacctmgr -i modify account hpc_alloc set fairshare=10");
                assertThat(c.userAgent()).isEqualTo("site-agent");
            });

            assertThat(http.post("marketplace-slurm-periodic-usage-policies/" + policy.uuid() + "/report-command-result/",
                    "{\"resource_uuid\": \"" + resource.uuid() + "\", \"success\": true}").statusCode()).isEqualTo(200);
            assertThat(waldur.commandResults()).last().satisfies(c -> {
                assertThat(c.mode()).isEqualTo("production");
                assertThat(c.errorMessage()).isEmpty();
                assertThat(c.commandsExecuted()).isEmpty();
            });
            assertThat(http.getJson("marketplace-slurm-periodic-usage-policies/" + policy.uuid() + "/")
                    .get("scope_uuid").asText()).isEqualTo(offering.uuid());
            assertThat(waldur.contractViolations()).isEmpty();
        }

        @Test
        void unknownPolicyResourceOrMissingSuccessAreRejected() throws Exception {
            WaldurPeriodicUsagePolicy policy = waldur.addPeriodicUsagePolicy(offering);
            String path = "marketplace-slurm-periodic-usage-policies/" + policy.uuid() + "/report-command-result/";
            assertThat(http.post("marketplace-slurm-periodic-usage-policies/0123456789abcdef0123456789abcdef/"
                    + "report-command-result/", "{\"resource_uuid\": \"" + resource.uuid() + "\", \"success\": true}")
                    .statusCode()).isEqualTo(404);
            HttpResponse<String> unknown = http.post(path,
                    "{\"resource_uuid\": \"0123456789abcdef0123456789abcdef\", \"success\": true}");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(Json.read(unknown.body()).get("resource_uuid").get(0).asText()).isEqualTo("Resource not found.");
            assertThat(waldur.commandResults()).isEmpty();

            assumeTrue(waldur.contract().isAvailable());
            assertThat(http.post(path, "{\"resource_uuid\": \"" + resource.uuid() + "\"}").statusCode()).isEqualTo(400);
            assertThat(waldur.contractViolations()).singleElement()
                    .satisfies(v -> assertThat(v.message()).contains("success"));
        }
    }

    @Nested
    class IntegrationStatus {

        @Test
        void onlyTheSiteAgentsOrderListWithAnOfferingUuidIsAHeartbeat() throws Exception {
            String orders = "marketplace-orders/?offering_uuid=" + offering.uuid();
            Http other = new Http(waldur.apiUrl(), waldur.token(), "python-httpx/0.27");
            assertThat(other.get(orders).statusCode()).isEqualTo(200);
            assertThat(http.getJson("marketplace-orders/")).isEmpty();
            assertThat(waldur.lastIntegrationHeartbeat(offering.uuid())).isEmpty();

            Instant before = Instant.now();
            http.getJson(orders + "&state=pending-provider");
            Instant after = Instant.now();
            assertThat(waldur.lastIntegrationHeartbeat(offering.uuid())).hasValueSatisfying(
                    t -> assertThat(t).isBetween(before, after));
            // the resource list refreshes the other agent type, "Usage reporting"
            assertThat(waldur.lastUsageReportingHeartbeat(offering.uuid())).isEmpty();
            http.getJson("marketplace-provider-resources/?offering_uuid=" + offering.uuid());
            assertThat(waldur.lastUsageReportingHeartbeat(offering.uuid())).isPresent();
        }

        @Test
        void rejectedRequestsAndUnknownOfferingsAreNoHeartbeat() throws Exception {
            Http wrongToken = new Http(waldur.apiUrl(), "nope");
            assertThat(wrongToken.get("marketplace-orders/?offering_uuid=" + offering.uuid()).statusCode())
                    .isEqualTo(401);
            waldur.failNext("GET", "/api/marketplace-orders/", 503, 1);
            assertThat(http.get("marketplace-orders/?offering_uuid=" + offering.uuid()).statusCode()).isEqualTo(503);
            http.getJson("marketplace-orders/?offering_uuid=0123456789abcdef0123456789abcdef");
            assertThat(waldur.lastIntegrationHeartbeat(offering.uuid())).isEmpty();
            assertThat(waldur.lastIntegrationHeartbeat("0123456789abcdef0123456789abcdef")).isEmpty();
        }
    }

    @Test
    void responsesOfTheUsageEndpointsConformToTheSchema() throws Exception {
        assumeTrue(waldur.contract().isAvailable());
        WaldurComponentUsage usage = waldur.addComponentUsage(resource, "cpu", 7.25);
        WaldurPeriodicUsagePolicy policy = waldur.addPeriodicUsagePolicy(offering);
        for (String path : List.of("marketplace-component-usages/?resource_uuid=" + resource.uuid(),
                "marketplace-component-usages/" + usage.uuid() + "/",
                "marketplace-slurm-periodic-usage-policies/" + policy.uuid() + "/")) {
            HttpResponse<String> r = http.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            String rawPath = URI.create(waldur.apiUrl() + path).getRawPath();
            assertThat(waldur.contract().validateResponse("GET", rawPath, 200, r.body().getBytes())).as(path).isEmpty();
        }
        assertThat(waldur.contract().validateResponse("GET", "/api/marketplace-component-usages/" + usage.uuid() + "/",
                200, "{\"usage\": 7.25, \"billing_period\": \"May\"}".getBytes())).hasSize(2);
    }
}
