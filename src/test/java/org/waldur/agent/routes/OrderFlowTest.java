package org.waldur.agent.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.testing.AgentFixture;
import org.waldur.agent.sandbox.waldur.RecordedRequest;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurPlan;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/**
 * Order events end to end through the real routes: MQTT 5 (Artemis) → dispatch → orders → Waldur REST
 * (stateful fake checked against the OpenAPI schema) and sacctmgr (recording fake). One agent serves all
 * cases; each case works on its own resource and order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(Long.getLong("test.wait", 20));
    private AgentFixture f;

    @BeforeAll
    void start() throws Exception {
        f = new AgentFixture();
        f.broker.start();
        f.startAgent();
        f.awaitConnected();
        // the start-up pass must not pick up the orders the tests announce over MQTT
        f.awaitStartupReconciliation();
    }

    @AfterAll
    void stop() throws Exception {
        f.close();
    }

    @AfterEach
    void noContractViolations() {
        f.waldur.clearFaults();
        assertThat(f.waldur.contractViolations()).as("requests that break Waldur's OpenAPI contract").isEmpty();
    }

    @Test
    void createOrderBecomesAccountsWithLimitsAndIsDone() throws Exception {
        var customer = f.waldur.addCustomer("Fresh Corp", "fresh");
        var project = f.waldur.addProject(customer, "Fresh project", "freshproj");
        WaldurResource resource = f.waldur.newResource(f.offering, project).name("Allocation one").slug("alloc1")
                .limit("cpu", 10).limit("mem", 20).create();
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();
        int slurmCallsBefore = f.slurm.calls().size();

        f.publishOrder(order.uuid(), "pending-provider");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.slurm.accounts()).containsKeys("hpc_fresh", "hpc_freshproj", "hpc_alloc1");
        assertThat(f.slurm.accounts().get("hpc_fresh").parent()).isEqualTo("root");
        assertThat(f.slurm.accounts().get("hpc_freshproj").parent()).isEqualTo("hpc_fresh");
        assertThat(f.slurm.accounts().get("hpc_alloc1").parent()).isEqualTo("hpc_freshproj");
        assertThat(commandsSince(slurmCallsBefore)).containsExactly("show account hpc_fresh,hpc_freshproj,hpc_alloc1",
                "add account hpc_fresh", "add account hpc_freshproj", "add account hpc_alloc1");
        assertThat(f.slurm.limits("hpc_alloc1")).isEqualTo(Map.of("cpu", 600000L, "mem", 1228800L));
        WaldurResource after = f.waldur.resource(resource.uuid());
        assertThat(after.backendId()).isEqualTo("hpc_alloc1");
        assertThat(after.limits()).isEqualTo(Map.of("cpu", 10, "mem", 20));
        assertThat(f.waldur.userAgents()).allMatch(ua -> ua.contains("waldur-site-agent"));
        List<RecordedRequest> calls = callsAbout(order.uuid(), resource.uuid());
        System.out.printf("Create order: %d REST calls %s, %d SLURM commands%n", calls.size(),
                calls.stream().map(r -> r.method() + " " + r.path().replaceAll("[0-9a-f]{32}", "{uuid}")).toList(),
                f.slurm.calls().size() - slurmCallsBefore);
        assertThat(calls).extracting(r -> r.method() + " " + r.path().replace(order.uuid(), "O").replace(resource.uuid(), "R"))
                .containsExactly(
                        "GET /api/marketplace-orders/O/",
                        "POST /api/marketplace-orders/O/approve_by_provider/",
                        "GET /api/marketplace-orders/O/",
                        "GET /api/marketplace-provider-resources/R/",
                        "POST /api/marketplace-provider-resources/R/set_backend_id/",
                        "POST /api/marketplace-provider-resources/R/set_limits/",
                        "GET /api/marketplace-orders/O/",
                        "POST /api/marketplace-orders/O/set_state_done/");
    }

    @Test
    void aProjectsNextAllocationTakesOneShowAndOneAdd() throws Exception {
        projectAccountsExist();
        WaldurResource resource = f.resource("Second", "second", 2, 3);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();
        int before = f.slurm.calls().size();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "done");
        assertThat(commandsSince(before)).containsExactly("show account hpc_acme,hpc_proj1,hpc_second", "add account hpc_second");
        assertThat(f.slurm.accounts().get("hpc_second").parent()).isEqualTo("hpc_proj1");
        assertThat(f.slurm.limits("hpc_second")).isEqualTo(Map.of("cpu", 120000L, "mem", 184320L));
    }

    @Test
    void anAllocationAccountLeftByAnInterruptedAttemptIsAdopted() throws Exception {
        projectAccountsExist();
        f.slurm.addAccount("hpc_adopt", "adopt", "hpc_proj1", "hpc_proj1");
        WaldurResource resource = f.resource("Adopt me", "adopt", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.waldur.resource(resource.uuid()).backendId()).isEqualTo("hpc_adopt");
        assertThat(f.slurm.calls()).noneMatch(argv -> argv.contains("add") && argv.contains("hpc_adopt"));
        assertThat(f.slurm.limits("hpc_adopt")).isEqualTo(Map.of("cpu", 60000L, "mem", 61440L));
    }

    @Test
    void aWaldurListIsReadPageByPageFollowingTheLinkHeader() throws Exception {
        var project = f.waldur.addProject(f.customer, "Paged project", "paged");
        List<String> uuids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            uuids.add(f.waldur.newResource(f.offering, project).name("Paged " + i).slug("paged" + i).create().uuid());
        }
        int before = f.waldur.requests().size();

        Object items = f.agent().context().createProducerTemplate().send("direct:waldur-list", exchange -> {
            exchange.getMessage().setHeader("WaldurOffering", f.offering.uuid());
            exchange.getMessage().setHeader("WaldurRequest", "GET /api/marketplace-provider-resources/?offering_uuid="
                    + f.offering.uuid() + "&project_uuid=" + project.uuid() + "&page_size=2");
        }).getMessage().getBody();

        assertThat(items).isInstanceOf(List.class);
        assertThat(((List<?>) items).stream().map(r -> String.valueOf(((Map<?, ?>) r).get("uuid"))).toList())
                .containsExactlyInAnyOrderElementsOf(uuids);
        assertThat(f.waldur.requests().subList(before, f.waldur.requests().size()))
                .extracting(r -> r.queryParameters().getOrDefault("page", List.of("1")).get(0))
                .containsExactly("1", "2", "3");
    }

    @Test
    void anAllocationAccountCreatedBetweenTheShowAndTheAddStillGetsTheLimits() throws Exception {
        projectAccountsExist();
        f.slurm.addAccount("hpc_meanwhile", "meanwhile", "hpc_proj1", "hpc_proj1");
        WaldurResource resource = f.resource("Meanwhile", "meanwhile", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();
        // `show account` ran before the three accounts existed: every add answers "Nothing new added"
        f.slurm.failNext("show account hpc_acme,hpc_proj1,hpc_meanwhile", 1, 0, "");

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.waldur.resource(resource.uuid()).backendId()).isEqualTo("hpc_meanwhile");
        assertThat(f.slurm.limits("hpc_meanwhile")).isEqualTo(Map.of("cpu", 60000L, "mem", 61440L));
        assertThat(f.slurm.calls()).anyMatch(argv -> argv.contains("modify") && argv.contains("hpc_meanwhile"));
    }

    @Test
    void anAccountAnotherWorkerCreatedMeanwhileIsNotAFailure() throws Exception {
        // two Create orders of one new customer on two workers: the second add of the customer account
        // answers "Nothing new added" (rc 1); that account exists now, so the order goes on
        var customer = f.waldur.addCustomer("Race Corp", "race");
        var project = f.waldur.addProject(customer, "Race project", "raceproj");
        WaldurResource resource = f.waldur.newResource(f.offering, project).name("Race").slug("racealloc").limit("cpu", 1).create();
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();
        // the other worker's account: present, but our `show account` ran just before it was added
        f.slurm.addAccount("hpc_race", "race corp", "hpc_race", "root");
        f.slurm.failNext("show account hpc_race", 1, 0, "");
        f.slurm.failNext("add account hpc_race ", 1, 1, " Nothing new added.");

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.slurm.accounts()).containsKey("hpc_racealloc");
        assertThat(f.slurm.callLog()).anyMatch(c -> c.injected() && c.argv().contains("hpc_race"));
    }

    @Test
    void aResourceWhoseAccountExistsIsDoneWithoutSlurmWrites() throws Exception {
        projectAccountsExist();
        f.slurm.addAccount("hpc_known", "known", "hpc_proj1", "hpc_proj1");
        WaldurResource resource = f.waldur.newResource(f.offering, f.project).name("Known").slug("known")
                .backendId("hpc_known").create();
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();
        int before = f.slurm.calls().size();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "done");
        List<List<String>> commands = f.slurm.calls().subList(before, f.slurm.calls().size());
        assertThat(commands).hasSize(1);
        assertThat(commands.get(0)).containsSequence("show", "account", "hpc_known");
        assertThat(f.waldur.count("POST", ".*/set_backend_id/")).isGreaterThanOrEqualTo(0);
    }

    @Test
    void anAllocationNamedLikeItsProjectAccountIsRefused() throws Exception {
        var project = f.waldur.addProject(f.customer, "Same name", "samename");
        WaldurResource resource = f.waldur.newResource(f.offering, project).name("Same name").slug("samename").limit("cpu", 1).create();
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "erred");
        assertThat(f.waldur.order(order.uuid()).errorMessage()).contains("same name as its project account");
        assertThat(f.slurm.accounts()).doesNotContainKey("hpc_samename");
    }

    @Test
    void updateOrderSetsNewLimits() throws Exception {
        WaldurResource resource = existingAllocation("Update me", "upd", 10, 10);
        WaldurOrder order = f.waldur.newOrder(resource).type("Update").state("pending-provider")
                .limit("cpu", 20).limit("mem", 5).create();

        f.publishOrder(order.uuid(), "pending-provider");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.slurm.limits("hpc_upd")).isEqualTo(Map.of("cpu", 1200000L, "mem", 307200L));
        System.out.printf("Update order: %d REST calls%n", callsAbout(order.uuid(), resource.uuid()).size());
    }

    @Test
    void updateOfAResourceWhoseAccountVanishedErrsTheOrder() throws Exception {
        WaldurResource resource = f.waldur.newResource(f.offering, f.project).name("Vanished").slug("vanished")
                .backendId("hpc_vanished").state("OK").create();
        WaldurOrder order = f.waldur.newOrder(resource).type("Update").state("executing").limit("cpu", 2).create();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "erred");
        assertThat(f.waldur.order(order.uuid()).errorMessage()).contains("hpc_vanished").contains("does not exist");
        assertThat(f.slurm.calls()).noneMatch(argv -> argv.contains("modify") && argv.contains("hpc_vanished"));
    }

    @Test
    void updateOrderWithoutLimitsUsesThePlanQuotas() throws Exception {
        WaldurResource resource = existingAllocation("Plan switch", "plan", 1, 1);
        WaldurPlan plan = f.waldur.addPlan(f.offering, "Large", Map.of("cpu", 30, "mem", 0));
        WaldurOrder order = f.waldur.newOrder(resource).type("Update").state("executing").plan(plan).create();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.slurm.limits("hpc_plan")).containsEntry("cpu", 1800000L);
    }

    @Test
    void terminateOrderRemovesUsersAccountAndEmptyProjectAccount() throws Exception {
        f.slurm.addAccount("hpc_acme_t", "acme", "hpc_acme_t", "root");
        f.slurm.addAccount("hpc_lonely", "lonely", "hpc_lonely", "hpc_acme_t");
        f.slurm.addAccount("hpc_gone", "gone", "hpc_lonely", "hpc_lonely");
        f.slurm.addAssociation("hpc_gone", "alice");
        var project = f.waldur.addProject(f.customer, "Lonely", "lonely");
        WaldurResource resource = f.waldur.newResource(f.offering, project).name("Gone").slug("gone").backendId("hpc_gone").create();
        WaldurOrder order = f.waldur.newOrder(resource).type("Terminate").state("pending-provider").create();
        int before = f.slurm.calls().size();

        f.publishOrder(order.uuid(), "pending-provider");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.slurm.accounts()).doesNotContainKeys("hpc_gone", "hpc_lonely").containsKey("hpc_acme_t");
        assertThat(f.slurm.associations()).noneMatch(a -> a.account().equals("hpc_gone"));
        assertThat(f.slurm.calls().subList(before, f.slurm.calls().size()))
                .anyMatch(argv -> argv.get(0).endsWith("scancel") && argv.contains("hpc_gone"));
        assertThat(f.waldur.resource(resource.uuid()).state()).isEqualTo("Terminated");
        System.out.printf("Terminate order: %d REST calls, %d SLURM commands%n",
                callsAbout(order.uuid(), resource.uuid()).size(), f.slurm.calls().size() - before);
    }

    @Test
    void terminateKeepsAProjectAccountOtherAllocationsStillUse() throws Exception {
        WaldurResource keep = existingAllocation("Stays", "stays", 1, 1);
        WaldurResource gone = existingAllocation("Leaves", "leaves", 1, 1);
        WaldurOrder order = f.waldur.newOrder(gone).type("Terminate").state("executing").create();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.slurm.accounts()).doesNotContainKey("hpc_leaves").containsKeys("hpc_stays", "hpc_proj1");
        assertThat(keep.uuid()).isNotNull();
    }

    @Test
    void restoreOrderBringsTheAccountBackWithDefaultQosAndLimits() throws Exception {
        f.slurm.addQos("normal");
        WaldurResource resource = f.waldur.newResource(f.offering, f.project).name("Back").slug("back")
                .backendId("hpc_back").limit("cpu", 3).limit("mem", 4).create();
        WaldurOrder order = f.waldur.newOrder(resource).type("Restore").state("executing").create();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.slurm.accounts()).containsKey("hpc_back");
        assertThat(f.slurm.qos("hpc_back")).containsExactly("normal");
        assertThat(f.slurm.limits("hpc_back")).isEqualTo(Map.of("cpu", 180000L, "mem", 245760L));
    }

    @Test
    void finishedAndConsumerSideStatesCostNoRestCall() throws Exception {
        WaldurResource resource = f.resource("Skipped", "skipped", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-consumer").create();
        NotifyBuilder processed = eventsDone(order.uuid(), 3);

        f.publishOrder(order.uuid(), "done");
        f.publishOrder(order.uuid(), "erred");
        f.publishOrder(order.uuid(), "pending-consumer");

        assertThat(processed.matches(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(f.waldur.requests("*", ".*" + order.uuid() + ".*")).isEmpty();
        assertThat(f.waldur.order(order.uuid()).state()).isEqualTo("pending-consumer");
    }

    @Test
    void aStaleHintIsCheckedAgainstTheFreshOrderAndIgnored() throws Exception {
        WaldurResource resource = f.resource("Stale", "stale", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-consumer").create();
        NotifyBuilder processed = eventsDone(order.uuid(), 1);

        f.publishOrder(order.uuid(), "pending-provider");

        assertThat(processed.matches(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(f.waldur.requests("*", ".*" + order.uuid() + ".*")).extracting(RecordedRequest::method).containsExactly("GET");
        assertThat(f.waldur.order(order.uuid()).state()).isEqualTo("pending-consumer");
    }

    @Test
    void theSameMessageTwiceHasOneEffect() throws Exception {
        WaldurResource resource = f.resource("Twice", "twice", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();
        NotifyBuilder processed = eventsDone(order.uuid(), 2);

        f.publishOrder(order.uuid(), "pending-provider");
        f.publishOrder(order.uuid(), "pending-provider");

        assertThat(processed.matches(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        awaitOrderState(order.uuid(), "done");
        assertThat(f.waldur.count("POST", ".*" + order.uuid() + "/approve_by_provider/")).isEqualTo(1);
        assertThat(f.waldur.count("POST", ".*" + resource.uuid() + "/set_backend_id/")).isEqualTo(1);
        assertThat(f.waldur.count("GET", ".*" + order.uuid() + "/")).isEqualTo(3);
        assertThat(f.slurm.calls()).filteredOn(argv -> argv.contains("add") && argv.contains("hpc_twice")).hasSize(1);
    }

    @Test
    void malformedAndMistypedPayloadsAreDeadLetteredAndLaterMessagesStillWork() throws Exception {
        int before = f.deadLetters().size();
        f.publishRaw("{not json");
        f.publishRaw("{\"order_uuid\": 42}");
        f.publishRaw("{\"order_state\": \"pending-provider\"}");
        f.publishRaw("[1, 2]");
        WaldurResource resource = f.resource("After bad ones", "afterbad", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();
        f.publishOrder(order.uuid(), "pending-provider");

        awaitOrderState(order.uuid(), "done");
        await().atMost(WAIT).until(() -> f.deadLetters().size() >= before + 4);
        List<JsonNode> letters = f.deadLetters().subList(before, before + 4);
        assertThat(letters).extracting(l -> l.get("payload").asText())
                .containsExactlyInAnyOrder("{not json", "{\"order_uuid\": 42}", "{\"order_state\": \"pending-provider\"}", "[1, 2]");
        assertThat(letters).allSatisfy(l -> {
            assertThat(l.get("reason").asText()).isNotBlank();
            assertThat(l.get("object_type").asText()).isEqualTo("order");
            assertThat(l.get("offering").asText()).isEqualTo(f.offering.uuid());
        });
        assertThat(reasonFor(letters, "{not json")).startsWith("malformed JSON");
        assertThat(reasonFor(letters, "{\"order_uuid\": 42}")).contains("order_uuid");
        assertThat(reasonFor(letters, "{\"order_state\": \"pending-provider\"}")).contains("order_uuid");
        assertThat(reasonFor(letters, "[1, 2]")).contains("JSON object");
        assertThat(f.agent().context().getRoute(f.orderRouteId())).isNotNull();
        assertThat(f.agent().isConnected(f.orderRouteId())).isTrue();
    }

    @Test
    void waldur503ThreeTimesOnSetBackendIdStillEndsDone() throws Exception {
        WaldurResource resource = f.resource("Flaky", "flaky", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();
        f.waldur.failNext("POST", ".*" + resource.uuid() + "/set_backend_id/", 503, 3);

        f.publishOrder(order.uuid(), "pending-provider");

        awaitOrderState(order.uuid(), "done");
        assertThat(f.waldur.requests("POST", ".*" + resource.uuid() + "/set_backend_id/")).extracting(RecordedRequest::status)
                .containsExactly(503, 503, 503, 200);
        assertThat(f.waldur.count("POST", ".*" + order.uuid() + "/set_state_erred/")).isZero();
    }

    @Test
    void waldurOutageLongerThanTheRetriesDeadLettersButNeverErrs() throws Exception {
        WaldurResource resource = f.resource("Outage", "outage", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();
        f.waldur.failNext("POST", ".*" + resource.uuid() + "/set_backend_id/", 503, 100);
        int before = f.deadLetters().size();

        f.publishOrder(order.uuid(), "executing");

        await().atMost(WAIT).until(() -> f.deadLetters().size() > before);
        JsonNode letter = f.deadLetters().get(before);
        assertThat(letter.get("reason").asText()).contains("Waldur answered 503").contains("set_backend_id");
        // 1 attempt + 5 redeliveries (the test setting)
        assertThat(f.waldur.count("POST", ".*" + resource.uuid() + "/set_backend_id/")).isEqualTo(6);
        assertThat(f.waldur.order(order.uuid()).state()).isEqualTo("executing");
        assertThat(f.waldur.count("POST", ".*" + order.uuid() + "/set_state_erred/")).isZero();
    }

    @Test
    void waldur400ErrsTheOrderWithTheReason() throws Exception {
        WaldurResource resource = f.resource("Refused", "refused", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();
        f.waldur.failNext("POST", ".*" + resource.uuid() + "/set_limits/", 400, 1, "{\"limits\": [\"cpu is over quota\"]}");

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "erred");
        assertThat(f.waldur.order(order.uuid()).errorMessage())
                .contains("Waldur answered 400").contains("set_limits").contains("cpu is over quota");
        assertThat(f.waldur.count("POST", ".*" + resource.uuid() + "/set_limits/")).isEqualTo(1);
    }

    @Test
    void aFailingSacctmgrErrsTheOrderWithItsStderr() throws Exception {
        WaldurResource resource = f.resource("Sacctmgr fails", "sfail", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();
        f.slurm.failNext("add account hpc_sfail", 1, 1, "sacctmgr: error: Parent account 'x' doesn't exist");

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "erred");
        assertThat(f.waldur.order(order.uuid()).errorMessage())
                .contains("sacctmgr").contains("hpc_sfail").contains("Parent account 'x' doesn't exist");
    }

    @Test
    void aNameWithShellMetacharactersIsRefusedBeforeAnyCommandRuns() throws Exception {
        WaldurResource resource = f.resource("Evil", "x;rm -rf /", 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();

        f.publishOrder(order.uuid(), "executing");

        awaitOrderState(order.uuid(), "erred");
        assertThat(f.waldur.order(order.uuid()).errorMessage()).containsIgnoringCase("allocation account");
        assertThat(f.slurm.calls()).noneMatch(argv -> String.join(" ", argv).contains("rm -rf"));
    }

    /** SLURM already has the fixture's customer and project accounts (hpc_acme, hpc_proj1). */
    private void projectAccountsExist() {
        f.slurm.addAccount("hpc_acme", "acme corp", "hpc_acme", "root");
        f.slurm.addAccount("hpc_proj1", "project one", "hpc_proj1", "hpc_acme");
    }

    /** SLURM commands run since call number {@code from}, as "verb object name" (the three words after the flags). */
    private List<String> commandsSince(int from) {
        return f.slurm.calls().subList(from, f.slurm.calls().size()).stream()
                .map(argv -> String.join(" ", argv.subList(4, Math.min(argv.size(), 7)))).toList();
    }

    private WaldurResource existingAllocation(String name, String slug, int cpu, int mem) {
        projectAccountsExist();
        f.slurm.addAccount("hpc_" + slug, name, "hpc_proj1", "hpc_proj1");
        return f.waldur.newResource(f.offering, f.project).name(name).slug(slug).backendId("hpc_" + slug)
                .state("OK").limit("cpu", cpu).limit("mem", mem).create();
    }

    /** Completes when the workers have finished this many events about the given object. */
    private NotifyBuilder eventsDone(String subject, int count) {
        return new NotifyBuilder(f.agent().context()).from("seda:*")
                .filter(e -> subject.equals(e.getMessage().getHeader("WaldurSubject"))).whenDone(count).create();
    }

    private void awaitOrderState(String orderUuid, String state) {
        await("order " + state).atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> f.waldur.order(orderUuid).state(), s -> s.equals(state));
    }

    private List<RecordedRequest> callsAbout(String orderUuid, String resourceUuid) {
        return f.waldur.requests().stream()
                .filter(r -> r.path().contains(orderUuid) || r.path().contains(resourceUuid)).toList();
    }

    private static String reasonFor(List<JsonNode> letters, String payload) {
        return letters.stream().filter(l -> l.get("payload").asText().equals(payload)).findFirst().orElseThrow()
                .get("reason").asText();
    }

}
