package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlurmWritesTest {

    @Test
    void sacctmgrAddModifyRemoveAreWritesShowAndOtherProgramsAreNot() {
        assertThat(SlurmWrites.isWrite(cmd("/usr/bin/sacctmgr", "--parsable2", "--noheader", "--immediate", "add", "account", "a"))).isTrue();
        assertThat(SlurmWrites.isWrite(cmd("/usr/bin/sacctmgr", "--immediate", "modify", "account", "a", "set", "fairshare=1"))).isTrue();
        assertThat(SlurmWrites.isWrite(cmd("/opt/slurm/bin/sacctmgr", "-i", "remove", "user", "where", "account=a"))).isTrue();
        assertThat(SlurmWrites.isWrite(cmd("/usr/bin/sacctmgr", "--parsable2", "--noheader", "--immediate", "show", "account", "add"))).isFalse();
        assertThat(SlurmWrites.isWrite(cmd("/usr/bin/sacctmgr", "list", "tres"))).isFalse();
        assertThat(SlurmWrites.isWrite(cmd("/usr/bin/scancel", "-A", "a", "-f"))).isFalse();
        assertThat(SlurmWrites.isWrite(cmd("/usr/bin/sacct", "--parsable2", "--accounts=add"))).isFalse();
    }

    private static SlurmCommand cmd(String... argv) {
        return new SlurmCommand(List.of(argv));
    }
}
