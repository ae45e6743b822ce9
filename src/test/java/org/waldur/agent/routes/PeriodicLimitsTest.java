package org.waldur.agent.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.testing.AgentFixture;
import org.waldur.agent.sandbox.waldur.WaldurCommandResult;
import org.waldur.agent.sandbox.waldur.WaldurPeriodicUsagePolicy;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/** resource_periodic_limits messages through the real routes (waldur-protocol.md §5.10, slurm.md §3). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeriodicLimitsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TYPE = "resource_periodic_limits";
    private AgentFixture f;
    private WaldurPeriodicUsagePolicy policy;

    @BeforeAll
    void start() throws Exception {
        f = new AgentFixture();
        // the offering's default limit type; messages that name one override it
        f.backendSettingsYaml("      periodic_limits:\n        enabled: true\n        limit_type: MaxTRESMins\n")
                .property("agent.reconciliation.period", "1h");
        f.slurm.addAccount("hpc_acme", "acme", "hpc_acme", "root");
        f.slurm.addAccount("hpc_proj1", "proj1", "hpc_proj1", "hpc_acme");
        policy = f.waldur.addPeriodicUsagePolicy(f.offering);
        f.broker.start();
        f.startAgent();
        f.awaitConnected(TYPE);
    }

    @AfterAll
    void stop() throws Exception {
        f.close();
    }

    @AfterEach
    void noContractViolations() {
        assertThat(f.waldur.contractViolations()).isEmpty();
    }

    @Test
    void fairshareLimitsAndRawUsageResetAreAppliedAndReported() throws Exception {
        WaldurResource r = allocation("pa");

        f.publish(TYPE, message(dashed(r.uuid()), "hpc_pa", policy.uuid(), "apply_periodic_settings",
                "{\"fairshare\": 500, \"limit_type\": \"GrpTRESMins\", \"grp_tres_mins\": {\"cpu\": 72000, \"mem\": 1024.7},"
                        + " \"qos_threshold\": {\"cpu\": 60000}, \"grace_limit\": {\"cpu\": 86400}, \"reset_raw_usage\": true,"
                        + " \"carryover_details\": {}}"));

        WaldurCommandResult result = awaitResult(r);
        assertThat(result.success()).isTrue();
        assertThat(result.errorMessage()).isEmpty();
        assertThat(result.policyUuid()).isEqualTo(policy.uuid());
        assertThat(f.slurm.fairshare("hpc_pa")).isEqualTo("500");
        assertThat(f.slurm.accountLimits("hpc_pa", "GrpTRESMins")).isEqualTo(Map.of("cpu", 72000L, "mem", 1024L));
        assertThat(f.slurm.accountLimits("hpc_pa", "MaxTRESMins")).isEmpty();
        assertThat(f.slurm.rawUsageResets("hpc_pa")).isEqualTo(1);
        assertThat(result.commandsExecuted()).hasSize(5);
        assertThat(result.commandsExecuted().get(0)).contains("show account hpc_pa");
        assertThat(result.commandsExecuted().subList(1, 5)).satisfiesExactly(
                c -> assertThat(c).endsWith("modify account hpc_pa set fairshare=500"),
                c -> assertThat(c).endsWith("modify account hpc_pa set GrpTRESMins=cpu=72000"),
                c -> assertThat(c).endsWith("modify account hpc_pa set GrpTRESMins=mem=1024"),
                c -> assertThat(c).endsWith("modify account hpc_pa set RawUsage=0"));
    }

    @Test
    void theOfferingsLimitTypeAppliesWhenTheMessageHasNone() throws Exception {
        WaldurResource r = allocation("pm");

        f.publish(TYPE, message(r.uuid(), "hpc_pm", policy.uuid(), "apply_periodic_settings",
                "{\"max_tres_mins\": {\"cpu\": 6000}}"));

        WaldurCommandResult result = awaitResult(r);
        assertThat(result.success()).isTrue();
        assertThat(f.slurm.accountLimits("hpc_pm", "MaxTRESMins")).isEqualTo(Map.of("cpu", 6000L));
        assertThat(f.slurm.accountLimits("hpc_pm", "GrpTRESMins")).isEmpty();
        assertThat(f.slurm.fairshare("hpc_pm")).as("no fairshare in the message").isEqualTo("1");
        assertThat(f.slurm.rawUsageResets("hpc_pm")).isZero();
        assertThat(result.commandsExecuted()).hasSize(2);
    }

    @Test
    void aRefusedSacctmgrCommandIsReportedAsAFailureWithItsReason() throws Exception {
        WaldurResource r = allocation("pf");
        f.slurm.failNext("hpc_pf set GrpTRESMins=mem", 1, 1, " Unknown option: GrpTRESMins=mem=99");

        f.publish(TYPE, message(r.uuid(), "hpc_pf", policy.uuid(), "apply_periodic_settings",
                "{\"fairshare\": 7, \"limit_type\": \"GrpTRESMins\", \"grp_tres_mins\": {\"cpu\": 10, \"mem\": 99},"
                        + " \"reset_raw_usage\": true}"));

        WaldurCommandResult result = awaitResult(r);
        assertThat(result.success()).isFalse();
        assertThat(result.errorMessage()).contains("Unknown option: GrpTRESMins=mem=99").contains("exit code 1");
        assertThat(result.commandsExecuted()).hasSize(4).last().asString().endsWith("set GrpTRESMins=mem=99");
        assertThat(f.slurm.fairshare("hpc_pf")).isEqualTo("7");
        assertThat(f.slurm.accountLimits("hpc_pf", "GrpTRESMins")).isEqualTo(Map.of("cpu", 10L));
        assertThat(f.slurm.rawUsageResets("hpc_pf")).as("later commands are not run").isZero();
        assertThat(deadLettersFor(r.uuid())).as("reported, not dead-lettered").isEmpty();
    }

    @Test
    void aMissingAccountIsReportedAsAFailure() throws Exception {
        WaldurResource r = f.waldur.newResource(f.offering, f.project).name("ghost").slug("pg").backendId("hpc_pg")
                .state("OK").create();

        f.publish(TYPE, message(r.uuid(), "hpc_pg", policy.uuid(), "apply_periodic_settings",
                "{\"fairshare\": 5, \"reset_raw_usage\": true}"));

        WaldurCommandResult result = awaitResult(r);
        assertThat(result.success()).isFalse();
        assertThat(result.errorMessage()).isEqualTo("SLURM account hpc_pg does not exist");
        assertThat(result.commandsExecuted()).singleElement().asString().contains("show account hpc_pg");
        assertThat(f.slurm.accounts()).doesNotContainKey("hpc_pg");
    }

    @Test
    void anUnavailableSlurmdbdIsRetriedAndTheEventAppliedOnce() throws Exception {
        WaldurResource r = allocation("pt");
        f.slurm.failNext("hpc_pt set fairshare", 2, 1, "sacctmgr: error: Unable to connect to database");

        f.publish(TYPE, message(r.uuid(), "hpc_pt", policy.uuid(), "apply_periodic_settings",
                "{\"fairshare\": 9, \"reset_raw_usage\": true}"));

        WaldurCommandResult result = awaitResult(r);
        assertThat(result.success()).isTrue();
        assertThat(result.commandsExecuted()).as("the log of the successful attempt").hasSize(3);
        assertThat(f.slurm.fairshare("hpc_pt")).isEqualTo("9");
        assertThat(f.slurm.rawUsageResets("hpc_pt")).isEqualTo(1);
        assertThat(f.slurm.callLog("sacctmgr")).filteredOn(c -> c.argv().contains("fairshare=9")).hasSize(3);
    }

    @Test
    void withoutAPolicyUuidTheSettingsAreAppliedButNotReported() throws Exception {
        WaldurResource r = allocation("pn");
        NotifyBuilder done = eventsDone(r.uuid());

        f.publish(TYPE, message(r.uuid(), "hpc_pn", null, "apply_periodic_settings", "{\"fairshare\": 42}"));

        assertThat(done.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(f.slurm.fairshare("hpc_pn")).isEqualTo("42");
        assertThat(resultsFor(r)).isEmpty();
    }

    @Test
    void anUnknownActionIsDeadLettered() throws Exception {
        WaldurResource r = allocation("pu");

        f.publish(TYPE, message(r.uuid(), "hpc_pu", policy.uuid(), "remove_everything", "{\"fairshare\": 1000}"));

        await().atMost(WAIT).until(() -> !deadLettersFor(r.uuid()).isEmpty());
        JsonNode entry = deadLettersFor(r.uuid()).get(0);
        assertThat(entry.get("reason").asText()).contains("action must be apply_periodic_settings").contains("remove_everything");
        assertThat(entry.get("object_type").asText()).isEqualTo(TYPE);
        assertThat(f.slurm.fairshare("hpc_pu")).isEqualTo("1");
        assertThat(resultsFor(r)).isEmpty();
    }

    @Test
    void anInvalidBackendIdIsDeadLettered() throws Exception {
        WaldurResource r = allocation("pi");

        f.publish(TYPE, message(r.uuid(), "hpc_pi where", policy.uuid(), "apply_periodic_settings", "{\"fairshare\": 3}"));

        await().atMost(WAIT).until(() -> !deadLettersFor(r.uuid()).isEmpty());
        assertThat(deadLettersFor(r.uuid()).get(0).get("reason").asText()).contains("backend_id");
        assertThat(resultsFor(r)).isEmpty();
    }

    // --- helpers ----------------------------------------------------------------------------------

    private WaldurResource allocation(String slug) {
        f.slurm.addAccount("hpc_" + slug, slug, "hpc_proj1", "hpc_proj1");
        return f.waldur.newResource(f.offering, f.project).name(slug).slug(slug).backendId("hpc_" + slug).state("OK").create();
    }

    private WaldurCommandResult awaitResult(WaldurResource r) {
        await().atMost(WAIT).until(() -> !resultsFor(r).isEmpty());
        List<WaldurCommandResult> results = resultsFor(r);
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    private List<WaldurCommandResult> resultsFor(WaldurResource r) {
        return f.waldur.commandResults().stream().filter(c -> c.resourceUuid().equals(r.uuid())).toList();
    }

    private List<JsonNode> deadLettersFor(String resourceUuid) throws Exception {
        return f.deadLetters().stream().filter(e -> e.get("payload").asText().contains(resourceUuid)).toList();
    }

    private NotifyBuilder eventsDone(String subject) {
        return new NotifyBuilder(f.agent().context()).from("seda:*")
                .filter(e -> subject.equals(e.getMessage().getHeader("WaldurSubject"))).whenDone(1).create();
    }

    private static String dashed(String hex) {
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-" + hex.substring(16, 20)
                + "-" + hex.substring(20);
    }

    private String message(String resource, String backendId, String policyUuid, String action, String settings) {
        return "{\"resource_uuid\": \"" + resource + "\", \"backend_id\": \"" + backendId + "\", \"offering_uuid\": \""
                + f.offering.uuid() + "\"" + (policyUuid == null ? "" : ", \"policy_uuid\": \"" + policyUuid + "\"")
                + ", \"action\": \"" + action + "\", \"settings\": " + settings + ", \"timestamp\": \"2025-01-01T00:00:00Z\"}";
    }
}
