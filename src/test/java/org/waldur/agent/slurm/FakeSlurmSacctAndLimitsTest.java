package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.waldur.agent.sandbox.slurm.FakeSlurm;

/**
 * Runs the fake sacctmgr/sacct/scancel/id/mkhomedir_helper as processes with argv from the builders
 * ({@link SacctmgrCommands}, {@link SacctCommands}, {@link UnixUserCommands}) and reads the output with the
 * parsers: per-user limits, periodic settings, usage reports, a user's jobs and home directories. Where output is
 * compared with a literal, the literal is what real sacctmgr 22.05.8 printed in the replay transcripts.
 */
class FakeSlurmSacctAndLimitsTest {

    private static final List<Component> COMPONENTS = List.of(
            new Component("cpu", "usage", 60000, null),
            new Component("mem", "usage", 61440, null),
            new Component("gres/gpu", "usage", 60, null));
    private static final Set<String> TYPES = Set.of("cpu", "mem", "gres/gpu");
    private static final BillingMonth NOVEMBER = new BillingMonth(YearMonth.of(2026, 11));

    @TempDir
    Path dir;

    private FakeSlurm fake;
    private SacctmgrCommands commands;
    private SacctCommands sacct;
    private final List<List<String>> sent = new ArrayList<>();

    private void start(String clusterFilter) {
        fake = FakeSlurm.create(dir, FakeSlurm.DEFAULT_CLUSTER);
        commands = new SacctmgrCommands(clusterFilter);
        sacct = new SacctCommands(clusterFilter);
    }

    private FakeSlurm.Result raw(SlurmTool tool, List<String> args) {
        return rawArgv(SacctmgrCommands.argv(fake.binDir().toString(), tool, args));
    }

    private FakeSlurm.Result rawArgv(List<String> argv) {
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

    private String bin(String program) {
        return fake.binDir().resolve(program).toString();
    }

    /** t_cust → t_proj → t_alloc1 with users alice and bob, as in the transcripts. */
    private void createAllocationWithUsers() {
        sacctmgr(commands.addAccount("t_cust", "ACME Corp", "t_cust", "root"));
        sacctmgr(commands.addAccount("t_proj", "Project 1", "t_proj", "t_cust"));
        sacctmgr(commands.addAccount("t_alloc1", "Alloc 1", "t_proj", "t_proj"));
        sacctmgr(commands.addUser("alice", "t_alloc1", "t_alloc1"));
        sacctmgr(commands.addUser("bob", "t_alloc1", "t_alloc1"));
    }

    // --- per-user limits ------------------------------------------------------------------------------

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "waldur-test")
    void userLimitsRoundTrip(String clusterFilter) {
        start(clusterFilter);
        createAllocationWithUsers();
        Set<String> tres = SacctmgrOutput.tresNames(sacctmgr(commands.listTres()));

        String out = sacctmgr(commands.setUserMaxTresMins("alice", "t_alloc1", TresLimits.unsetMissing(Map.of("cpu", 6000L), tres)));
        assertThat(out).isEqualTo(" Modified user associations...\n  C = waldur-test A = t_alloc1             U = alice    \n");

        String listing = run(SlurmTool.SACCTMGR_READ, commands.showUserLimits("t_alloc1"));
        assertThat(listing).isEqualTo("t_alloc1||\nt_alloc1|cpu=6000|alice\nt_alloc1||bob\n");
        Map<String, Map<String, Long>> limits = SacctmgrOutput.userTresLimits(listing, "t_alloc1");
        assertThat(limits).containsOnlyKeys("alice", "bob");
        assertThat(limits.get("alice")).containsExactly(Map.entry("cpu", 6000L));
        assertThat(limits.get("bob")).isEmpty();
        assertThat(fake.userLimits("t_alloc1")).isEqualTo(limits);

        // memory comes back with a unit (600G) and is read back in MB; -1 clears cpu
        sacctmgr(commands.setUserMaxTresMins("alice", "t_alloc1", Map.of("cpu", -1L, "mem", 614400L)));
        listing = run(SlurmTool.SACCTMGR_READ, commands.showUserLimits("t_alloc1"));
        assertThat(listing).contains("t_alloc1|mem=600G|alice\n");
        assertThat(SacctmgrOutput.userTresLimits(listing, "t_alloc1").get("alice")).containsExactly(Map.entry("mem", 614400L));
        assertThat(fake.limits("t_alloc1")).as("account GrpTRESMins untouched").isEmpty();
    }

