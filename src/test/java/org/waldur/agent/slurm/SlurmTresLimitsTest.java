package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.waldur.agent.errors.PermanentFailure;

class SlurmTresLimitsTest {

    // The usual factors (slurm.md §3): k-Hours → CPU-minutes, GB-Hours → MB-minutes, GPU-Hours → GPU-minutes.
    private static final Component CPU = new Component("cpu", "limit", 60000, null);
    private static final Component MEM = new Component("mem", "limit", 61440, null);
    private static final Component GPU = new Component("gres/gpu", "limit", 60, null);
    private static final List<Component> LIMIT_COMPONENTS = List.of(CPU, MEM, GPU);

    @Test
    void limitComponentsTakeTheResourceLimitTimesUnitFactor() {
        TresLimits.Plan plan = TresLimits.forCreation(LIMIT_COMPONENTS, Map.of("cpu", 10, "mem", 10, "gres/gpu", 100));
        assertThat(plan.grpTresMins()).containsExactly(
                Map.entry("cpu", 600000L), Map.entry("gres/gpu", 6000L), Map.entry("mem", 614400L));
        assertThat(plan.waldurLimits()).containsExactly(Map.entry("cpu", 10L), Map.entry("gres/gpu", 100L), Map.entry("mem", 10L));
        assertThat(plan.isEmpty()).isFalse();
    }

    @Test
    void usageComponentsWithAFixedLimitUseThatLimit() {
        List<Component> components = List.of(new Component("cpu", "usage", 60000, 5.0), new Component("mem", "usage", 61440, null));
        TresLimits.Plan plan = TresLimits.forCreation(components, Map.of("cpu", 99, "mem", 99));
        assertThat(plan.grpTresMins()).containsExactly(Map.entry("cpu", 300000L));
        assertThat(plan.waldurLimits()).containsExactly(Map.entry("cpu", 5L));
    }

    @Test
    void missingLimitsAndPrepaidComponentsGiveNothing() {
        assertThat(TresLimits.forCreation(LIMIT_COMPONENTS, null).isEmpty()).isTrue();
        assertThat(TresLimits.forCreation(List.of(new Component("cpu", "one", 60000, null)), Map.of("cpu", 1)).isEmpty()).isTrue();
        Map<String, Number> withNull = new HashMap<>();
        withNull.put("cpu", null);
        assertThat(TresLimits.forCreation(LIMIT_COMPONENTS, withNull).isEmpty()).isTrue();
    }

    @Test
    void valuesAreTruncatedAfterDecimalMultiplication() {
        Component pct = new Component("billing", "limit", 100, null);
        // binary floating point gives 0.29 * 100 = 28.999999999999996
        assertThat(TresLimits.toSlurm(List.of(pct), Map.of("billing", 0.29))).containsExactly(Map.entry("billing", 29L));
        assertThat(TresLimits.toSlurm(List.of(pct), Map.of("billing", 0.295))).containsExactly(Map.entry("billing", 29L));
        assertThat(TresLimits.toSlurm(List.of(CPU), Map.of("cpu", new BigDecimal("1.5")))).containsExactly(Map.entry("cpu", 90000L));
        assertThat(TresLimits.forCreation(List.of(CPU), Map.of("cpu", 2.5)).waldurLimits()).containsExactly(Map.entry("cpu", 2L));
    }

    @Test
    void toSlurmIgnoresUnconfiguredComponents() {
        assertThat(TresLimits.toSlurm(List.of(CPU), Map.of("cpu", 1L, "storage", 5L))).containsExactly(Map.entry("cpu", 60000L));
    }

    @Test
    void toWaldurDividesAndTruncates() {
        assertThat(TresLimits.toWaldur(LIMIT_COMPONENTS, Map.of("cpu", 600000L, "mem", 614400L, "gres/gpu", 6059L, "node", 3L)))
                .containsExactly(Map.entry("cpu", 10L), Map.entry("gres/gpu", 100L), Map.entry("mem", 10L));
        assertThat(TresLimits.toWaldur(List.of(CPU), Map.of("cpu", 59999L))).containsExactly(Map.entry("cpu", 0L));
    }

    @Test
    void roundTripThroughSacctmgrOutput() {
        Map<String, Long> slurm = TresLimits.forCreation(LIMIT_COMPONENTS, Map.of("cpu", 10, "mem", 10, "gres/gpu", 100)).grpTresMins();
        Map<String, Long> read = SacctmgrOutput.tresLimits("t_alloc1|cpu=600000,gres/gpu=6000,mem=600G\n", "t_alloc1");
        assertThat(read).isEqualTo(slurm);
        assertThat(TresLimits.toWaldur(LIMIT_COMPONENTS, read)).containsExactly(
                Map.entry("cpu", 10L), Map.entry("gres/gpu", 100L), Map.entry("mem", 10L));
    }

    @Test
    void badLimitsArePermanentFailures() {
        assertThatThrownBy(() -> TresLimits.toSlurm(List.of(CPU), Map.of("cpu", -1)))
                .isInstanceOf(InvalidResourceDataException.class).isInstanceOf(PermanentFailure.class).hasMessageContaining("cpu");
        assertThatThrownBy(() -> TresLimits.toSlurm(List.of(CPU), Map.of("cpu", Double.NaN)))
                .isInstanceOf(InvalidResourceDataException.class);
        assertThatThrownBy(() -> TresLimits.toSlurm(List.of(CPU), Map.of("cpu", 1e300)))
                .isInstanceOf(InvalidResourceDataException.class).hasMessageContaining("too large");
    }

    @Test
    void retainKnownDropsTresSlurmDoesNotHave() {
        assertThat(TresLimits.retainKnown(Map.of("cpu", 1L, "gpu", 2L), Set.of("cpu", "gres/gpu"))).containsExactly(Map.entry("cpu", 1L));
    }

    @Test
    void componentChecksItsConfiguration() {
        assertThatThrownBy(() -> new Component("gpu=1", "limit", 1, null)).isInstanceOf(InvalidSlurmNameException.class);
        assertThatThrownBy(() -> new Component("cpu", "monthly", 1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Component("cpu", "limit", 0, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Component("cpu", "limit", Double.NaN, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Component("cpu", "usage", 1, -5.0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Component("cpu", null, 1, null).accountingType()).isEqualTo("usage");
        assertThat(new Component("cpu", "LIMIT", 1, null).accountingType()).isEqualTo("limit");
        assertThat(Component.of("mem", "limit").unitFactor()).isEqualTo(1.0);
    }

    @Test
    void unsetMissingListsEveryTresWithMinusOneWhereWaldurHasNoLimit() {
        Set<String> all = Set.of("cpu", "mem", "energy", "gres/gpu");
        assertThat(TresLimits.unsetMissing(Map.of("cpu", 6000L), all)).containsExactly(
                Map.entry("cpu", 6000L), Map.entry("energy", -1L), Map.entry("gres/gpu", -1L), Map.entry("mem", -1L));
        assertThat(TresLimits.unsetMissing(Map.of(), Set.of("cpu"))).containsExactly(Map.entry("cpu", -1L));
        // a key SLURM does not list is kept: dropping it silently would hide a configuration error
        assertThat(TresLimits.unsetMissing(Map.of("gpu", 1L), Set.of("cpu"))).containsEntry("gpu", 1L);
    }
}
