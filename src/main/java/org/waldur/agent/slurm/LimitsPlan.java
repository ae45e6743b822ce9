package org.waldur.agent.slurm;

import java.util.Map;

/** Limits to apply: GrpTRESMins in SLURM units, and the same limits in Waldur units for set_limits. */
public final class LimitsPlan {

    private final Map<String, Long> slurm;
    private final Map<String, Long> waldur;

    public LimitsPlan(Map<String, Long> slurm, Map<String, Long> waldur) {
        this.slurm = Map.copyOf(slurm);
        this.waldur = Map.copyOf(waldur);
    }

    public Map<String, Long> getSlurm() {
        return slurm;
    }

    public Map<String, Long> getWaldur() {
        return waldur;
    }

    public boolean isHasSlurmLimits() {
        return !slurm.isEmpty();
    }

    public boolean isHasWaldurLimits() {
        return !waldur.isEmpty();
    }

    @Override
    public String toString() {
        return new java.util.TreeMap<>(slurm).toString();
    }
}
