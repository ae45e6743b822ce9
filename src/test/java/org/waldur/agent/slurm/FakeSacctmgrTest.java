package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.waldur.agent.sandbox.slurm.FakeSlurm;

/**
 * Runs the fake sacctmgr/scancel as processes with argv from {@link SacctmgrCommands} and reads its output with
 * {@link SacctmgrOutput}: the builders, the fake and the parsers must agree on the 22.05 formats. Where the fake's
 * output is compared with a literal, the literal is a line real sacctmgr 22.05.8 printed in the replay transcripts.
 */
class FakeSacctmgrTest {

    private static final List<Component> COMPONENTS = List.of(
            new Component("cpu", "limit", 60000, null),
            new Component("mem", "limit", 61440, null),
            new Component("gres/gpu", "limit", 60, null));

    @TempDir
    Path dir;

    private FakeSlurm fake;
    private SacctmgrCommands commands;
    private final List<List<String>> sent = new ArrayList<>();

    private void start(String clusterFilter) {
        fake = FakeSlurm.create(dir, FakeSlurm.DEFAULT_CLUSTER);
        commands = new SacctmgrCommands(clusterFilter);
    }

    private FakeSlurm.Result raw(SlurmTool tool, List<String> args) {
        List<String> argv = SacctmgrCommands.argv(fake.binDir().toString(), tool, args);
        sent.add(argv);
        return FakeSlurm.run(argv);
    }

    /** Runs like the agent will: exit code and output through {@link SlurmCommandResult}. */
    private String run(SlurmTool tool, List<String> args) {
        FakeSlurm.Result r = raw(tool, args);
        return SlurmCommandResult.check(sent.get(sent.size() - 1), r.exitCode(), r.stdout(), r.stderr());
    }

    private String sacctmgr(List<String> args) {
        return run(SlurmTool.SACCTMGR, args);
    }

    private void createHierarchy() {
        sacctmgr(commands.addAccount("t_cust", "ACME Corp", "t_cust", "root"));
        sacctmgr(commands.addAccount("t_proj", "Project \"X\" 1", "t_proj", "t_cust"));
        sacctmgr(commands.addAccount("t_alloc1", "Alloc 1", "t_proj", "t_proj"));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "waldur-test")
    void createsTheAccountHierarchy(String clusterFilter) {
        start(clusterFilter);
        assertThat(sacctmgr(commands.showAccount("t_cust"))).as("missing account: no output, rc 0").isEmpty();

        createHierarchy();

        assertThat(SacctmgrOutput.account(sacctmgr(commands.showAccount("t_alloc1")), "t_alloc1"))
                .contains(new SlurmAccount("t_alloc1", "alloc 1", "t_proj"));
        assertThat(SacctmgrOutput.account(sacctmgr(commands.showAccount("t_proj")), "t_proj"))
                .contains(new SlurmAccount("t_proj", "project x 1", "t_proj"));
        assertThat(SacctmgrOutput.accountOrganizations(sacctmgr(commands.listAccountOrganizations()))).containsExactly(
                Map.entry("root", "root"), Map.entry("t_alloc1", "t_proj"), Map.entry("t_cust", "t_cust"),
                Map.entry("t_proj", "t_proj"));
        assertThat(fake.accounts().get("t_alloc1")).isEqualTo(new FakeSlurm.Account("t_alloc1", "alloc 1", "t_proj", "t_proj"));
        assertThat(fake.accounts().get("t_cust").parent()).isEqualTo("root");
    }

    @Test
    void oneShowAccountListsOnlyTheAccountsThatExist() {
        start("waldur-test");
        sacctmgr(commands.addAccount("t_cust", "ACME Corp", "t_cust", "root"));

        assertThat(SacctmgrOutput.accounts(sacctmgr(commands.showAccounts(List.of("t_cust", "t_proj", "t_alloc1")))))
                .containsExactly(new SlurmAccount("t_cust", "acme corp", "t_cust"));
    }

