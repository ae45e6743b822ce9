package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccountPlanTest {

    private final AccountPlan plan = new AccountPlan("hpc_proj", "hpc_alloc", List.of(
            new AccountSpec("hpc_cust", "Customer", "hpc_cust", "root"),
            new AccountSpec("hpc_proj", "Project", "hpc_proj", "hpc_cust"),
            new AccountSpec("hpc_alloc", "Alloc", "hpc_proj", "hpc_proj")));
    private final LimitsPlan limits = new LimitsPlan(Map.of("cpu", 600L), Map.of("cpu", 10L));

    @Test
    void namesAreTheHierarchyCustomerFirst() {
        assertThat(plan.names()).containsExactly("hpc_cust", "hpc_proj", "hpc_alloc");
    }

    @Test
    void nothingListedMeansAllThreeParentsFirstAndTheAllocationCarriesTheLimits() {
        List<AccountSpec> missing = plan.missing("", limits);

        assertThat(missing).extracting(AccountSpec::getName).containsExactly("hpc_cust", "hpc_proj", "hpc_alloc");
        assertThat(missing).extracting(AccountSpec::getGrpTresMins).containsExactly(Map.of(), Map.of(), Map.of("cpu", 600L));
        assertThat(missing.get(2).getParent()).isEqualTo("hpc_proj");
        assertThat(plan.addsAllocationWithLimits(missing)).isTrue();
    }

    @Test
    void listedAccountsAreKeptWhateverTheCaseSacctmgrPrintsThemIn() {
        List<AccountSpec> missing = plan.missing("HPC_CUST|customer|hpc_cust\nhpc_proj|project|hpc_proj\n", limits);

        assertThat(missing).extracting(AccountSpec::getName).containsExactly("hpc_alloc");
    }

    @Test
    void anExistingAllocationIsAdoptedWithoutLimitsOnAnAdd() {
        List<AccountSpec> missing = plan.missing("hpc_alloc|alloc|hpc_proj\n", limits);

        assertThat(missing).extracting(AccountSpec::getName).containsExactly("hpc_cust", "hpc_proj");
        assertThat(missing).noneMatch(AccountSpec::isCarryingLimits);
        assertThat(plan.addsAllocationWithLimits(missing)).isFalse();
    }

    @Test
    void withoutSlurmLimitsNothingIsCarried() {
        assertThat(plan.missing(null, null)).noneMatch(AccountSpec::isCarryingLimits);
        assertThat(plan.missing("", new LimitsPlan(Map.of(), Map.of("cpu", 1L)))).noneMatch(AccountSpec::isCarryingLimits);
        assertThat(plan.addsAllocationWithLimits(plan.missing("", null))).isFalse();
    }

    @Test
    void messageLinesInTheOutputAreNotAccounts() {
        assertThat(plan.missing("No cluster specified, using local cluster waldur-test\n", limits)).hasSize(3);
    }
}
