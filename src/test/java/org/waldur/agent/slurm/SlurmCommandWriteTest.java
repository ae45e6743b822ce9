package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlurmCommandWriteTest {

    @Test
    void sacctmgrAddModifyRemoveAreWritesShowAndOtherProgramsAreNot() {
        assertThat(cmd("/usr/bin/sacctmgr", "--parsable2", "--noheader", "--immediate", "add", "account", "a").isAccountingWrite()).isTrue();
        assertThat(cmd("/usr/bin/sacctmgr", "--immediate", "modify", "account", "a", "set", "fairshare=1").isAccountingWrite()).isTrue();
        assertThat(cmd("/opt/slurm/bin/sacctmgr", "-i", "remove", "user", "where", "account=a").isAccountingWrite()).isTrue();
        assertThat(cmd("/usr/bin/sacctmgr", "--parsable2", "--noheader", "--immediate", "show", "account", "add").isAccountingWrite()).isFalse();
        assertThat(cmd("/usr/bin/sacctmgr", "list", "tres").isAccountingWrite()).isFalse();
        assertThat(cmd("/usr/bin/scancel", "-A", "a", "-f").isAccountingWrite()).isFalse();
        assertThat(cmd("/usr/bin/sacct", "--parsable2", "--accounts=add").isAccountingWrite()).isFalse();
    }

    private static SlurmCommand cmd(String... argv) {
        return new SlurmCommand(List.of(argv));
    }
}