    @Test
    void anAccountAddedWithGrpTresMinsHasThemLikeRealSacctmgrPrinted() {
        start("waldur-test");
        createHierarchy();

        String out = sacctmgr(commands.addAccount("t_alloc2", "Alloc 2", "t_proj", "t_proj", Map.of("cpu", 600L, "mem", 1000L)));

        // sacctmgr 22.05.8 on slurm-local: `add account … GrpTRESMins=cpu=600,mem=1000 cluster=waldur-test`
        assertThat(out).contains(" Settings\n  GrpTRESMins   = cpu=600,mem=1000M\n  Parent        = t_proj\n");
        assertThat(fake.limits("t_alloc2")).isEqualTo(Map.of("cpu", 600L, "mem", 1000L));
        assertThat(fake.accounts().get("t_alloc2").parent()).isEqualTo("t_proj");
        assertThat(fake.limits("t_alloc1")).isEmpty();
    }

    @Test
    void listAccountPrintsWhatRealSacctmgrPrinted() {
        start(null);
        // The unsanitized description of the transcript, to check the fake ends a quoted value like sacctmgr.
        sacctmgr(List.of("add", "account", "t_cust", "description=\"ACME Corp\"", "organization=\"t_cust\"", "parent=\"root\""));
        sacctmgr(List.of("add", "account", "t_proj", "description=\"Project \\\"X\\\" 1\"", "organization=\"t_proj\"",
                "parent=\"t_cust\""));
        sacctmgr(commands.addAccount("t_alloc1", "Alloc 1", "t_proj", "t_proj"));
        assertThat(sacctmgr(List.of("list", "account"))).isEqualTo(
                "root|default root account|root\nt_alloc1|alloc 1|t_proj\nt_cust|acme corp|t_cust\nt_proj|project \\|t_proj\n");
    }

