package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.waldur.agent.errors.PermanentFailure;

class SlurmTresValuesTest {

    @Test
    void memWithUnitComesBackInMegabytes() {
        assertThat(TresValues.parse("mem=600G")).containsExactly(Map.entry("mem", 614400L));
        assertThat(TresValues.parse("mem=100M")).containsExactly(Map.entry("mem", 100L));
        assertThat(TresValues.parse("mem=1T")).containsExactly(Map.entry("mem", 1048576L));
        assertThat(TresValues.parse("mem=614401M")).containsExactly(Map.entry("mem", 614401L));
        assertThat(TresValues.parse("mem=0")).containsExactly(Map.entry("mem", 0L));
    }

    @Test
    void otherTresSuffixesArePowersOfTwo() {
        assertThat(TresValues.parse("billing=2K,cpu=3M,node=1G,energy=1T,pages=1P")).containsExactly(
                Map.entry("billing", 2048L), Map.entry("cpu", 3L << 20), Map.entry("energy", 1L << 40),
                Map.entry("node", 1L << 30), Map.entry("pages", 1L << 50));
    }

    @Test
    void plainValuesAndEmptyField() {
        assertThat(TresValues.parse("cpu=600000,gres/gpu=6000")).containsExactly(
                Map.entry("cpu", 600000L), Map.entry("gres/gpu", 6000L));
        assertThat(TresValues.parse("")).isEmpty();
        assertThat(TresValues.parse(null)).isEmpty();
    }

    @Test
    void garbageIsRefused() {
        for (String bad : new String[] {"cpu", "=5", "cpu=-1", "cpu=1.5", "cpu=5X", "cpu=99999999999P"}) {
            assertThatThrownBy(() -> TresValues.parse(bad)).as(bad)
                    .isInstanceOf(UnexpectedSlurmOutputException.class).isInstanceOf(PermanentFailure.class);
        }
    }

    @Test
    void formatSortsKeys() {
        assertThat(TresValues.format(Map.of("mem", 614400L, "cpu", 600000L, "gres/gpu", 6000L)))
                .isEqualTo("cpu=600000,gres/gpu=6000,mem=614400");
    }
}
