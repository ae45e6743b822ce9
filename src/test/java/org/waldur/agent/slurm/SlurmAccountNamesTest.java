package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.waldur.agent.errors.PermanentFailure;

class SlurmAccountNamesTest {

    private static final String UUID = "9f1c3a2b4d5e4f60a1b2c3d4e5f60718";
    private final AccountNames names = new AccountNames("c_", "p_", "HPC_");

    @Test
    void prefixesPlusSlugsLowercased() {
        assertThat(names.forResource(UUID, "ACME", "Proj-1", "Alloc.One"))
                .isEqualTo(new AccountNames.Hierarchy("c_acme", "p_proj-1", "hpc_alloc.one"));
    }

    @Test
    void nullPrefixesCountAsEmpty() {
        assertThat(new AccountNames(null, null, null).allocation(UUID, "a1")).isEqualTo("a1");
    }

    @Test
    void missingSlugsArePermanentFailuresNamingTheResource() {
        assertThatThrownBy(() -> names.customer(UUID, null))
                .isInstanceOf(InvalidResourceDataException.class).isInstanceOf(PermanentFailure.class)
                .hasMessage("Resource " + UUID + " has no customer_slug");
        assertThatThrownBy(() -> names.project(UUID, " ")).hasMessage("Resource " + UUID + " has no project_slug");
        assertThatThrownBy(() -> names.allocation(UUID, "")).hasMessage("Resource " + UUID + " has no slug");
        assertThatThrownBy(() -> names.forResource(UUID, "acme", null, "a1")).hasMessageContaining("project_slug");
    }

    @Test
    void unsafeResultsAreRefusedWithTheTier() {
        assertThatThrownBy(() -> names.allocation(UUID, "a;id"))
                .isInstanceOf(InvalidSlurmNameException.class).hasMessageContaining("allocation account");
        assertThatThrownBy(() -> names.customer(UUID, "x".repeat(63)))
                .isInstanceOf(InvalidSlurmNameException.class).hasMessageContaining("customer account");
        assertThatThrownBy(() -> new AccountNames("", "", "").allocation(UUID, "Where"))
                .isInstanceOf(InvalidSlurmNameException.class);
        assertThatThrownBy(() -> new AccountNames("-", "", "").customer(UUID, "acme"))
                .isInstanceOf(InvalidSlurmNameException.class);
    }
}
