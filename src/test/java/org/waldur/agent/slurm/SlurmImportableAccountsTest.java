package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.waldur.agent.config.ConfigLoader;

/** Which SLURM accounts an import request offers Waldur (protocol §5.10), and their limits. */
class SlurmImportableAccountsTest {

    private static final String OFFERING = "d629d5e45567425da9cdbdc1af67b32c";

    @TempDir
    Path dir;

    private SlurmGateway gateway(String projectPrefix) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                offerings:
                  - name: "HPC"
                    waldur_api_url: "https://waldur.example.com/api/"
                    waldur_api_token: "t"
                    waldur_offering_uuid: "%s"
                    backend_type: slurm
                    backend_settings:
                      default_account: "def_acct"
                      customer_prefix: "hpc_"
                      project_prefix: "%s"
                      allocation_prefix: "hpc_"
                      slurm_bin_path: "/opt/slurm/bin"
                    backend_components:
                      cpu:
                        unit_factor: 60000
                        accounting_type: limit
                      mem:
                        unit_factor: 61440
                        accounting_type: limit
                """.formatted(OFFERING, projectPrefix));
        return new SlurmGateway(ConfigLoader.load(file));
    }

    private static List<String> names(List<ImportableAccount> accounts) {
        return accounts.stream().map(a -> a.getName() + "@" + a.getProjectSlug()).toList();
    }

    @Test
    void offersAllocationsOfPrefixedProjectsThatWaldurDoesNotHave() throws Exception {
        String listing = String.join("\n",
                "root|root|default root account",
                "def_acct|def_acct|default",
                "hpc_acme|hpc_acme|acme corp",
                "hpc_physics|hpc_physics|physics",
                "hpc_alloc1|hpc_physics|first allocation",
                "HPC_Alloc2|hpc_physics|second",
                "hpc_known|hpc_physics|known",
                "lab_x|chemistry|not the offering's",
                "hpc_bare|hpc_|organization is only the prefix",
                "bad=name|hpc_physics|sacctmgr would misread it",
                "");
        List<Map<String, Object>> waldur = List.of(Map.of("backend_id", "HPC_KNOWN"), Map.of("name", "no backend id"));

        List<ImportableAccount> accounts = gateway("hpc_").importableAccounts(OFFERING, listing, waldur);

        assertThat(names(accounts)).containsExactly("hpc_alloc1@physics", "HPC_Alloc2@physics");
        assertThat(accounts.get(0).getDisplayName()).isEqualTo("first allocation");
    }

    @Test
    void anEmptyProjectPrefixStillSkipsTiersAndRoot() throws Exception {
        String listing = "root|root|root\nphysics|physics|project\nalloc|physics|allocation\n";

        assertThat(names(gateway("").importableAccounts(OFFERING, listing, null))).containsExactly("alloc@physics");
    }

    @Test
    void aDescriptionWithSeparatorsIsKeptAndTheNameStandsInForAMissingOne() throws Exception {
        String listing = "a1|hpc_p|one | two\na2|hpc_p|\n";

        List<ImportableAccount> accounts = gateway("hpc_").importableAccounts(OFFERING, listing, List.of());

        assertThat(accounts).extracting(ImportableAccount::getDisplayName).containsExactly("one | two", "a2");
        assertThat(new ImportableAccount("a3", "x".repeat(200), "p").getDisplayName()).hasSize(150);
    }

    @Test
    void limitsAreReportedInWaldurUnits() throws Exception {
        String listing = "hpc_alloc1|cpu=600000,mem=307200,node=4\nhpc_alloc1|\n";

        assertThat(gateway("hpc_").importLimits(OFFERING, listing, "hpc_alloc1")).isEqualTo(Map.of("cpu", 10L, "mem", 5L));
        assertThat(gateway("hpc_").importLimits(OFFERING, "hpc_other|cpu=1\n", "hpc_alloc1")).isEmpty();
    }

    @Test
    void theListingCommandIsAReadOfAllAccounts() throws Exception {
        assertThat(gateway("hpc_").listAccountsWithOrganization(OFFERING).argv()).containsExactly(
                "/opt/slurm/bin/sacctmgr", "--parsable2", "--noheader", "--immediate",
                "list", "account", "format=account,organization,description");
    }
}
