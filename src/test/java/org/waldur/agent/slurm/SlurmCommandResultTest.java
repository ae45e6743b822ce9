package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.waldur.agent.errors.PermanentFailure;
import org.waldur.agent.errors.TransientFailure;

class SlurmCommandResultTest {

    private static final SacctmgrCommands COMMANDS = new SacctmgrCommands(null);
    private static final List<String> SHOW = SacctmgrCommands.argv("/usr/bin", SlurmTool.SACCTMGR, COMMANDS.showAccount("t_cust"));
    private static final List<String> ADD = SacctmgrCommands.argv("/usr/bin", SlurmTool.SACCTMGR,
            COMMANDS.addAccount("t_alloc1", "Alloc 1", "t_proj", "t_proj"));
    private static final List<String> MODIFY = SacctmgrCommands.argv("/usr/bin", SlurmTool.SACCTMGR,
            List.of("modify", "account", "where", "name=t_proj", "set", "parent=t_cust"));

    @Test
    void successReturnsStdout() {
        assertThat(SlurmCommandResult.check(SHOW, 0, "t_cust|acme corp|t_cust\n", "")).isEqualTo("t_cust|acme corp|t_cust\n");
        assertThat(SlurmCommandResult.check(SHOW, 0, null, null)).isEmpty();
    }

    @Test
    void nothingModifiedFromModifyIsSuccess() {
        assertThat(SlurmCommandResult.check(MODIFY, 1, " Nothing modified\n", "")).isEmpty();
        assertThat(SlurmCommandResult.check(MODIFY, 1, "", " Nothing modified\n")).isEmpty();
    }

    @Test
    void nothingModifiedFromAnythingElseIsAFailure() {
        List<String> scancel = List.of("/usr/bin/scancel", "modify");
        assertThatThrownBy(() -> SlurmCommandResult.check(scancel, 1, " Nothing modified\n", ""))
                .isInstanceOf(SlurmCommandException.class);
        assertThatThrownBy(() -> SlurmCommandResult.check(MODIFY, 1, "",
                "sacctmgr: error: You gave a bad qos 'nosuchqos'. Valid QOS's are normal,paused,t_alloc1\n Unknown option: qos=nosuchqos\n"))
                .isInstanceOf(SlurmCommandException.class);
    }

    @Test
    void nothingNewAddedIsPermanentAndRecognisable() {
        assertThatThrownBy(() -> SlurmCommandResult.check(ADD, 1, " Nothing new added.\n", ""))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> {
                    assertThat(e).isInstanceOf(PermanentFailure.class);
                    assertThat(e.isNothingNewAdded()).isTrue();
                    assertThat(e.isNothingDeleted()).isFalse();
                    assertThat(e.exitCode()).isEqualTo(1);
                    assertThat(e.argv()).isEqualTo(ADD);
                    assertThat(e.getMessage()).isEqualTo("Command /usr/bin/sacctmgr --parsable2 --noheader --immediate add account"
                            + " t_alloc1 'description=\"Alloc 1\"' 'organization=\"t_proj\"' 'parent=\"t_proj\"'"
                            + " failed with exit code 1: Nothing new added.");
                });
    }

    @Test
    void nothingDeletedIsRecognisable() {
        assertThatThrownBy(() -> SlurmCommandResult.check(SHOW, 1, " Nothing deleted\n", ""))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> assertThat(e.isNothingDeleted()).isTrue());
    }

    @Test
    void unknownTresIsPermanentWithStderrAndStdoutInTheMessage() {
        String err = "sacctmgr: error: slurmdb_format_tres_str: no TRES known by type gpu\n";
        String out = " Unknown option: GrpTRESMins=gpu=10\n Use keyword 'where' to modify condition\n";
        assertThatThrownBy(() -> SlurmCommandResult.check(MODIFY, 1, out, err))
                .isInstanceOf(SlurmCommandException.class)
                .hasMessageContaining("exit code 1")
                .hasMessageContaining("no TRES known by type gpu")
                .hasMessageContaining("Unknown option: GrpTRESMins=gpu=10");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "sacctmgr: error: Sending PersistInit msg: Connection refused",
            "sacctmgr: error: Problem talking to the database: Connection refused",
            "slurmdbd: error: Problem talking to database",
            "sacctmgr: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:localhost:6819: Connection refused",
            "error: Unable to connect to database",
            "scancel: error: Kill job error on job id 42: Unable to contact slurm controller (connect failure)",
            "sacctmgr: error: Socket timed out on send/recv operation",
            "sacctmgr: error: Connection timed out",
            "sacctmgr: error: slurm_receive_msg: Zero Bytes were transmitted or received",
            "sacctmgr: error: auth_g_create: Munge encode failed: Failed to access \"/run/munge/munge.socket.2\": No such file or directory",
            " Database is busy or waiting for lock from other user."})
    void outagesAreTransient(String stderr) {
        assertThatThrownBy(() -> SlurmCommandResult.check(ADD, 1, "", stderr))
                .isInstanceOf(SlurmUnavailableException.class).isInstanceOf(TransientFailure.class)
                .isNotInstanceOf(PermanentFailure.class);
        assertThatThrownBy(() -> SlurmCommandResult.check(ADD, 1, stderr, ""))
                .as("merged into stdout").isInstanceOf(SlurmUnavailableException.class);
    }

    @Test
    void outageOnStderrWinsOverExitCodeZero() {
        // an empty answer from a failed round trip must not read as "the account does not exist"
        assertThatThrownBy(() -> SlurmCommandResult.check(SHOW, 0, "",
                "sacctmgr: error: Problem talking to the database: Connection refused\n"))
                .isInstanceOf(SlurmUnavailableException.class);
    }

    @Test
    void modifyThatCouldNotReachTheDatabaseIsNotTreatedAsNothingModified() {
        assertThatThrownBy(() -> SlurmCommandResult.check(MODIFY, 1, " Nothing modified\n",
                "sacctmgr: error: Sending PersistInit msg: Connection refused\n"))
                .isInstanceOf(SlurmUnavailableException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {124, 137, 143})
    void killedByTimeoutIsTransient(int rc) {
        assertThatThrownBy(() -> SlurmCommandResult.check(SHOW, rc, "", "")).isInstanceOf(SlurmUnavailableException.class);
    }

    @Test
    void otherFailuresArePermanent() {
        assertThatThrownBy(() -> SlurmCommandResult.check(SHOW, 1, "",
                " Error with request: You can not remove the default account of a user\n Changes Discarded\n"))
                .isInstanceOf(SlurmCommandException.class);
        assertThatThrownBy(() -> SlurmCommandResult.check(SHOW, 2, "", ""))
                .isInstanceOf(SlurmCommandException.class).hasMessageEndingWith("failed with exit code 2");
    }

    @Test
    void messageIsOneLineLimitedAndRedacted() {
        String flood = "Y or N please\n".repeat(10_000);
        List<String> argv = List.of("/usr/bin/sacctmgr", "modify", "x", "password=hunter2", "a\nb");
        assertThatThrownBy(() -> SlurmCommandResult.check(argv, 1, flood, ""))
                .isInstanceOfSatisfying(SlurmCommandException.class, e -> {
                    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("hunter2")
                            .contains("password=***").contains("'a\\nb'").contains("more characters");
                    assertThat(e.getMessage().length()).isLessThan(2500);
                    assertThat(e.stdout()).isEqualTo(flood);
                });
    }
}
