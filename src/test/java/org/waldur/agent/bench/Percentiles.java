package org.waldur.agent.bench;

import java.util.Arrays;
import java.util.Collection;

/** Latency samples (milliseconds) and their order statistics, nearest-rank method. */
public final class Percentiles {

    private final double[] sorted;

    public Percentiles(Collection<Double> samples) {
        sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    public Percentiles(double[] samples) {
        sorted = samples.clone();
        Arrays.sort(sorted);
    }

    public int count() {
        return sorted.length;
    }

    /**
     * The nearest-rank percentile: the smallest sample with at least {@code p} % of the samples at or below
     * it. {@code p} in (0, 100]; NaN when there are no samples.
     */
    public double at(double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    public double min() {
        return sorted.length == 0 ? Double.NaN : sorted[0];
    }

    public double max() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    public double mean() {
        return sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).average().orElse(Double.NaN);
    }

    /** The samples in ascending order (a copy). */
    public double[] sorted() {
        return sorted.clone();
    }
}