    @Test
    void userLimitWithAnUnknownTresFailsLikeSacctmgr() {
        start(null);
        createAllocationWithUsers();
        assertThatThrownBy(() -> sacctmgr(commands.setUserMaxTresMins("alice", "t_alloc1", Map.of("gpu", 10L))))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(1);
                    assertThat(e.stderr()).contains("no TRES known by type gpu").contains("Unknown option: MaxTRESMins=gpu=10");
                });
        assertThat(fake.userLimits("t_alloc1").get("alice")).isEmpty();
    }

    @Test
    void userLimitForAUserWithoutAssociationModifiesNothing() {
        start(null);
        createAllocationWithUsers();
        FakeSlurm.Result r = raw(SlurmTool.SACCTMGR, commands.setUserMaxTresMins("carol", "t_alloc1", Map.of("cpu", 1L)));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEqualTo(" Nothing modified\n");
        assertThat(fake.userLimits("t_alloc1")).doesNotContainKey("carol");
    }

    // --- periodic settings ----------------------------------------------------------------------------

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "waldur-test")
    void periodicSettings(String clusterFilter) {
        start(clusterFilter);
        createAllocationWithUsers();

        assertThat(sacctmgr(commands.setFairshare("t_alloc1", 500)))
                .isEqualTo(" Modified account associations...\n  C = waldur-test A = t_alloc1 of t_proj\n");
        assertThat(fake.fairshare("t_alloc1")).isEqualTo("500");
        assertThat(fake.fairshare("t_proj")).isEqualTo("1");

        // one TRES per call, merged into the limits the account has
        assertThat(sacctmgr(commands.setAccountLimit("t_alloc1", "GrpTRESMins", "billing", 72000)))
                .isEqualTo(" Modified account associations...\n  C = waldur-test A = t_alloc1 of t_proj\n");
        sacctmgr(commands.setAccountLimit("t_alloc1", "GrpTRESMins", "cpu", 1000));
        assertThat(SacctmgrOutput.tresLimits(run(SlurmTool.SACCTMGR_READ, commands.showLimits("t_alloc1")), "t_alloc1"))
                .containsExactly(Map.entry("billing", 72000L), Map.entry("cpu", 1000L));
        sacctmgr(commands.setAccountLimit("t_alloc1", "GrpTRESMins", "billing", -1));
        assertThat(fake.limits("t_alloc1")).containsExactly(Map.entry("cpu", 1000L));

        sacctmgr(commands.setAccountLimit("t_alloc1", "MaxTRESMins", "gres/gpu", 60));
        sacctmgr(commands.setAccountLimit("t_alloc1", "GrpTRES", "cpu", 256));
        assertThat(fake.accountLimits("t_alloc1", "MaxTRESMins")).containsExactly(Map.entry("gres/gpu", 60L));
        assertThat(fake.accountLimits("t_alloc1", "GrpTRES")).containsExactly(Map.entry("cpu", 256L));
        assertThat(fake.limits("t_alloc1")).as("GrpTRESMins unchanged").containsExactly(Map.entry("cpu", 1000L));

        String reset = sacctmgr(commands.resetRawUsage("t_alloc1"));
        assertThat(reset).isEqualTo(clusterFilter == null ? "No cluster specified, resetting on local cluster waldur-test\n" : "");
        sacctmgr(commands.resetRawUsage("t_alloc1"));
        assertThat(fake.rawUsageResets("t_alloc1")).isEqualTo(2);
        assertThat(fake.rawUsageResets("t_proj")).isZero();
    }

    @Test
    void periodicLimitWithAnUnknownTresFails() {
        start(null);
        createAllocationWithUsers();
        assertThatThrownBy(() -> sacctmgr(commands.setAccountLimit("t_alloc1", "GrpTRES", "gpu", 1)))
                .isInstanceOf(SlurmCommandException.class).hasMessageContaining("Unknown option: GrpTRES=gpu=1");
        assertThat(fake.accountLimits("t_alloc1", "GrpTRES")).isEmpty();
    }

    // --- QoS and account listing ----------------------------------------------------------------------

    @Test
    void qosSwapIsSeenInTheAccountRow() {
        start("waldur-test");
        createAllocationWithUsers();
        fake.addQos("paused");
        String before = sacctmgr(commands.listAccountQos("t_alloc1"));
        assertThat(SacctmgrOutput.accountQosIs(before, "t_alloc1", "normal")).isTrue();
        sacctmgr(commands.setAccountQos("t_alloc1", "paused"));
        String after = sacctmgr(commands.listAccountQos("t_alloc1"));
        assertThat(after).startsWith("t_alloc1|paused\n");
        assertThat(SacctmgrOutput.accountQosIs(after, "t_alloc1", "paused")).isTrue();
        assertThat(SacctmgrOutput.accountQosIs(after, "t_alloc1", "normal")).isFalse();
    }

    @Test
    void accountsWithOrganization() {
        start("waldur-test");
        createAllocationWithUsers();
        assertThat(SacctmgrOutput.accountsWithOrganization(sacctmgr(commands.listAccountsWithOrganization()))).containsExactly(
                new SlurmAccount("root", "default root account", "root"),
                new SlurmAccount("t_alloc1", "alloc 1", "t_proj"),
                new SlurmAccount("t_cust", "acme corp", "t_cust"),
                new SlurmAccount("t_proj", "project 1", "t_proj"));
    }

    // --- usage report ---------------------------------------------------------------------------------

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "waldur-test")
    void usageReport(String clusterFilter) {
        start(clusterFilter);
        fake.addJob("t_alloc1", "root", "billing=1,cpu=1,mem=100M,node=1", 2, "COMPLETED");
        fake.addJob("t_alloc1", "alice", "billing=4,cpu=4,gres/gpu=2,mem=8G,node=1", 36000, "COMPLETED");
        fake.addJob("t_alloc1", "alice", "billing=1,cpu=1,mem=1G,node=1", 93784, "RUNNING");
        fake.addJob("t_proj", "bob", "billing=1,cpu=2,mem=512M,node=1", 120, "CANCELLED");
        fake.addJob("t_other", "bob", "billing=1,cpu=64,node=1", 360000, "COMPLETED");

        String out = run(SlurmTool.SACCT, sacct.usageReport(List.of("t_alloc1", "t_proj"), NOVEMBER.start(), NOVEMBER.end()));
        assertThat(out).isEqualTo("t_alloc1|billing=1,cpu=1,mem=100M,node=1|00:00:02|root\n"
                + "t_alloc1|billing=4,cpu=4,gres/gpu=2,mem=8G,node=1|10:00:00|alice\n"
                + "t_alloc1|billing=1,cpu=1,mem=1G,node=1|1-02:03:04|alice\n"
                + "t_proj|billing=1,cpu=2,mem=512M,node=1|00:02:00|bob\n");

        Map<String, SacctUsage.AccountUsage> usage = SacctUsage.parse(out, TYPES);
        assertThat(usage).containsOnlyKeys("t_alloc1", "t_proj");
        SacctUsage.AccountUsage alloc = usage.get("t_alloc1");
        assertThat(alloc.users()).containsOnlyKeys("alice", "root");
        // alice: 4 CPU × 600 min + 1 CPU × 93784/60 min
        assertThat(alloc.users().get("alice").get("cpu").multiply(BigDecimal.valueOf(60)))
                .isCloseTo(BigDecimal.valueOf(4 * 36000 + 93784), org.assertj.core.data.Offset.offset(new BigDecimal("1e-25")));
        assertThat(alloc.inWaldurUnits(COMPONENTS).total()).containsExactly(
                Map.entry("cpu", new BigDecimal("0.07")),      // (144000 + 93784 + 2) s / 60 / 60000 = 0.066
                Map.entry("gres/gpu", new BigDecimal("20.00")), // 2 × 600 min / 60
                Map.entry("mem", new BigDecimal("106.05")));    // (8192 × 600 + 1024 × 93784/60 + 100 × 2/60) / 61440
        assertThat(usage.get("t_proj").inWaldurUnits(COMPONENTS).users().get("bob").get("cpu")).isEqualTo(new BigDecimal("0.00"));

        assertThat(fake.callLog("sacct")).singleElement().satisfies(c -> assertThat(c.exitCode()).isZero());
    }

    @Test
    void usageReportOfAnAccountWithoutJobsIsEmpty() {
        start(null);
        fake.addJob("t_other", "bob", "cpu=1", 60, "COMPLETED");
        String out = run(SlurmTool.SACCT, sacct.usageReport(List.of("t_alloc1"), NOVEMBER.start(), NOVEMBER.end()));
        assertThat(out).isEmpty();
        assertThat(SacctUsage.parse(out, TYPES).getOrDefault("t_alloc1", SacctUsage.AccountUsage.NONE)
                .inWaldurUnits(COMPONENTS).total().values()).allSatisfy(v -> assertThat(v).isEqualByComparingTo("0"));
    }

    // --- a user's jobs --------------------------------------------------------------------------------

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = "waldur-test")
    void listAndCancelTheJobsOfOneUserInOneAccount(String clusterFilter) {
        start(clusterFilter);
        fake.addUnixUser("alice").addUnixUser("bob");
        String running = fake.addJob("t_alloc1", "alice", "cpu=1", 60, "RUNNING");
        String pending = fake.addJob("t_alloc1", "alice", "cpu=1", 0, "PENDING");
        String done = fake.addJob("t_alloc1", "alice", "cpu=1", 60, "COMPLETED");
        String bobs = fake.addJob("t_alloc1", "bob", "cpu=1", 60, "RUNNING");
        String elsewhere = fake.addJob("t_alloc2", "alice", "cpu=1", 60, "SUSPENDED");

        String listing = run(SlurmTool.SACCT, sacct.activeUserJobs("alice", "t_alloc1"));
        assertThat(listing).as("jobs and their batch steps").isEqualTo(running + "\n" + running + ".batch\n" + pending + "\n");
        assertThat(SacctOutput.jobIds(listing)).containsExactly(running, pending);

        assertThat(run(SlurmTool.SCANCEL, commands.cancelUserJobs("alice", "t_alloc1"))).isEmpty();
        Map<String, String> states = new java.util.HashMap<>();
        fake.jobs().forEach(j -> states.put(j.id(), j.state()));
        assertThat(states).containsEntry(running, "CANCELLED").containsEntry(pending, "CANCELLED")
                .containsEntry(done, "COMPLETED").containsEntry(bobs, "RUNNING").containsEntry(elsewhere, "SUSPENDED");
        assertThat(SacctOutput.jobIds(run(SlurmTool.SACCT, sacct.activeUserJobs("alice", "t_alloc1")))).isEmpty();

        // the whole account, as at termination
        run(SlurmTool.SCANCEL, commands.cancelAccountJobs("t_alloc1"));
        assertThat(fake.jobs()).filteredOn(j -> j.id().equals(bobs)).singleElement()
                .satisfies(j -> assertThat(j.state()).isEqualTo("CANCELLED"));
        assertThat(fake.jobs()).filteredOn(j -> j.id().equals(elsewhere)).singleElement()
                .satisfies(j -> assertThat(j.state()).isEqualTo("SUSPENDED"));
    }

    @Test
    void sacctAndScancelRefuseUsersThatAreNotUnixUsers() {
        start(null);
        fake.addJob("t_alloc1", "carol", "cpu=1", 60, "RUNNING");
        assertThatThrownBy(() -> run(SlurmTool.SACCT, sacct.activeUserJobs("carol", "t_alloc1")))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> assertThat(e.stderr()).contains("Invalid user id: carol"));
        assertThatThrownBy(() -> run(SlurmTool.SCANCEL, commands.cancelUserJobs("carol", "t_alloc1")))
                .isInstanceOf(SlurmCommandException.class);
        assertThat(fake.jobs()).singleElement().satisfies(j -> assertThat(j.state()).isEqualTo("RUNNING"));
        // root is a Unix user from the start, as on any real host
        assertThat(run(SlurmTool.SACCT, sacct.activeUserJobs("root", "t_alloc1"))).isEmpty();
    }

    @Test
    void sacctRefusesWhatItDoesNotKnow() {
        start(null);
        FakeSlurm.Result unknownOption = raw(SlurmTool.SACCT, List.of("-a", "--format=JobID", "--no-such-option"));
        assertThat(unknownOption.exitCode()).isEqualTo(1);
        assertThat(unknownOption.stderr()).contains("unrecognized option '--no-such-option'");
        FakeSlurm.Result unknownField = raw(SlurmTool.SACCT, List.of("-a", "--format=JobID,Bogus"));
        assertThat(unknownField.exitCode()).isEqualTo(1);
        assertThat(unknownField.stdout() + unknownField.stderr()).contains("Invalid field requested: \"Bogus\"");
        FakeSlurm.Result badState = raw(SlurmTool.SACCT, List.of("-a", "--state=DREAMING", "--format=JobID"));
        assertThat(badState.exitCode()).isEqualTo(1);
        // real options the fake does not emulate are a test bug (rc 2), not a SLURM answer
        assertThat(raw(SlurmTool.SACCT, List.of("-a", "--format=JobID", "--json")).exitCode()).isEqualTo(2);
        assertThat(rawArgv(List.of(bin("sacct"), "-a", "--format=JobID")).exitCode()).as("table output").isEqualTo(2);
        assertThat(raw(SlurmTool.SACCT, List.of("-a", "--format=Account,ReqTRES")).exitCode()).as("ReqTRES needs --noconvert").isEqualTo(2);
    }

    // --- Unix users and home directories --------------------------------------------------------------

    @Test
    void idTellsWhetherAUnixUserExists() {
        start(null);
        List<String> argv = UnixUserCommands.userId(bin("id"), "alice");
        FakeSlurm.Result missing = rawArgv(argv);
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).isEqualTo("id: 'alice': no such user\n");
        assertThat(UnixUserCommands.userExists(argv, missing.exitCode(), missing.stdout(), missing.stderr())).isFalse();

        fake.addUnixUser("alice");
        FakeSlurm.Result found = rawArgv(argv);
        assertThat(found.stdout()).matches("\\d+\n");
        assertThat(UnixUserCommands.userExists(argv, found.exitCode(), found.stdout(), found.stderr())).isTrue();
        assertThat(fake.callLog("id")).extracting(FakeSlurm.Call::exitCode).containsExactly(1, 0);
    }

    @Test
    void mkhomedirHelperIsRecorded() {
        start(null);
        fake.addUnixUser("alice");
        FakeSlurm.Result ok = rawArgv(UnixUserCommands.mkhomedir(bin("mkhomedir_helper"), "alice", "0077"));
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.stdout() + ok.stderr()).isEmpty();
        FakeSlurm.Result unknownUser = rawArgv(UnixUserCommands.mkhomedir(bin("mkhomedir_helper"), "bob", "0700"));
        assertThat(unknownUser.exitCode()).as("PAM_USER_UNKNOWN").isEqualTo(10);

        assertThat(fake.homedirCalls()).containsExactly(new FakeSlurm.HomedirCall("alice", "0077"));
        assertThat(fake.callLog("mkhomedir_helper")).extracting(FakeSlurm.Call::argv).containsExactly(
                List.of(bin("mkhomedir_helper"), "alice", "0077"), List.of(bin("mkhomedir_helper"), "bob", "0700"));
        assertThat(dir.resolve("alice")).doesNotExist();
    }
}
