package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlurmUnixUserCommandsTest {

    @Test
    void mkhomedirIsPlainArgv() {
        assertThat(UnixUserCommands.mkhomedir(UnixUserCommands.DEFAULT_MKHOMEDIR_HELPER, "alice", UnixUserCommands.DEFAULT_UMASK))
                .containsExactly("/sbin/mkhomedir_helper", "alice", "0077");
        assertThat(UnixUserCommands.mkhomedir("/usr/sbin/mkhomedir_helper", "bob", "0700"))
                .containsExactly("/usr/sbin/mkhomedir_helper", "bob", "0700");
    }

    @Test
    void mkhomedirRefusesUmasksThatAreNotFourOctalDigits() {
        for (String bad : new String[] {"077", "77", "0777 ", "0800", "00777", "0o77", "-0077", ""}) {
            assertThatThrownBy(() -> UnixUserCommands.mkhomedir("/sbin/mkhomedir_helper", "alice", bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("umask");
        }
        assertThatThrownBy(() -> UnixUserCommands.mkhomedir("/sbin/mkhomedir_helper", "alice", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesAndBinariesAreChecked() {
        assertThatThrownBy(() -> UnixUserCommands.mkhomedir("/sbin/mkhomedir_helper", "../etc", "0077"))
                .isInstanceOf(InvalidSlurmNameException.class);
        assertThatThrownBy(() -> UnixUserCommands.userId("id", "-a")).isInstanceOf(InvalidSlurmNameException.class);
        assertThatThrownBy(() -> UnixUserCommands.userId(" ", "alice")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnixUserCommands.userId("--help", "alice")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnixUserCommands.mkhomedir(null, "alice", "0077")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void userIdIsPlainArgv() {
        assertThat(UnixUserCommands.userId(UnixUserCommands.DEFAULT_ID, "alice")).containsExactly("id", "-u", "alice");
        assertThat(UnixUserCommands.userId("/usr/bin/id", "alice")).containsExactly("/usr/bin/id", "-u", "alice");
    }

    @Test
    void userExistsReadsIdsAnswers() {
        List<String> argv = List.of("id", "-u", "alice");
        assertThat(UnixUserCommands.userExists(argv, 0, "1001\n", "")).isTrue();
        // check_user_exists in the transcripts (UTF-8 quotes), and the C locale's plain quotes
        assertThat(UnixUserCommands.userExists(argv, 1, "", "id: \u2018alice\u2019: no such user\n")).isFalse();
        assertThat(UnixUserCommands.userExists(argv, 1, "", "id: 'alice': no such user\n")).isFalse();
        assertThatThrownBy(() -> UnixUserCommands.userExists(argv, 1, "", "id: cannot find name for group ID 5\n"))
                .isInstanceOf(SlurmCommandException.class);
        assertThatThrownBy(() -> UnixUserCommands.userExists(argv, 0, "", "")).isInstanceOf(SlurmCommandException.class);
        assertThatThrownBy(() -> UnixUserCommands.userExists(argv, 143, "", "")).isInstanceOf(SlurmUnavailableException.class);
    }
}
