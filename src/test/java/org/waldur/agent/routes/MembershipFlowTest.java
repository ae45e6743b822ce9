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
import org.waldur.agent.sandbox.waldur.RecordedRequest;
import org.waldur.agent.sandbox.waldur.WaldurProject;
import org.waldur.agent.sandbox.waldur.WaldurResource;
import org.waldur.agent.sandbox.waldur.WaldurTeamMember;

/** user_role and resource messages through the real routes (waldur-protocol.md §5.5, §5.7). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MembershipFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private AgentFixture f;

    @BeforeAll
    void start() throws Exception {
        f = new AgentFixture();
        f.offeringYaml("    membership_sync_backend: slurm\n").property("agent.reconciliation.period", "1h");
        f.slurm.addQos("normal");
        f.slurm.addQos("paused");
        f.slurm.addQos("limited");
        f.broker.start();
        f.startAgent();
        f.awaitConnected("user_role");
        f.awaitConnected("resource");
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
    void aGrantedRoleAddsTheUserToEveryAllocationOfTheProjectExceptRestrictedOnes() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Roles", "roles");
        WaldurResource a = allocation(project, "ra", false);
        WaldurResource b = allocation(project, "rb", false);
        WaldurResource restricted = allocation(project, "rc", true);
        WaldurTeamMember alice = f.waldur.addTeamMember(a, "alice", "Alice");
        f.slurm.addUnixUser("alice");
        f.waldur.resetRequests();

        f.publish("user_role", roleMessage(alice.uuid(), project.uuid(), true));

        await().atMost(WAIT).until(() -> hasAssociation("hpc_ra", "alice") && hasAssociation("hpc_rb", "alice"));
        await().atMost(WAIT).until(() -> f.slurm.homedirCalls().stream().filter(c -> c.user().equals("alice")).count() == 2);
        assertThat(hasAssociation("hpc_rc", "alice")).isFalse();
        assertThat(restricted.uuid()).isNotNull();
        List<RecordedRequest> calls = f.waldur.requests();
        System.out.printf("user_role granted: %d REST calls %s%n", calls.size(), calls.stream().map(RecordedRequest::path).toList());
        assertThat(calls).hasSizeLessThanOrEqualTo(3);
        assertThat(b.uuid()).isNotNull();
    }

    @Test
    void aRevokedRoleRemovesTheAssociation() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Revoke", "revoke");
        WaldurResource a = allocation(project, "rv", false);
        WaldurTeamMember bob = f.waldur.addTeamMember(a, "bob", "Bob");
        f.slurm.addAssociation("hpc_rv", "bob");
        f.slurm.addUnixUser("bob");
        f.slurm.addJob("hpc_rv", "bob", "cpu=1,mem=100M", 60, "RUNNING");
        f.slurm.addJob("hpc_other", "bob", "cpu=1", 60, "RUNNING");

        f.publish("user_role", roleMessage(bob.uuid(), project.uuid(), false));

        await().atMost(WAIT).until(() -> !hasAssociation("hpc_rv", "bob"));
        assertThat(f.slurm.jobs()).filteredOn(j -> j.account().equals("hpc_rv")).extracting(j -> j.state()).containsOnly("CANCELLED");
        assertThat(f.slurm.jobs()).filteredOn(j -> j.account().equals("hpc_other")).extracting(j -> j.state()).containsOnly("RUNNING");
    }

    @Test
    void aRoleGrantedAgainAfterARevocationAddsTheAssociationAgain() throws Exception {
        // Waldur's role messages carry no id: the second grant has exactly the text of the first
        WaldurProject project = f.waldur.addProject(f.customer, "Again", "again");
        WaldurResource a = allocation(project, "ag", false);
        WaldurTeamMember kim = f.waldur.addTeamMember(a, "kim", "Kim");

        f.publish("user_role", roleMessage(kim.uuid(), project.uuid(), true));
        await().atMost(WAIT).until(() -> hasAssociation("hpc_ag", "kim"));
        f.publish("user_role", roleMessage(kim.uuid(), project.uuid(), false));
        await().atMost(WAIT).until(() -> !hasAssociation("hpc_ag", "kim"));
        f.publish("user_role", roleMessage(kim.uuid(), project.uuid(), true));

        await().atMost(WAIT).until(() -> hasAssociation("hpc_ag", "kim"));
    }

    @Test
    void grantedNullAndUsersWithoutAnOfferingUsernameChangeNothing() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Nulls", "nulls");
        WaldurResource a = allocation(project, "rn", false);
        WaldurTeamMember carol = f.waldur.addTeamMember(a, "carol", "Carol");
        NotifyBuilder done = eventsDone(project.uuid(), 2);

        f.publish("user_role", "{\"user_uuid\": \"" + carol.uuid() + "\", \"project_uuid\": \"" + project.uuid() + "\", \"granted\": null}");
        f.publish("user_role", roleMessage("0123456789abcdef0123456789abcdef", project.uuid(), true));

        assertThat(done.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(f.slurm.associations()).noneMatch(x -> x.account().equals("hpc_rn"));
    }

    @Test
    void aRoleMessageWithoutUserSynchronisesTheWholeProject() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Full sync", "fullsync");
        WaldurResource a = allocation(project, "rf", false);
        f.waldur.addTeamMember(a, "dave", "Dave");
        f.waldur.addTeamMember(a, "erin", "Erin");

        f.publish("user_role", "{\"project_uuid\": \"" + project.uuid() + "\", \"project_name\": \"Full sync\"}");

        await().atMost(WAIT).until(() -> hasAssociation("hpc_rf", "dave") && hasAssociation("hpc_rf", "erin"));
        await().atMost(WAIT).until(() -> f.waldur.resource(a.uuid()).lastSync() != null);
    }

    @Test
    void aResourceMessageAddsNewTeamMembersAndPausesAndResumes() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Resource sync", "ressync");
        WaldurResource a = allocation(project, "rs", false);
        f.waldur.addTeamMember(a, "frank", "Frank");

        f.publish("resource", resourceMessage(a.uuid()));
        await().atMost(WAIT).until(() -> hasAssociation("hpc_rs", "frank") && f.waldur.resource(a.uuid()).lastSync() != null);
        assertThat(f.slurm.qos("hpc_rs")).containsExactly("normal");

        f.waldur.updateResource(a.uuid(), r -> r.paused(true));
        f.publish("resource", resourceMessage(a.uuid()) + " ");
        await().atMost(WAIT).until(() -> f.slurm.qos("hpc_rs").equals(List.of("paused")));
        await().atMost(WAIT).until(() -> "paused".equals(f.waldur.resource(a.uuid()).backendMetadata().get("qos")));

        f.waldur.updateResource(a.uuid(), r -> r.paused(false));
        f.publish("resource", resourceMessage(a.uuid()) + "  ");
        await().atMost(WAIT).until(() -> f.slurm.qos("hpc_rs").equals(List.of("normal")));
    }

    @Test
    void perUserLimitsFromWaldurBecomeMaxTresMins() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Per user", "peruser");
        WaldurResource a = allocation(project, "pu", false);
        WaldurTeamMember jack = f.waldur.addTeamMember(a, "jack", "Jack");
        f.slurm.addAssociation("hpc_pu", "jack");
        f.waldur.addComponentUserLimit(a, f.waldur.offeringUser(f.offering, jack.uuid()).orElseThrow(), "cpu", 2);

        f.publish("resource", resourceMessage(a.uuid()));

        await().atMost(WAIT).until(() -> f.slurm.userLimits("hpc_pu").getOrDefault("jack", Map.of()).get("cpu") != null);
        assertThat(f.slurm.userLimits("hpc_pu").get("jack")).containsEntry("cpu", 120000L);
    }

    @Test
    void restrictedMemberAccessRemovesTheTeamFromTheAccount() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Restricted", "restr");
        WaldurResource a = allocation(project, "rr", true);
        f.waldur.addTeamMember(a, "gina", "Gina");
        f.slurm.addAssociation("hpc_rr", "gina");
        f.slurm.addAssociation("hpc_rr", "outsider");

        f.publish("resource", resourceMessage(a.uuid()));

        await().atMost(WAIT).until(() -> !hasAssociation("hpc_rr", "gina"));
        assertThat(hasAssociation("hpc_rr", "outsider")).as("accounts the agent does not manage stay").isTrue();
    }

    @Test
    void anErredResourceIsOkAgainAfterASuccessfulSyncAndLimitsDriftIsReported() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Erred", "erredp");
        WaldurResource a = allocation(project, "re", false);
        f.waldur.updateResource(a.uuid(), r -> r.state("Erred").limit("cpu", 5).limit("mem", 5));
        // SLURM has cpu=10 k-hours, Waldur thinks 5: SLURM wins in this direction (§5.7 e)
        setLimits("hpc_re", 600000L, 307200L);

        f.publish("resource", resourceMessage(a.uuid()));

        await().atMost(WAIT).until(() -> f.waldur.resource(a.uuid()).state().equals("OK"));
        assertThat(f.waldur.resource(a.uuid()).limits()).isEqualTo(Map.of("cpu", 10, "mem", 5));
    }

    @Test
    void aResourceMessageWithoutChangesCostsAtMostSevenRestCalls() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Quiet", "quiet");
        WaldurResource a = allocation(project, "rq", false);
        f.waldur.addTeamMember(a, "hank", "Hank");
        f.publish("resource", resourceMessage(a.uuid()));
        await().atMost(WAIT).until(() -> hasAssociation("hpc_rq", "hank") && f.waldur.resource(a.uuid()).lastSync() != null);
        await().atMost(WAIT).until(() -> f.agent().context().getInflightRepository().size() == 0);
        NotifyBuilder done = eventsDone(a.uuid(), 1);
        f.waldur.resetRequests();
        int slurmBefore = f.slurm.calls().size();

        f.publish("resource", resourceMessage(a.uuid()) + "\n");

        assertThat(done.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<RecordedRequest> calls = f.waldur.requests();
        System.out.printf("resource message without changes: %d REST calls %s, %d SLURM commands%n", calls.size(),
                calls.stream().map(r -> r.method() + " " + r.path().replaceAll("[0-9a-f]{32}", "{uuid}")).toList(),
                f.slurm.calls().size() - slurmBefore);
        assertThat(calls).hasSizeLessThanOrEqualTo(7);
        assertThat(f.slurm.calls().subList(slurmBefore, f.slurm.calls().size()))
                .noneMatch(argv -> argv.contains("add") || argv.contains("remove") || argv.contains("modify"));
    }

    @Test
    void aResourceWhoseAccountIsMissingInSlurmIsLeftAlone() throws Exception {
        WaldurProject project = f.waldur.addProject(f.customer, "Missing", "missing");
        WaldurResource a = f.waldur.newResource(f.offering, project).name("ghost").slug("ghost").backendId("hpc_ghost").state("OK").create();
        f.waldur.addTeamMember(a, "ivan", "Ivan");
        NotifyBuilder done = eventsDone(a.uuid(), 1);

        f.publish("resource", resourceMessage(a.uuid()));

        assertThat(done.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(f.slurm.associations()).noneMatch(x -> x.account().equals("hpc_ghost"));
        assertThat(f.waldur.resource(a.uuid()).state()).isEqualTo("OK");
    }

    private void setLimits(String account, long cpu, long mem) throws Exception {
        org.waldur.agent.sandbox.slurm.FakeSlurm.run(List.of(f.slurm.binDir().resolve("sacctmgr").toString(),
                "--immediate", "modify", "account", account, "set", "GrpTRESMins=cpu=" + cpu + ",mem=" + mem));
    }

    private WaldurResource allocation(WaldurProject project, String slug, boolean restricted) {
        String account = "hpc_" + slug;
        f.slurm.addAccount("hpc_acme", "acme", "hpc_acme", "root");
        f.slurm.addAccount("hpc_" + project.slug(), project.name(), "hpc_" + project.slug(), "hpc_acme");
        f.slurm.addAccount(account, slug, "hpc_" + project.slug(), "hpc_" + project.slug());
        return f.waldur.newResource(f.offering, project).name(slug).slug(slug).backendId(account).state("OK")
                .restrictMemberAccess(restricted).create();
    }

    private boolean hasAssociation(String account, String user) {
        return f.slurm.associations().stream().anyMatch(x -> x.account().equals(account) && user.equals(x.user()));
    }

    private NotifyBuilder eventsDone(String subject, int count) {
        return new NotifyBuilder(f.agent().context()).from("seda:*")
                .filter(e -> subject.equals(e.getMessage().getHeader("WaldurSubject"))).whenDone(count).create();
    }

    private static String roleMessage(String user, String project, boolean granted) {
        return "{\"user_uuid\": \"" + user + "\", \"user_username\": \"x\", \"project_uuid\": \"" + project
                + "\", \"project_name\": \"P\", \"role_name\": \"PROJECT.MEMBER\", \"granted\": " + granted + "}";
    }

    private static String resourceMessage(String resource) {
        return "{\"resource_uuid\": \"" + resource + "\", \"paused\": false}";
    }
}
