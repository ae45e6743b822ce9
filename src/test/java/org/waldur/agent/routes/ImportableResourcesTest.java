package org.waldur.agent.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import org.waldur.agent.sandbox.slurm.FakeSlurm;
import org.waldur.agent.sandbox.waldur.WaldurBackendResource;
import org.waldur.agent.sandbox.waldur.WaldurBackendResourceRequest;
import org.waldur.agent.sandbox.waldur.WaldurOffering;
import org.waldur.agent.sandbox.waldur.WaldurProject;

/** importable_resources messages through the real routes (waldur-protocol.md §5.10). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportableResourcesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private AgentFixture f;

    @BeforeAll
    void start() throws Exception {
        f = new AgentFixture();
        f.offeringYaml("    resource_import_enabled: true\n").property("agent.reconciliation.period", "1h");
        f.broker.start();
        f.startAgent();
        f.awaitConnected("importable_resources");
        f.slurm.addAccount("hpc_acme", "acme", "hpc_acme", "root");
    }

    @AfterAll
    void stop() throws Exception {
        f.close();
    }

    @AfterEach
    void noContractViolations() {
        f.waldur.clearFaults();
        assertThat(f.waldur.contractViolations()).isEmpty();
    }

    @Test
    void unknownAllocationAccountsOfKnownProjectsBecomeBackendResources() throws Exception {
        WaldurProject project = projectWithAccount("Imports", "imports");
        // unknown to Waldur: offered, with its description (SLURM keeps it in lower case) and limits
        f.slurm.addAccount("hpc_legacy", "Legacy, cluster A", "hpc_imports", "hpc_imports");
        setLimits("hpc_legacy", 600000L, 307200L);
        // known as a resource of the offering, in any of the three states
        f.slurm.addAccount("hpc_imp_ok", "ok", "hpc_imports", "hpc_imports");
        f.slurm.addAccount("hpc_imp_creating", "creating", "hpc_imports", "hpc_imports");
        f.waldur.newResource(f.offering, project).slug("imp-ok").backendId("hpc_imp_ok").state("OK").create();
        f.waldur.newResource(f.offering, project).slug("imp-creating").backendId("hpc_imp_creating").state("Creating").create();
        // already offered by an earlier import
        f.slurm.addAccount("hpc_imp_offered", "offered", "hpc_imports", "hpc_imports");
        f.waldur.addBackendResource(project, f.offering, "offered", "hpc_imp_offered");
        // not the offering's: organization without project_prefix
        f.slurm.addAccount("lab_other", "other", "physics", "root");
        // no description: the name is shown
        f.slurm.addAccount("hpc_imp_plain", "", "hpc_imports", "hpc_imports");

        WaldurBackendResourceRequest request = f.waldur.addBackendResourceRequest(f.offering);
        f.publish("importable_resources", message(request.uuid()));

        awaitState(request, "Done");
        WaldurBackendResource legacy = backendResource("hpc_legacy");
        assertThat(legacy.name()).isEqualTo("legacy, cluster a");
        assertThat(legacy.projectUuid()).isEqualTo(project.uuid());
        assertThat(legacy.offeringUuid()).isEqualTo(f.offering.uuid());
        assertThat(legacy.backendMetadata()).isEqualTo(Map.of("limits", Map.of("cpu", 10, "mem", 5)));
        WaldurBackendResource plain = backendResource("hpc_imp_plain");
        assertThat(plain.name()).isEqualTo("hpc_imp_plain");
        assertThat(plain.backendMetadata()).isEqualTo(Map.of("limits", Map.of()));
        assertThat(backendIds()).filteredOn(id -> id.equals("hpc_imp_offered")).hasSize(1);
        // customer and project accounts name themselves as organization: never offered
        assertThat(backendIds()).doesNotContain("hpc_imp_ok", "hpc_imp_creating", "lab_other", "hpc_acme", "hpc_imports",
                "root");

        // a second request finds everything offered already
        int before = f.waldur.backendResources().size();
        WaldurBackendResourceRequest again = f.waldur.addBackendResourceRequest(f.offering);
        f.publish("importable_resources", message(again.uuid()));
        awaitState(again, "Done");
        assertThat(f.waldur.backendResources()).hasSize(before);
    }

    @Test
    void anAccountWhoseProjectWaldurDoesNotHaveIsSkipped() throws Exception {
        f.slurm.addAccount("hpc_gone", "gone", "hpc_gone", "hpc_acme");
        f.slurm.addAccount("hpc_gone_alloc", "orphan", "hpc_gone", "hpc_gone");
        projectWithAccount("Kept", "kept");
        f.slurm.addAccount("hpc_kept_alloc", "kept", "hpc_kept", "hpc_kept");

        WaldurBackendResourceRequest request = f.waldur.addBackendResourceRequest(f.offering);
        f.publish("importable_resources", message(request.uuid()));

        awaitState(request, "Done");
        assertThat(backendIds()).contains("hpc_kept_alloc").doesNotContain("hpc_gone_alloc");
    }

    @Test
    void aRejectedBackendResourceErrsTheRequestWithTheReason() throws Exception {
        projectWithAccount("Rejects", "rejects");
        f.slurm.addAccount("hpc_rejected", "rejected", "hpc_rejects", "hpc_rejects");
        f.waldur.failNext("POST", "/api/backend-resources/", 400, 1, "{\"name\": [\"This field is too weird.\"]}");

        WaldurBackendResourceRequest request = f.waldur.addBackendResourceRequest(f.offering);
        f.publish("importable_resources", message(request.uuid()));

        awaitState(request, "Erred");
        assertThat(f.waldur.backendResourceRequest(request.uuid()).errorMessage())
                .startsWith("Waldur answered 400 to POST /api/backend-resources/").contains("This field is too weird.");
    }

    @Test
    void aSlurmOutageIsRetriedAndTheRequestCompletes() throws Exception {
        projectWithAccount("Outage", "outage");
        f.slurm.addAccount("hpc_outage_alloc", "outage", "hpc_outage", "hpc_outage");
        f.slurm.failNext("format=account,organization,description", 2, 1,
                "sacctmgr: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:localhost:6819: Connection refused");

        WaldurBackendResourceRequest request = f.waldur.addBackendResourceRequest(f.offering);
        f.publish("importable_resources", message(request.uuid()));

        awaitState(request, "Done");
        assertThat(backendIds()).filteredOn(id -> id.equals("hpc_outage_alloc")).hasSize(1);
    }

    @Test
    void aFinishedRequestOrOneOfAnotherOfferingIsLeftAlone() throws Exception {
        WaldurBackendResourceRequest done = f.waldur.addBackendResourceRequest(f.offering);
        f.publish("importable_resources", message(done.uuid()));
        awaitState(done, "Done");
        await().atMost(WAIT).until(() -> f.agent().context().getInflightRepository().size() == 0);
        WaldurOffering otherOffering = f.waldur.newOffering(f.customer).name("Other").create();
        WaldurBackendResourceRequest other = f.waldur.addBackendResourceRequest(otherOffering);
        NotifyBuilder handled = eventsDone(2);
        f.waldur.resetRequests();

        // the same message again (a space makes it a new delivery, not a duplicate) and another offering's request
        f.publish("importable_resources", message(done.uuid()) + " ");
        f.publish("importable_resources", message(other.uuid()));

        assertThat(handled.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(f.waldur.backendResourceRequest(done.uuid()).state()).isEqualTo("Done");
        assertThat(f.waldur.backendResourceRequest(other.uuid()).state()).isEqualTo("Sent");
        assertThat(f.waldur.requests()).extracting(r -> r.method() + " " + r.path()).containsExactlyInAnyOrder(
                "GET /api/backend-resource-requests/" + done.uuid() + "/",
                "GET /api/backend-resource-requests/" + other.uuid() + "/");
    }

    @Test
    void aRequestThatIsNotAUuidIsDeadLettered() throws Exception {
        f.publish("importable_resources", "{\"backend_resource_request_uuid\": \"not-a-uuid\"}");

        await().atMost(WAIT).until(() -> f.deadLetters().stream()
                .anyMatch(d -> d.get("reason").asText().contains("backend_resource_request_uuid must be a UUID")));
    }

    private NotifyBuilder eventsDone(int count) {
        return new NotifyBuilder(f.agent().context()).from("seda:*")
                .filter(e -> "importable_resources".equals(e.getMessage().getHeader("WaldurObjectType"))).whenDone(count).create();
    }

    private WaldurProject projectWithAccount(String name, String slug) {
        WaldurProject project = f.waldur.addProject(f.customer, name, slug);
        f.slurm.addAccount("hpc_" + slug, name, "hpc_" + slug, "hpc_acme");
        return project;
    }

    private void awaitState(WaldurBackendResourceRequest request, String state) {
        await().atMost(WAIT).until(() -> f.waldur.backendResourceRequest(request.uuid()).state().equals(state));
    }

    private WaldurBackendResource backendResource(String backendId) {
        List<WaldurBackendResource> found = f.waldur.backendResources().stream()
                .filter(b -> b.backendId().equals(backendId)).toList();
        assertThat(found).as("backend resources with backend_id " + backendId).hasSize(1);
        return found.get(0);
    }

    private List<String> backendIds() {
        return f.waldur.backendResources().stream().map(WaldurBackendResource::backendId).toList();
    }

    private void setLimits(String account, long cpu, long mem) {
        FakeSlurm.Result r = FakeSlurm.run(List.of(f.slurm.binDir().resolve("sacctmgr").toString(),
                "--immediate", "modify", "account", account, "set", "GrpTRESMins=cpu=" + cpu + ",mem=" + mem));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
    }

    private static String message(String requestUuid) {
        return "{\"backend_resource_request_uuid\": \"" + requestUuid + "\"}";
    }
}
