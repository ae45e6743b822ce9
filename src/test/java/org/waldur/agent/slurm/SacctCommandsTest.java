package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected argv are the sacct command lines of the 22.05 replay transcripts (shared/tools/slurm-local). */
class SacctCommandsTest {

    private static final LocalDateTime NOV_START = LocalDateTime.of(2026, 11, 1, 0, 0, 0);
    private static final LocalDateTime NOV_END = LocalDateTime.of(2026, 11, 30, 23, 59, 59);

    private final SacctCommands plain = new SacctCommands(null);
    private final SacctCommands clustered = new SacctCommands("waldur-test");

    @Test
    void usageReportMatchesTheTranscript() {
        assertThat(SacctmgrCommands.argv("/usr/bin", SlurmTool.SACCT, plain.usageReport(List.of("t_alloc1", "t_proj"), NOV_START, NOV_END)))
                .containsExactly("/usr/bin/sacct", "--parsable2", "--noheader", "--noconvert", "--truncate", "--allocations",
                        "--allusers", "--starttime=2026-11-01T00:00:00", "--endtime=2026-11-30T23:59:59",
                        "--accounts=t_alloc1,t_proj", "--format=Account,ReqTRES,Elapsed,User");
    }

    @Test
    void usageReportPutsTheClusterFirst() {
        assertThat(clustered.usageReport(List.of("k_alloc1", "k_proj"), NOV_START, NOV_END)).containsExactly(
                "--cluster=waldur-test", "--noconvert", "--truncate", "--allocations", "--allusers",
                "--starttime=2026-11-01T00:00:00", "--endtime=2026-11-30T23:59:59", "--accounts=k_alloc1,k_proj",
                "--format=Account,ReqTRES,Elapsed,User");
    }

    @Test
    void usageReportDropsFractionsOfSecondsAndTakesBillingMonths() {
        BillingMonth feb = new BillingMonth(java.time.YearMonth.of(2028, 2));
        assertThat(plain.usageReport(List.of("a1"), feb.start().plusNanos(999_000_000), feb.end()))
                .contains("--starttime=2028-02-01T00:00:00", "--endtime=2028-02-29T23:59:59");
    }

    @Test
    void usageReportRefusesNoAccountsBadNamesAndBackwardWindows() {
        assertThatThrownBy(() -> plain.usageReport(List.of(), NOV_START, NOV_END)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plain.usageReport(null, NOV_START, NOV_END)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plain.usageReport(List.of("a1", "a2,a3"), NOV_START, NOV_END)).isInstanceOf(InvalidSlurmNameException.class);
        assertThatThrownBy(() -> plain.usageReport(List.of("a1"), NOV_END, NOV_START)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plain.usageReport(List.of("a1"), NOV_START, NOV_START)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plain.usageReport(List.of("a1"), null, NOV_END)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void activeUserJobs() {
        assertThat(SacctmgrCommands.argv("/usr/bin", SlurmTool.SACCT, plain.activeUserJobs("root", "t_alloc1"))).containsExactly(
                "/usr/bin/sacct", "--parsable2", "--noheader", "-a", "--account=t_alloc1", "--user=root",
                "--state=RUNNING,PENDING,SUSPENDED", "--format=JobID");
        assertThat(clustered.activeUserJobs("root", "k_alloc1")).containsExactly(
                "--cluster=waldur-test", "-a", "--account=k_alloc1", "--user=root", "--state=RUNNING,PENDING,SUSPENDED",
                "--format=JobID");
        assertThatThrownBy(() -> plain.activeUserJobs("root", "a1,a2")).isInstanceOf(InvalidSlurmNameException.class);
        assertThatThrownBy(() -> plain.activeUserJobs("--user=x", "a1")).isInstanceOf(InvalidSlurmNameException.class);
    }

    @Test
    void refusesBadClusterAndReturnsImmutableLists() {
        assertThatThrownBy(() -> new SacctCommands("a --accounts=b")).isInstanceOf(InvalidSlurmNameException.class);
        assertThat(new SacctCommands(" ").activeUserJobs("u1", "a1")).first().isEqualTo("-a");
        assertThatThrownBy(() -> plain.activeUserJobs("u1", "a1").add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> plain.usageReport(List.of("a1"), NOV_START, NOV_END).add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