    @Test
    void addingAnExistingAccountIsNothingNewAdded() {
        start(null);
        createHierarchy();
        assertThatThrownBy(() -> sacctmgr(commands.addAccount("t_alloc1", "Alloc 1", "t_proj", "t_proj")))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> {
                    assertThat(e.isNothingNewAdded()).isTrue();
                    assertThat(e.exitCode()).isEqualTo(1);
                });
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "waldur-test")
    void limitsRoundTrip(String clusterFilter) {
        start(clusterFilter);
        createHierarchy();
        TresLimits.Plan plan = TresLimits.forCreation(COMPONENTS, Map.of("cpu", 10, "mem", 10, "gres/gpu", 100));
        Map<String, Long> known = TresLimits.retainKnown(plan.grpTresMins(), SacctmgrOutput.tresNames(sacctmgr(commands.listTres())));
        assertThat(known).isEqualTo(plan.grpTresMins());

        assertThat(sacctmgr(commands.setGrpTresMins("t_alloc1", known))).contains("Modified account associations");
        // same values again: 22.05 still says "Modified" with rc 0
        assertThat(sacctmgr(commands.setGrpTresMins("t_alloc1", known))).contains("Modified account associations");

        String out = run(SlurmTool.SACCTMGR_READ, commands.showLimits("t_alloc1"));
        assertThat(out).isEqualTo("t_alloc1|cpu=600000,gres/gpu=6000,mem=600G\n");
        Map<String, Long> read = SacctmgrOutput.tresLimits(out, "t_alloc1");
        assertThat(read).isEqualTo(plan.grpTresMins()).isEqualTo(fake.limits("t_alloc1"));
        assertThat(TresLimits.toWaldur(COMPONENTS, read)).isEqualTo(plan.waldurLimits());
    }

    @Test
    void unknownTresFailsTheWholeModify() {
        start(null);
        createHierarchy();
        assertThatThrownBy(() -> sacctmgr(commands.setGrpTresMins("t_alloc1", Map.of("gpu", 10L, "cpu", 5L))))
                .isInstanceOf(SlurmCommandException.class)
                .hasMessageContaining("no TRES known by type gpu");
        assertThat(fake.limits("t_alloc1")).isEmpty();
    }

    @Test
    void minusOneRemovesALimit() {
        start(null);
        createHierarchy();
        sacctmgr(commands.setGrpTresMins("t_alloc1", Map.of("cpu", 5L, "mem", 1024L)));
        sacctmgr(commands.setGrpTresMins("t_alloc1", Map.of("cpu", -1L)));
        assertThat(SacctmgrOutput.tresLimits(run(SlurmTool.SACCTMGR_READ, commands.showLimits("t_alloc1")), "t_alloc1"))
                .containsExactly(Map.entry("mem", 1024L));
    }

    @Test
    void modifyOfAMissingAccountLooksLikeSuccess() {
        // Real sacctmgr answers "Nothing modified" (rc 1), which counts as success for a modify: callers must
        // check that the account exists before relying on a limit having been set.
        start(null);
        assertThat(sacctmgr(commands.setGrpTresMins("nosuch", Map.of("cpu", 1L)))).isEmpty();
        assertThat(fake.callLog().get(0).exitCode()).isEqualTo(1);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "waldur-test")
    void usersAreAddedListedAndRemoved(String clusterFilter) {
        start(clusterFilter);
        createHierarchy();
        String absent = sacctmgr(commands.showUserAssociation("alice", "t_alloc1"));
        assertThat(SacctmgrOutput.userAssociationExists(absent, "alice", "t_alloc1")).isFalse();

        sacctmgr(commands.addUser("alice", "t_alloc1", "root"));
        sacctmgr(commands.addUser("Bob", "t_alloc1", "t_alloc1"));

        String alice = sacctmgr(commands.showUserAssociation("alice", "t_alloc1"));
        assertThat(alice).isEqualTo("waldur-test|t_alloc1|alice||parent|||||||||||||normal||\n");
        assertThat(SacctmgrOutput.userAssociationExists(alice, "alice", "t_alloc1")).isTrue();
        assertThat(SacctmgrOutput.associationUsers(sacctmgr(commands.listAssociationUsers("t_alloc1")), "t_alloc1"))
                .containsExactly("alice", "bob");
        // DefaultAccount=root also associates the user with root (slurm.md §4)
        assertThat(fake.associations()).containsExactly(
                new FakeSlurm.Association("root", "alice", ""),
                new FakeSlurm.Association("t_alloc1", "alice", ""),
                new FakeSlurm.Association("t_alloc1", "bob", ""));

        assertThatThrownBy(() -> sacctmgr(commands.addUser("alice", "t_alloc1", "root")))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> assertThat(e.isNothingNewAdded()).isTrue());

        sacctmgr(commands.removeUser("alice", "t_alloc1"));
        assertThat(SacctmgrOutput.associationUsers(sacctmgr(commands.listAssociationUsers("t_alloc1")), "t_alloc1"))
                .containsExactly("bob");
        assertThatThrownBy(() -> sacctmgr(commands.removeUser("alice", "t_alloc1")))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> assertThat(e.isNothingDeleted()).isTrue());
    }

    @Test
    void addingAUserToAMissingAccountFails() {
        start(null);
        assertThatThrownBy(() -> sacctmgr(commands.addUser("alice", "nosuch", null)))
                .isInstanceOf(SlurmCommandException.class).hasMessageContaining("nosuch");
        assertThat(fake.associations()).isEmpty();
    }

    @Test
    void qosSwap() {
        start("waldur-test");
        createHierarchy();
        sacctmgr(commands.addUser("alice", "t_alloc1", "t_alloc1"));
        assertThat(SacctmgrOutput.accountQos(sacctmgr(commands.listAccountQos("t_alloc1")), "t_alloc1")).containsExactly("normal");

        assertThatThrownBy(() -> sacctmgr(commands.setAccountQos("t_alloc1", "paused")))
                .isInstanceOf(SlurmCommandException.class).hasMessageContaining("bad qos 'paused'");

        fake.addQos("paused");
        sacctmgr(commands.setAccountQos("t_alloc1", "paused"));
        assertThat(sacctmgr(commands.listAccountQos("t_alloc1"))).isEqualTo("t_alloc1|paused\nt_alloc1|paused\n");
        assertThat(fake.qos("t_alloc1")).containsExactly("paused");
    }

    @Test
    void terminationRemovesUsersAccountAndUnusedProject() {
        start(null);
        createHierarchy();
        sacctmgr(commands.addUser("alice", "t_alloc1", "t_alloc1"));

        assertThat(run(SlurmTool.SCANCEL, commands.cancelAccountJobs("t_alloc1"))).isEmpty();
        sacctmgr(commands.removeAllUsers("t_alloc1"));
        sacctmgr(commands.removeAccount("t_alloc1"));

        assertThat(SacctmgrOutput.account(sacctmgr(commands.showAccount("t_alloc1")), "t_alloc1")).isEmpty();
        Map<String, String> organizations = SacctmgrOutput.accountOrganizations(sacctmgr(commands.listAccountOrganizations()));
        assertThat(organizations.entrySet().stream()
                .filter(e -> e.getValue().equals("t_proj") && !e.getKey().equals("t_proj"))).isEmpty();
        sacctmgr(commands.removeAccount("t_proj"));
        assertThat(fake.accounts()).containsOnlyKeys("root", "t_cust");
        assertThat(fake.associations()).isEmpty();

        assertThatThrownBy(() -> sacctmgr(commands.removeAccount("t_alloc1")))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> assertThat(e.isNothingDeleted()).isTrue());
    }

    @Test
    void clusterFilteredRemovalKeepsTheAccountRecord() {
        // slurm.md §5: with cluster= only the association goes; show account still finds the account.
        start("waldur-test");
        createHierarchy();
        sacctmgr(commands.removeAccount("t_alloc1"));
        assertThat(SacctmgrOutput.account(sacctmgr(commands.showAccount("t_alloc1")), "t_alloc1")).isPresent();
        assertThat(fake.accounts().get("t_alloc1").parent()).isNull();
        assertThat(SacctmgrOutput.associationUsers(sacctmgr(commands.listAssociationUsers("t_alloc1")), "t_alloc1")).isEmpty();
        assertThatThrownBy(() -> sacctmgr(commands.removeAccount("t_alloc1"))).isInstanceOf(SlurmCommandException.class);
    }

    @Test
    void unknownClusterFindsNothingAndCannotBeWritten() {
        start("elsewhere");
        assertThat(SacctmgrOutput.associationUsers(sacctmgr(commands.listAssociationUsers("root")), "root")).isEmpty();
        assertThatThrownBy(() -> sacctmgr(commands.addAccount("t_cust", "ACME", "t_cust", "root")))
                .isInstanceOf(SlurmCommandException.class).hasMessageContaining("cluster 'elsewhere' doesn't exist");
        assertThatThrownBy(() -> run(SlurmTool.SCANCEL, commands.cancelAccountJobs("t_cust")))
                .isInstanceOf(SlurmCommandException.class).hasMessageContaining("elsewhere");
    }

    @Test
    void injectedFailuresHitTheMatchingCallsOnly() {
        start(null);
        fake.failNext("show account", 2, 1, "sacctmgr: error: Problem talking to the database: Connection refused\n");
        fake.failNext("add account", 1, 1, "sacctmgr: error: something permanent\n");

        assertThat(sacctmgr(commands.listTres())).contains("gres|gpu|1001");
        assertThatThrownBy(() -> sacctmgr(commands.showAccount("t_cust"))).isInstanceOf(SlurmUnavailableException.class);
        assertThatThrownBy(() -> sacctmgr(commands.showAccount("t_cust"))).isInstanceOf(SlurmUnavailableException.class);
        assertThat(sacctmgr(commands.showAccount("t_cust"))).isEmpty();
        assertThatThrownBy(() -> sacctmgr(commands.addAccount("t_cust", "ACME", "t_cust", "root")))
                .isInstanceOf(SlurmCommandException.class).hasMessageContaining("something permanent");
        assertThat(fake.accounts()).doesNotContainKey("t_cust");
        sacctmgr(commands.addAccount("t_cust", "ACME", "t_cust", "root"));

        assertThat(fake.callLog()).extracting(FakeSlurm.Call::injected).containsExactly(false, true, true, false, true, false);
        assertThat(fake.callLog()).extracting(FakeSlurm.Call::exitCode).containsExactly(0, 1, 1, 0, 1, 0);
    }

    @Test
    void recordsExactArgv() {
        start("waldur-test");
        createHierarchy();
        run(SlurmTool.SCANCEL, commands.cancelAccountJobs("t_alloc1"));
        run(SlurmTool.SACCTMGR_READ, commands.showLimits("t_alloc1"));
        assertThat(fake.calls()).isEqualTo(sent);
        assertThat(fake.callLog().get(3).program()).isEqualTo("scancel");
        assertThat(fake.callLog().get(3).command()).containsExactly("--cluster=waldur-test", "-A", "t_alloc1", "-f");
        assertThat(fake.callLog().get(0).command()).startsWith("add", "account", "t_cust");
    }

    @Test
    void refusesWhatRealSacctmgrWouldNotDo() {
        start(null);
        FakeSlurm.Result withoutImmediate = raw(SlurmTool.SACCTMGR_READ, commands.addAccount("t_cust", "ACME", "t_cust", "root"));
        assertThat(withoutImmediate.exitCode()).isEqualTo(3);
        assertThat(withoutImmediate.stderr()).contains("--immediate");
        assertThat(fake.accounts()).doesNotContainKey("t_cust");

        FakeSlurm.Result unknownOption = FakeSlurm.run(List.of(fake.binDir().resolve("sacctmgr").toString(), "--bogus", "list", "tres"));
        assertThat(unknownOption.exitCode()).isEqualTo(1);
        assertThat(unknownOption.stderr()).contains("unrecognized option '--bogus'");

        FakeSlurm.Result badShort = FakeSlurm.run(List.of(fake.binDir().resolve("sacctmgr").toString(), "-x", "list", "tres"));
        assertThat(badShort.exitCode()).isEqualTo(1);

        FakeSlurm.Result table = FakeSlurm.run(List.of(fake.binDir().resolve("sacctmgr").toString(), "list", "tres"));
        assertThat(table.exitCode()).as("table output is not emulated").isEqualTo(2);

        FakeSlurm.Result unknownKey = raw(SlurmTool.SACCTMGR, List.of("show", "account", "colour=blue"));
        assertThat(unknownKey.exitCode()).isEqualTo(1);
        assertThat(unknownKey.stderr()).contains("Unknown condition: colour=blue");

        FakeSlurm.Result scancelOption = FakeSlurm.run(List.of(fake.binDir().resolve("scancel").toString(), "--now", "-A", "x"));
        assertThat(scancelOption.exitCode()).isEqualTo(1);
        FakeSlurm.Result scancelNothing = FakeSlurm.run(List.of(fake.binDir().resolve("scancel").toString(), "-f"));
        assertThat(scancelNothing.exitCode()).isEqualTo(1);
    }

    @Test
    void seededStateIsWhatSacctmgrShows() {
        start(null);
        fake.addAccount("T_Cust", "ACME", "t_cust", "root").addAccount("t_alloc1", "Alloc", "t_cust", "t_cust")
                .addAssociation("t_alloc1", "Carol");
        assertThat(SacctmgrOutput.account(sacctmgr(commands.showAccount("t_cust")), "t_cust"))
                .contains(new SlurmAccount("t_cust", "acme", "t_cust"));
        assertThat(SacctmgrOutput.associationUsers(sacctmgr(commands.listAssociationUsers("t_alloc1")), "t_alloc1"))
                .containsExactly("carol");
        assertThat(fake.calls()).hasSize(2);
        assertThatThrownBy(() -> fake.addAccount("x", "d", "o", "nosuch")).isInstanceOf(IllegalArgumentException.class);

        fake.failNext("list", 1, 1, "boom");
        fake.reset();
        assertThat(fake.calls()).isEmpty();
        assertThat(fake.accounts()).containsOnlyKeys("root");
        assertThat(sacctmgr(commands.listTres())).isNotEmpty();
    }

    @Test
    void versionForDiagnostics() {
        start(null);
        FakeSlurm.Result r = FakeSlurm.run(List.of(fake.binDir().resolve("sacctmgr").toString(), "--version"));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("slurm-wlm 22.05.8\n");
    }
}
