package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inputs are lines printed by sacctmgr 22.05.8 in the replay transcripts (shared/tools/slurm-local). */
class SacctmgrOutputTest {

    @Test
    void listAccount() {
        String out = "root|default root account|root\nt_alloc1|alloc 1|t_proj\nt_cust|acme corp|t_cust\nt_proj|project \\|t_proj\n";
        assertThat(SacctmgrOutput.accounts(out)).containsExactly(
                new SlurmAccount("root", "default root account", "root"),
                new SlurmAccount("t_alloc1", "alloc 1", "t_proj"),
                new SlurmAccount("t_cust", "acme corp", "t_cust"),
                new SlurmAccount("t_proj", "project \\", "t_proj"));
    }

    @Test
    void showAccountFindsTheNamedAccountIgnoringCase() {
        assertThat(SacctmgrOutput.account("t_alloc1|alloc 1|t_proj\n", "T_Alloc1"))
                .contains(new SlurmAccount("t_alloc1", "alloc 1", "t_proj"));
        assertThat(SacctmgrOutput.account("", "t_cust")).isEmpty();
        assertThat(SacctmgrOutput.account("t_alloc10|x|y\n", "t_alloc1")).isEmpty();
    }

    @Test
    void messagesWithoutPipeAreIgnored() {
        String out = "No cluster specified, resetting on local cluster waldur-test\nt_alloc1|alloc 1|t_proj\n";
        assertThat(SacctmgrOutput.accounts(out)).containsExactly(new SlurmAccount("t_alloc1", "alloc 1", "t_proj"));
        assertThat(SacctmgrOutput.accounts(null)).isEmpty();
    }

    @Test
    void descriptionWithPipeKeepsNameAndOrganization() {
        assertThat(SacctmgrOutput.accounts("a1|lab | group|p1\r\n"))
                .containsExactly(new SlurmAccount("a1", "lab | group", "p1"));
    }

    @Test
    void associationUsersSkipAccountRowOtherAccountsAndDuplicates() {
        String out = "t_alloc1|\nt_alloc1|alice\nt_alloc1|bob\nt_alloc1|carol\nt_alloc1|dave\nt_alloc1|erin\nt_alloc1|erin\n"
                + "t_alloc10|mallory\n";
        assertThat(SacctmgrOutput.associationUsers(out, "t_alloc1")).containsExactly("alice", "bob", "carol", "dave", "erin");
        assertThat(SacctmgrOutput.associationUsers("t_alloc1|\n", "t_alloc1")).isEmpty();
    }

    @Test
    void userAssociationInDefaultFormat() {
        String out = "waldur-test|t_alloc1|alice||parent|||||||||||||normal||\n";
        assertThat(SacctmgrOutput.userAssociationExists(out, "alice", "t_alloc1")).isTrue();
        assertThat(SacctmgrOutput.userAssociationExists(out, "bob", "t_alloc1")).isFalse();
        assertThat(SacctmgrOutput.userAssociationExists(out, "alice", "t_alloc2")).isFalse();
        assertThat(SacctmgrOutput.userAssociationExists("", "alice", "t_alloc1")).isFalse();
        // the account-level row has an empty user and is not a user association
        assertThat(SacctmgrOutput.userAssociationExists(
                "waldur-test|t_alloc1|||1||||||cpu=600000,gres/gpu=6000,mem=600G|||||||normal||\n", "", "t_alloc1")).isFalse();
    }

    @Test
    void tresLimitsOfTheAccountRow() {
        assertThat(SacctmgrOutput.tresLimits("t_alloc1|cpu=600000,gres/gpu=6000,mem=600G\n", "t_alloc1"))
                .containsExactly(Map.entry("cpu", 600000L), Map.entry("gres/gpu", 6000L), Map.entry("mem", 614400L));
        assertThat(SacctmgrOutput.tresLimits("t_alloc1|\nt_alloc1|\n", "t_alloc1")).isEmpty();
        assertThat(SacctmgrOutput.tresLimits("other|cpu=5\nt_alloc1|cpu=7\n", "t_alloc1")).containsExactly(Map.entry("cpu", 7L));
        assertThat(SacctmgrOutput.tresLimits("", "t_alloc1")).isEmpty();
    }

    @Test
    void listTres() {
        String out = "cpu||1\nmem||2\nenergy||3\nnode||4\nbilling||5\nfs|disk|6\nvmem||7\npages||8\ngres|gpu|1001\n";
        assertThat(SacctmgrOutput.tresNames(out)).containsExactlyInAnyOrder(
                "cpu", "mem", "energy", "node", "billing", "fs/disk", "vmem", "pages", "gres/gpu");
    }

