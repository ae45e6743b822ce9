package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected argv are the command lines of the 22.05 replay transcripts (shared/tools/slurm-local). */
class SacctmgrCommandsTest {

    private final SacctmgrCommands plain = new SacctmgrCommands(null);
    private final SacctmgrCommands clustered = new SacctmgrCommands("waldur-test");

    @Test
    void fullArgvPutsBinaryAndPrefixFlagsFirst() {
        assertThat(SacctmgrCommands.argv("/usr/bin", SlurmTool.SACCTMGR, plain.showAccount("t_cust")))
                .containsExactly("/usr/bin/sacctmgr", "--parsable2", "--noheader", "--immediate", "show", "account", "t_cust");
        assertThat(SacctmgrCommands.argv("/opt/slurm/bin/", SlurmTool.SACCTMGR_READ, plain.showLimits("t_alloc1")))
                .containsExactly("/opt/slurm/bin/sacctmgr", "--parsable2", "--noheader",
                        "show", "association", "format=account,GrpTRESMins", "where", "accounts=t_alloc1");
        assertThat(SacctmgrCommands.argv(null, SlurmTool.SCANCEL, plain.cancelAccountJobs("t_alloc1")))
                .containsExactly("/usr/bin/scancel", "-A", "t_alloc1", "-f");
        assertThat(SacctmgrCommands.argv("", SlurmTool.SACCT, List.of("-a")))
                .containsExactly("/usr/bin/sacct", "--parsable2", "--noheader", "-a");
    }

    @Test
    void showAccount() {
        assertThat(plain.showAccount("t_cust")).containsExactly("show", "account", "t_cust");
        assertThat(clustered.showAccount("k_cust")).containsExactly("show", "account", "k_cust", "cluster=waldur-test");
    }

