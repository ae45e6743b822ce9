package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.waldur.agent.errors.PermanentFailure;

class SlurmNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "hpc_alloc1", "T_Proj-1.x", "0abc", "wit_lab", "setup", "andrew", "whereabouts"})
    void acceptsSafeAccountAndUserNames(String name) {
        assertThat(SlurmNames.account("account", name)).isEqualTo(name);
        assertThat(SlurmNames.user("user", name)).isEqualTo(name);
    }

    @Test
    void acceptsSixtyFourCharactersButNotSixtyFive() {
        String max = "a".repeat(64);
        assertThat(SlurmNames.account("account", max)).isEqualTo(max);
        assertThatThrownBy(() -> SlurmNames.account("account", max + "b")).isInstanceOf(InvalidSlurmNameException.class);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"a;rm -rf /", "$(id)", "`id`", "a b", " a", "a ", "a\"b", "a'b", "alice\n", "a\nb", "a\rb",
            "a\tb", "a\u0000b", "ä", "\u0430lice", "a\u200bb", "-rf", "--help", ".hidden", "_x", "a=b", "a,b", "a|b",
            "a/b", "a*", "a>b", "a&b", "set", "SET", "where", "Where", "and", "withassoc", "WithAs", "with", "wopl",
            "tree", "onlyd"})
    void refusesUnsafeAccountAndUserNames(String name) {
        assertThatThrownBy(() -> SlurmNames.account("parent account", name))
                .isInstanceOf(InvalidSlurmNameException.class)
                .isInstanceOf(PermanentFailure.class)
                .hasMessageContaining("parent account");
        assertThatThrownBy(() -> SlurmNames.user("user", name)).isInstanceOf(InvalidSlurmNameException.class);
    }

    @Test
    void messageNamesFieldAndEscapesTheRejectedValue() {
        assertThatThrownBy(() -> SlurmNames.user("offering user", "bob\n\u001b[31mred"))
                .isInstanceOfSatisfying(InvalidSlurmNameException.class, e -> {
                    assertThat(e.getMessage()).startsWith("Invalid offering user: \"bob\\n\\u001b[31mred\"");
                    assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u001b");
                    assertThat(e.field()).isEqualTo("offering user");
                    assertThat(e.rejectedValue()).isEqualTo("bob\n\u001b[31mred");
                });
    }

    @Test
    void keywordRefusalSaysWhy() {
        assertThatThrownBy(() -> SlurmNames.account("account", "Where"))
                .hasMessageContaining("keyword 'where'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"normal", "high-prio_1", "Paused", "debug"})
    void acceptsQosAndPartitionNames(String name) {
        assertThat(SlurmNames.qos("qos", name)).isEqualTo(name);
        assertThat(SlurmNames.partition("partition", name)).isEqualTo(name);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"a.b", "a b", "normal,paused", "q=1", "q;id", "qos\n", "ü"})
    void refusesUnsafeQosAndPartitionNames(String name) {
        assertThatThrownBy(() -> SlurmNames.qos("qos_paused", name))
                .isInstanceOf(InvalidSlurmNameException.class).hasMessageContaining("qos_paused");
        assertThatThrownBy(() -> SlurmNames.partition("default_partition", name))
                .isInstanceOf(InvalidSlurmNameException.class).hasMessageContaining("default_partition");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "mem", "billing", "gres/gpu", "gres/gpu:a100", "fs/disk", "license/matlab"})
    void acceptsTresNames(String name) {
        assertThat(SlurmNames.tres(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"gpu=1", "cpu,mem", "/gpu", "gres/", "gres/gpu/x", "cpu ", "1cpu"})
    void refusesOtherTresNames(String name) {
        assertThatThrownBy(() -> SlurmNames.tres(name)).isInstanceOf(InvalidSlurmNameException.class);
    }

    @Test
    void clusterNames() {
        assertThat(SlurmNames.cluster("waldur-test")).isEqualTo("waldur-test");
        assertThatThrownBy(() -> SlurmNames.cluster("a b")).isInstanceOf(InvalidSlurmNameException.class);
        assertThatThrownBy(() -> SlurmNames.cluster("-x")).isInstanceOf(InvalidSlurmNameException.class);
    }

    @Test
    void sanitizeDescriptionRemovesQuotesAndCollapsesWhitespace() {
        assertThat(SlurmNames.sanitizeDescription("Project \"X\" 1")).isEqualTo("Project X 1");
        assertThat(SlurmNames.sanitizeDescription("  ACME\r\n\tCorp  \n")).isEqualTo("ACME Corp");
        assertThat(SlurmNames.sanitizeDescription("a\u0000b\u00a0c\u2028d")).isEqualTo("a b c d");
        assertThat(SlurmNames.sanitizeDescription("O'Brien | Lab = 1")).isEqualTo("O'Brien | Lab = 1");
        assertThat(SlurmNames.sanitizeDescription("\"\"")).isEmpty();
        assertThat(SlurmNames.sanitizeDescription(null)).isEmpty();
    }
}
