package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Report lines as sacct 22.05 prints them for {@link SacctCommands#usageReport} (slurm.md §7). */
class SacctUsageTest {

    // The usual factors (slurm.md §3): k-Hours → CPU-minutes, GB-Hours → MB-minutes, GPU-Hours → GPU-minutes.
    private static final List<Component> COMPONENTS = List.of(
            new Component("cpu", "usage", 60000, null),
            new Component("mem", "usage", 61440, null),
            new Component("gres/gpu", "usage", 60, null));
    private static final Set<String> TYPES = Set.of("cpu", "mem", "gres/gpu");

    private static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }

    @Test
    void theRealLineFromTheVerificationRun() {
        Map<String, SacctUsage.AccountUsage> usage = SacctUsage.parse("acc1|billing=1,cpu=1,mem=100M,node=1|00:00:02|root\n", TYPES);
        SacctUsage.AccountUsage acc1 = usage.get("acc1");
        // 1 CPU × 2 s = 1/30 CPU-minute; 100 MB × 2 s = 10/3 MB-minutes; billing and node are not components
        assertThat(acc1.total().keySet()).containsExactly("cpu", "mem");
        assertThat(acc1.total().get("cpu").multiply(BigDecimal.valueOf(30))).isCloseTo(BigDecimal.ONE, org.assertj.core.data.Offset.offset(dec("1e-30")));
        assertThat(acc1.total().get("mem").multiply(BigDecimal.valueOf(3))).isCloseTo(BigDecimal.TEN, org.assertj.core.data.Offset.offset(dec("1e-30")));
        assertThat(acc1.users()).containsOnlyKeys("root");
        assertThat(acc1.users().get("root")).isEqualTo(acc1.total());
    }

    @Test
    void aTwoMinuteOneCpuJobRoundsToZeroKiloHours() {
        SacctUsage.AccountUsage usage = SacctUsage.parse("acc1|billing=1,cpu=1,node=1|00:02:00|root\n", TYPES).get("acc1");
        assertThat(usage.total().get("cpu")).isEqualByComparingTo("2");
        Map<String, BigDecimal> waldur = SacctUsage.toWaldur(usage.total(), COMPONENTS);
        assertThat(waldur.get("cpu").toPlainString()).isEqualTo("0.00");
        // every component is reported, zero when unused
        assertThat(waldur).containsOnlyKeys("cpu", "mem", "gres/gpu");
        assertThat(waldur.get("gres/gpu").toPlainString()).isEqualTo("0.00");
    }

    @Test
    void aggregatesPerUserAndPerAccount() {
        String out = String.join("\n",
                "t_alloc1|billing=4,cpu=4,gres/gpu=2,mem=8G,node=1|10:00:00|alice",
                "t_alloc1|billing=2,cpu=2,mem=1G,node=1|05:00:00|alice",
                "t_alloc1|billing=1,cpu=1,mem=512M,node=1|1-00:00:00|bob",
                "t_proj|billing=1,cpu=1,mem=100M,node=1|00:00:30|carol", "");
        Map<String, SacctUsage.AccountUsage> usage = SacctUsage.parse(out, TYPES);
        assertThat(usage).containsOnlyKeys("t_alloc1", "t_proj");

        SacctUsage.AccountUsage alloc = usage.get("t_alloc1");
        Map<String, BigDecimal> alice = alloc.users().get("alice");
        assertThat(alice.get("cpu")).isEqualByComparingTo("3000");          // 4×600 + 2×300
        assertThat(alice.get("mem")).isEqualByComparingTo("5222400");       // 8192×600 + 1024×300
        assertThat(alice.get("gres/gpu")).isEqualByComparingTo("1200");     // 2×600
        Map<String, BigDecimal> bob = alloc.users().get("bob");
        assertThat(bob.get("cpu")).isEqualByComparingTo("1440");
        assertThat(bob.get("mem")).isEqualByComparingTo("737280");          // 512×1440
        assertThat(bob).doesNotContainKey("gres/gpu");
        assertThat(alloc.total().get("cpu")).isEqualByComparingTo("4440");
        assertThat(alloc.total().get("mem")).isEqualByComparingTo("5959680");
        assertThat(alloc.total().get("gres/gpu")).isEqualByComparingTo("1200");

        SacctUsage.AccountUsage waldur = alloc.inWaldurUnits(COMPONENTS);
        assertThat(waldur.total()).containsExactly(
                Map.entry("cpu", dec("0.07")),        // 4440 / 60000 = 0.074
                Map.entry("gres/gpu", dec("20.00")),  // 1200 / 60
                Map.entry("mem", dec("97.00")));      // 5959680 / 61440
        assertThat(waldur.users().get("bob")).containsExactly(
                Map.entry("cpu", dec("0.02")), Map.entry("gres/gpu", dec("0.00")), Map.entry("mem", dec("12.00")));
        assertThat(waldur.users().get("alice").get("mem")).isEqualTo(dec("85.00"));

        assertThat(usage.get("t_proj").users()).containsOnlyKeys("carol");
    }

    @Test
    void accountsAreFoundIgnoringCaseAndMissingOnesHaveNoUsage() {
        Map<String, SacctUsage.AccountUsage> usage = SacctUsage.parse("T_Alloc1|cpu=1|00:01:00|alice\n", TYPES);
        assertThat(usage.get("t_alloc1").total().get("cpu")).isEqualByComparingTo("1");
        SacctUsage.AccountUsage none = usage.getOrDefault("t_alloc2", SacctUsage.AccountUsage.NONE);
        assertThat(none.users()).isEmpty();
        assertThat(none.inWaldurUnits(COMPONENTS).total()).containsExactly(
                Map.entry("cpu", dec("0.00")), Map.entry("gres/gpu", dec("0.00")), Map.entry("mem", dec("0.00")));
        // accounts with no jobs print nothing, rc 0 (slurm.md §7)
        assertThat(SacctUsage.parse("", TYPES)).isEmpty();
        assertThat(SacctUsage.parse(null, TYPES)).isEmpty();
    }

    @Test
    void linesWithoutComponentTresOrWithoutAnAccountContributeNothing() {
        String out = "t_alloc1||00:10:00|alice\nt_alloc1|billing=5,node=1|00:10:00|bob\n|cpu=8|01:00:00|carol\n"
                + "t_alloc1|cpu=1|00:10:00|\n";
        Map<String, SacctUsage.AccountUsage> usage = SacctUsage.parse(out, TYPES);
        assertThat(usage).containsOnlyKeys("t_alloc1");
        // the job without a user counts for the account, not for anyone
        assertThat(usage.get("t_alloc1").users()).isEmpty();
        assertThat(usage.get("t_alloc1").total()).containsOnlyKeys("cpu");
        assertThat(usage.get("t_alloc1").total().get("cpu")).isEqualByComparingTo("10");
    }

    @Test
    void messagesWithoutPipeAreSkippedAndBrokenRecordsFail() {
        assertThat(SacctUsage.parse("sacct: note: something\nacc1|cpu=1|00:01:00|root\r\n", TYPES).get("acc1").total().get("cpu"))
                .isEqualByComparingTo("1");
        assertThatThrownBy(() -> SacctUsage.parse("acc1|cpu=1|00:01:00\n", TYPES)).isInstanceOf(UnexpectedSlurmOutputException.class);
        assertThatThrownBy(() -> SacctUsage.parse("acc1|cpu=1|soon|root\n", TYPES))
                .isInstanceOf(UnexpectedSlurmOutputException.class).hasMessageContaining("Elapsed");
        assertThatThrownBy(() -> SacctUsage.parse("acc1|cpu=many|00:01:00|root\n", TYPES))
                .isInstanceOf(UnexpectedSlurmOutputException.class).hasMessageContaining("cpu");
        // an unreadable value of a TRES that is not a component does not matter
        assertThat(SacctUsage.parse("acc1|cpu=1,energy=n/a|00:01:00|root\n", TYPES)).containsKey("acc1");
    }

    @Test
    void elapsedFormats() {
        assertThat(SacctUsage.elapsedSeconds("00:00:02")).isEqualByComparingTo("2");
        assertThat(SacctUsage.elapsedSeconds("1-02:03:04")).isEqualByComparingTo("93784");
        assertThat(SacctUsage.elapsedSeconds("100:00:00")).isEqualByComparingTo("360000");   // hours beyond 24
        assertThat(SacctUsage.elapsedSeconds("12-100:00:01")).isEqualByComparingTo("1396801");
        assertThat(SacctUsage.elapsedSeconds("00:00:02.500000")).isEqualByComparingTo("2.5");
        assertThat(SacctUsage.elapsedSeconds("05:30")).isEqualByComparingTo("330");
        assertThat(SacctUsage.elapsedSeconds(" 00:01:00 ")).isEqualByComparingTo("60");
        for (String bad : new String[] {"", "2", "1-02:03", "INVALID", "00:00:-1", "a-00:00:01"}) {
            assertThatThrownBy(() -> SacctUsage.elapsedSeconds(bad)).as(bad).isInstanceOf(UnexpectedSlurmOutputException.class);
        }
    }

    @Test
    void amountSuffixesArePowersOfTwoAndMemIsMegabytes() {
        assertThat(SacctUsage.amount("mem", "100M")).isEqualByComparingTo("100");
        assertThat(SacctUsage.amount("mem", "1G")).isEqualByComparingTo("1024");
        assertThat(SacctUsage.amount("mem", "2T")).isEqualByComparingTo("2097152");
        assertThat(SacctUsage.amount("mem", "512K")).isEqualByComparingTo("0.5");
        assertThat(SacctUsage.amount("mem", "4000")).isEqualByComparingTo("4000");   // SLURM's own unit, MB
        assertThat(SacctUsage.amount("cpu", "2K")).isEqualByComparingTo("2048");
        assertThat(SacctUsage.amount("gres/gpu", "3")).isEqualByComparingTo("3");
    }

    @Test
    void waldurValuesAreRoundedHalfUpToTwoDecimals() {
        // 5 CPU-minutes / 1000 = 0.005 exactly: half up gives 0.01 (half even would give 0.00)
        List<Component> perThousand = List.of(new Component("cpu", "usage", 1000, null));
        assertThat(SacctUsage.toWaldur(Map.of("cpu", dec("5")), perThousand).get("cpu")).isEqualTo(dec("0.01"));
        assertThat(SacctUsage.toWaldur(Map.of("cpu", dec("4.999")), perThousand).get("cpu")).isEqualTo(dec("0.00"));
        // a unit factor below 1 multiplies; the result is still a plain 2-decimal string
        List<Component> half = List.of(new Component("cpu", "usage", 0.5, null));
        assertThat(SacctUsage.toWaldur(Map.of("cpu", dec("1234567")), half).get("cpu").toPlainString()).isEqualTo("2469134.00");
    }

    @Test
    void resultMapsAreImmutable() {
        Map<String, SacctUsage.AccountUsage> usage = SacctUsage.parse("acc1|cpu=1|00:01:00|root\n", TYPES);
        assertThatThrownBy(() -> usage.put("x", SacctUsage.AccountUsage.NONE)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> usage.get("acc1").users().get("root").put("mem", BigDecimal.ONE))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> usage.get("acc1").total().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