    @Test
    void accountOrganizations() {
        assertThat(SacctmgrOutput.accountOrganizations("root|root\nt_alloc1|t_proj\nt_proj|t_proj\n"))
                .containsExactly(Map.entry("root", "root"), Map.entry("t_alloc1", "t_proj"), Map.entry("t_proj", "t_proj"));
    }

    @Test
    void accountQosIsTheFirstRowsList() {
        assertThat(SacctmgrOutput.accountQos("t_alloc1|normal,t_alloc1\nt_alloc1|normal,t_alloc1\nt_alloc1|normal\n", "t_alloc1"))
                .containsExactly("normal", "t_alloc1");
        assertThat(SacctmgrOutput.accountQos("t_alloc1|paused\n", "t_alloc1")).containsExactly("paused");
        assertThat(SacctmgrOutput.accountQos("t_alloc1|\n", "t_alloc1")).isEmpty();
        assertThat(SacctmgrOutput.accountQos("", "t_alloc1")).isEmpty();
    }

    @Test
    void userTresLimitsFromTheTranscript() {
        // get_resource_user_limits in agent-commands-check.out.txt
        String out = "t_alloc1||\nt_alloc1|cpu=6000|alice\nt_alloc1||bob\nt_alloc1||carol\nt_alloc1||dave\nt_alloc1||erin\nt_alloc1||erin\n";
        Map<String, Map<String, Long>> limits = SacctmgrOutput.userTresLimits(out, "t_alloc1");
        assertThat(limits.keySet()).containsExactly("alice", "bob", "carol", "dave", "erin");
        assertThat(limits.get("alice")).containsExactly(Map.entry("cpu", 6000L));
        assertThat(limits.get("bob")).isEmpty();
    }

    @Test
    void userTresLimitsSkipOtherAccountsAndKeepThePartitionRowWithLimits() {
        String out = "T_ALLOC1|cpu=1|zed\nt_alloc10|cpu=5|alice\nt_alloc1||erin\nt_alloc1|cpu=60,mem=1G|erin\nt_alloc1|cpu=7|erin\n";
        Map<String, Map<String, Long>> limits = SacctmgrOutput.userTresLimits(out, "t_alloc1");
        assertThat(limits.keySet()).containsExactly("zed", "erin");
        assertThat(limits.get("erin")).containsExactly(Map.entry("cpu", 60L), Map.entry("mem", 1024L));
        assertThat(SacctmgrOutput.userTresLimits("", "t_alloc1")).isEmpty();
        assertThatThrownBy(() -> SacctmgrOutput.userTresLimits("t_alloc1|cpu=x|alice\n", "t_alloc1"))
                .isInstanceOf(UnexpectedSlurmOutputException.class);
    }

    @Test
    void accountsWithOrganizationPutTheDescriptionLast() {
        String out = "root|root|default root account\nt_alloc1|t_proj|alloc 1\nt_proj|t_proj|project \\\na1|p1|lab | group\nbare|\n";
        assertThat(SacctmgrOutput.accountsWithOrganization(out)).containsExactly(
                new SlurmAccount("root", "default root account", "root"),
                new SlurmAccount("t_alloc1", "alloc 1", "t_proj"),
                new SlurmAccount("t_proj", "project \\", "t_proj"),
                new SlurmAccount("a1", "lab | group", "p1"),
                new SlurmAccount("bare", "", ""));
    }

    @Test
    void accountQosIsComparesTheWholeList() {
        // get_current_account_qos in the transcript: the account row first, then user rows
        assertThat(SacctmgrOutput.accountQosIs("t_alloc1|paused\nt_alloc1|normal\n", "t_alloc1", "paused")).isTrue();
        assertThat(SacctmgrOutput.accountQosIs("t_alloc1|paused\n", "T_ALLOC1", "PAUSED")).isTrue();
        assertThat(SacctmgrOutput.accountQosIs("t_alloc1|normal,t_alloc1\n", "t_alloc1", "normal")).isFalse();
        assertThat(SacctmgrOutput.accountQosIs("t_alloc1|normal\n", "t_alloc1", "paused")).isFalse();
        assertThat(SacctmgrOutput.accountQosIs("", "t_alloc1", "normal")).isFalse();
    }

    @Test
    void unreadableLimitIsAnErrorNotNoLimit() {
        assertThatThrownBy(() -> SacctmgrOutput.tresLimits("t_alloc1|cpu=lots\n", "t_alloc1"))
                .isInstanceOf(UnexpectedSlurmOutputException.class).hasMessageContaining("cpu");
    }
}
