package org.waldur.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankOnOneToHundred() {
        Percentiles p = new Percentiles(DoubleStream.iterate(100, d -> d - 1).limit(100).toArray());
        assertThat(p.at(50)).isEqualTo(50);
        assertThat(p.at(95)).isEqualTo(95);
        assertThat(p.at(99)).isEqualTo(99);
        assertThat(p.at(100)).isEqualTo(100);
        assertThat(p.min()).isEqualTo(1);
        assertThat(p.max()).isEqualTo(100);
        assertThat(p.mean()).isEqualTo(50.5);
    }

    @Test
    void smallSamplesRoundUp() {
        Percentiles p = new Percentiles(List.of(3.0, 1.0, 2.0));
        assertThat(p.at(1)).isEqualTo(1);
        assertThat(p.at(34)).isEqualTo(2);
        assertThat(p.at(50)).isEqualTo(2);
        assertThat(p.at(99)).isEqualTo(3);
    }

    @Test
    void emptyAndOutOfRange() {
        Percentiles empty = new Percentiles(List.of());
        assertThat(empty.at(50)).isNaN();
        assertThat(empty.count()).isZero();
        assertThatThrownBy(() -> empty.at(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> empty.at(101)).isInstanceOf(IllegalArgumentException.class);
    }
}