    @Test
    void showAccountsAsksForSeveralInOneCommand() {
        assertThat(plain.showAccounts(List.of("t_cust", "t_proj", "t_alloc1")))
                .containsExactly("show", "account", "t_cust,t_proj,t_alloc1");
        assertThat(clustered.showAccounts(List.of("k_cust")))
                .containsExactly("show", "account", "k_cust", "cluster=waldur-test");
        assertThatThrownBy(() -> plain.showAccounts(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addAccountCanCarryGrpTresMins() {
        Map<String, Long> limits = new LinkedHashMap<>();
        limits.put("mem", 614400L);
        limits.put("cpu", 600000L);
        assertThat(clustered.addAccount("k_alloc1", "Alloc", "k_proj", "k_proj", limits)).containsExactly(
                "add", "account", "k_alloc1", "description=\"Alloc\"", "organization=\"k_proj\"", "parent=\"k_proj\"",
                "GrpTRESMins=cpu=600000,mem=614400", "cluster=waldur-test");
        assertThat(plain.addAccount("a1", "d", "p1", "p1", Map.of())).isEqualTo(plain.addAccount("a1", "d", "p1", "p1"));
        assertThatThrownBy(() -> plain.addAccount("a1", "d", "p1", "p1", Map.of("cpu;x", 1L)))
                .isInstanceOf(InvalidSlurmNameException.class);
    }

    @Test
    void addAccountQuotesSanitizedValues() {
        assertThat(plain.addAccount("t_cust", "ACME Corp", "t_cust", "root")).containsExactly(
                "add", "account", "t_cust", "description=\"ACME Corp\"", "organization=\"t_cust\"", "parent=\"root\"");
        assertThat(clustered.addAccount("k_proj", "Project \"X\"\n 1", "k_proj", "k_cust")).containsExactly(
                "add", "account", "k_proj", "description=\"Project X 1\"", "organization=\"k_proj\"",
                "parent=\"k_cust\"", "cluster=waldur-test");
    }

    @Test
    void addAccountLeavesOutValuesThatAreEmptyAfterSanitizing() {
        assertThat(plain.addAccount("a1", " \"\" ", null, "p1"))
                .containsExactly("add", "account", "a1", "parent=\"p1\"");
    }

    @Test
    void setGrpTresMinsSortsKeysAndPlacesClusterBeforeSet() {
        Map<String, Long> limits = new LinkedHashMap<>();
        limits.put("mem", 614400L);
        limits.put("gres/gpu", 6000L);
        limits.put("cpu", 600000L);
        assertThat(plain.setGrpTresMins("t_alloc1", limits)).containsExactly(
                "modify", "account", "t_alloc1", "set", "GrpTRESMins=cpu=600000,gres/gpu=6000,mem=614400");
        assertThat(clustered.setGrpTresMins("k_alloc1", limits)).containsExactly(
                "modify", "account", "k_alloc1", "cluster=waldur-test", "set", "GrpTRESMins=cpu=600000,gres/gpu=6000,mem=614400");
    }

    @Test
    void setGrpTresMinsRefusesEmptyNegativeAndBadKeys() {
        assertThatThrownBy(() -> plain.setGrpTresMins("a1", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plain.setGrpTresMins("a1", Map.of("cpu", -2L))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plain.setGrpTresMins("a1", Map.of("cpu=1,mem", 1L))).isInstanceOf(InvalidSlurmNameException.class);
        assertThat(plain.setGrpTresMins("a1", Map.of("cpu", -1L))).endsWith("GrpTRESMins=cpu=-1");
    }

    @Test
    void showLimits() {
        assertThat(clustered.showLimits("k_alloc1")).containsExactly(
                "show", "association", "format=account,GrpTRESMins", "where", "accounts=k_alloc1", "cluster=waldur-test");
    }

    @Test
    void associationQueries() {
        assertThat(plain.listAssociationUsers("t_alloc1")).containsExactly(
                "list", "associations", "format=account,user", "where", "account=t_alloc1");
        assertThat(clustered.listAssociationUsers("k_alloc1")).containsExactly(
                "list", "associations", "format=account,user", "where", "account=k_alloc1", "cluster=waldur-test");
        assertThat(clustered.showUserAssociation("alice", "k_alloc1")).containsExactly(
                "show", "association", "where", "user=alice", "account=k_alloc1", "cluster=waldur-test");
    }

    @Test
    void addUser() {
        assertThat(plain.addUser("alice", "t_alloc1", "root")).containsExactly(
                "add", "user", "alice", "account=t_alloc1", "DefaultAccount=root", "Share=parent");
        assertThat(clustered.addUser("bob", "k_alloc1", "k_alloc1")).containsExactly(
                "add", "user", "bob", "account=k_alloc1", "DefaultAccount=k_alloc1", "Share=parent", "cluster=waldur-test");
        assertThat(plain.addUser("erin", "t_alloc1", null)).containsExactly(
                "add", "user", "erin", "account=t_alloc1", "Share=parent");
    }

    @Test
    void removals() {
        assertThat(plain.removeAllUsers("t_alloc1")).containsExactly("remove", "user", "where", "account=t_alloc1");
        assertThat(clustered.removeUser("alice", "k_alloc1")).containsExactly(
                "remove", "user", "where", "name=alice", "and", "account=k_alloc1", "cluster=waldur-test");
        assertThat(clustered.removeAccount("k_alloc1")).containsExactly(
                "remove", "account", "where", "name=k_alloc1", "cluster=waldur-test");
        assertThat(plain.removeAccount("t_proj")).containsExactly("remove", "account", "where", "name=t_proj");
    }

    @Test
    void listings() {
        assertThat(plain.listAccountOrganizations()).containsExactly("list", "account", "format=account,organization");
        assertThat(clustered.listAccountOrganizations()).containsExactly(
                "list", "account", "format=account,organization", "cluster=waldur-test");
        assertThat(clustered.listAccountQos("k_alloc1")).containsExactly(
                "list", "associations", "format=account,qos", "where", "account=k_alloc1", "cluster=waldur-test");
    }

    @Test
    void qosAndTres() {
        assertThat(clustered.setAccountQos("k_alloc1", "paused")).containsExactly(
                "modify", "account", "k_alloc1", "cluster=waldur-test", "set", "qos=paused");
        assertThat(clustered.listTres()).containsExactly("list", "tres");
        assertThatThrownBy(() -> plain.setAccountQos("a1", "normal,paused"))
                .isInstanceOf(InvalidSlurmNameException.class).hasMessageContaining("qos");
    }

    @Test
    void scancelGetsClusterOptionFirst() {
        assertThat(clustered.cancelAccountJobs("k_alloc1")).containsExactly("--cluster=waldur-test", "-A", "k_alloc1", "-f");
    }

    @Test
    void setUserMaxTresMinsMatchesTheTranscripts() {
        Map<String, Long> limits = new LinkedHashMap<>();
        limits.put("cpu", 6000L);
        limits.put("mem", -1L);
        limits.put("gres/gpu", -1L);
        assertThat(plain.setUserMaxTresMins("alice", "t_alloc1", limits)).containsExactly(
                "modify", "user", "alice", "where", "account=t_alloc1", "set", "MaxTRESMins=cpu=6000,gres/gpu=-1,mem=-1");
        // agent-commands-check.cluster.out.txt: cluster= after the where clause, before set
        assertThat(clustered.setUserMaxTresMins("alice", "k_alloc1", Map.of("cpu", 6000L))).containsExactly(
                "modify", "user", "alice", "where", "account=k_alloc1", "cluster=waldur-test", "set", "MaxTRESMins=cpu=6000");
        assertThatThrownBy(() -> plain.setUserMaxTresMins("alice", "a1", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plain.setUserMaxTresMins("alice", "a1", Map.of("cpu", -2L))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void showUserLimitsMatchesTheTranscripts() {
        assertThat(SacctmgrCommands.argv("/usr/bin", SlurmTool.SACCTMGR_READ, plain.showUserLimits("t_alloc1"))).containsExactly(
                "/usr/bin/sacctmgr", "--parsable2", "--noheader",
                "show", "association", "where", "accounts=t_alloc1", "format=Account,MaxTRESMins,User");
        assertThat(clustered.showUserLimits("k_alloc1")).containsExactly(
                "show", "association", "where", "accounts=k_alloc1", "format=Account,MaxTRESMins,User", "cluster=waldur-test");
    }

    @Test
    void periodicSettingsMatchTheTranscripts() {
        assertThat(plain.setFairshare("t_alloc1", 500)).containsExactly("modify", "account", "t_alloc1", "set", "fairshare=500");
        assertThat(clustered.setFairshare("k_alloc1", 500)).containsExactly(
                "modify", "account", "k_alloc1", "cluster=waldur-test", "set", "fairshare=500");
        assertThat(clustered.setAccountLimit("k_alloc1", "GrpTRESMins", "billing", 72000)).containsExactly(
                "modify", "account", "k_alloc1", "cluster=waldur-test", "set", "GrpTRESMins=billing=72000");
        assertThat(plain.resetRawUsage("t_alloc1")).containsExactly("modify", "account", "t_alloc1", "set", "RawUsage=0");
        assertThat(clustered.resetRawUsage("k_alloc1")).containsExactly(
                "modify", "account", "k_alloc1", "cluster=waldur-test", "set", "RawUsage=0");
    }

    @Test
    void setAccountLimitAcceptsOnlyTheThreeLimitTypes() {
        assertThat(plain.setAccountLimit("a1", "maxtresmins", "gres/gpu", 60)).containsExactly(
                "modify", "account", "a1", "set", "MaxTRESMins=gres/gpu=60");
        assertThat(plain.setAccountLimit("a1", "GrpTRES", "cpu", -1)).containsExactly(
                "modify", "account", "a1", "set", "GrpTRES=cpu=-1");
        for (String bad : new String[] {"GrpSubmitJobs", "GrpTRESMins=cpu", "", "RawUsage"}) {
            assertThatThrownBy(() -> plain.setAccountLimit("a1", bad, "cpu", 1))
                    .as(bad).isInstanceOf(InvalidResourceDataException.class).hasMessageContaining("limit type");
        }
        assertThatThrownBy(() -> plain.setAccountLimit("a1", null, "cpu", 1)).isInstanceOf(InvalidResourceDataException.class);
        assertThatThrownBy(() -> plain.setAccountLimit("a1", "GrpTRES", "cpu", -2)).isInstanceOf(InvalidResourceDataException.class);
        assertThatThrownBy(() -> plain.setAccountLimit("a1", "GrpTRES", "cpu=1,mem", 1)).isInstanceOf(InvalidSlurmNameException.class);
        assertThatThrownBy(() -> plain.setFairshare("a1", -1)).isInstanceOf(InvalidResourceDataException.class);
        assertThat(plain.setFairshare("a1", 0)).endsWith("fairshare=0");
    }

    @Test
    void cancelUserJobsMatchesTheTranscripts() {
        assertThat(SacctmgrCommands.argv("/usr/bin", SlurmTool.SCANCEL, plain.cancelUserJobs("root", "t_alloc1")))
                .containsExactly("/usr/bin/scancel", "-u", "root", "-A", "t_alloc1", "-f");
        assertThat(clustered.cancelUserJobs("root", "k_alloc1"))
                .containsExactly("--cluster=waldur-test", "-u", "root", "-A", "k_alloc1", "-f");
    }

    @Test
    void listAccountsWithOrganization() {
        assertThat(plain.listAccountsWithOrganization()).containsExactly("list", "account", "format=account,organization,description");
        assertThat(clustered.listAccountsWithOrganization()).containsExactly(
                "list", "account", "format=account,organization,description", "cluster=waldur-test");
    }

    @Test
    void everyBuilderChecksItsNames() {
        String bad = "a;rm -rf /";
        List<Runnable> builders = List.of(
                () -> plain.showAccount(bad),
                () -> plain.showAccounts(List.of("a1", bad)),
                () -> plain.showAccounts(List.of("a1,a2")),
                () -> plain.addAccount(bad, "d", "o", "root"),
                () -> plain.addAccount("a1", "d", "o", bad),
                () -> plain.setGrpTresMins(bad, Map.of("cpu", 1L)),
                () -> plain.showLimits(bad),
                () -> plain.listAssociationUsers(bad),
                () -> plain.showUserAssociation(bad, "a1"),
                () -> plain.showUserAssociation("u1", bad),
                () -> plain.addUser(bad, "a1", null),
                () -> plain.addUser("u1", bad, null),
                () -> plain.addUser("u1", "a1", bad),
                () -> plain.removeAllUsers(bad),
                () -> plain.removeUser(bad, "a1"),
                () -> plain.removeUser("u1", bad),
                () -> plain.removeAccount(bad),
                () -> plain.setAccountQos(bad, "normal"),
                () -> plain.setAccountQos("a1", bad),
                () -> plain.listAccountQos(bad),
                () -> plain.cancelAccountJobs(bad),
                () -> plain.setUserMaxTresMins(bad, "a1", Map.of("cpu", 1L)),
                () -> plain.setUserMaxTresMins("u1", bad, Map.of("cpu", 1L)),
                () -> plain.showUserLimits(bad),
                () -> plain.setFairshare(bad, 1),
                () -> plain.setAccountLimit(bad, "GrpTRESMins", "cpu", 1),
                () -> plain.resetRawUsage(bad),
                () -> plain.cancelUserJobs(bad, "a1"),
                () -> plain.cancelUserJobs("u1", bad),
                () -> plain.cancelUserJobs("-a", "a1"));
        for (Runnable builder : builders) {
            assertThatThrownBy(builder::run).isInstanceOf(InvalidSlurmNameException.class);
        }
    }

    @Test
    void refusesBadClusterName() {
        assertThatThrownBy(() -> new SacctmgrCommands("x cluster=y")).isInstanceOf(InvalidSlurmNameException.class);
        assertThat(new SacctmgrCommands("  ").showAccount("a1")).containsExactly("show", "account", "a1");
    }

    @Test
    void accountCalledLikeAGlobalEntityStillGetsTheClusterFilter() {
        // The reference agent skips the filter when "qos"/"tres"/"cluster" is among the first three tokens.
        assertThat(clustered.showAccount("qos")).containsExactly("show", "account", "qos", "cluster=waldur-test");
    }

    @Test
    void returnedListsAreImmutable() {
        assertThatThrownBy(() -> plain.showAccount("a1").add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> SacctmgrCommands.argv(null, SlurmTool.SACCTMGR, List.of()).add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
