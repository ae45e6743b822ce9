package org.waldur.agent.slurm;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Converts between Waldur component limits and SLURM GrpTRESMins (protocol §1.5, slurm.md §3).
 * Arithmetic is decimal, not binary floating point, so that e.g. 0.29 × 100 gives 29 and not 28; results
 * are truncated towards zero, as the reference agent's {@code int()} does.
 */
public final class TresLimits {

    /**
     * What a creation applies.
     *
     * @param grpTresMins  TRES → SLURM value, for {@code modify account … set GrpTRESMins=}
     * @param waldurLimits component → Waldur value, to report with {@code set_limits}
     */
    public record Plan(Map<String, Long> grpTresMins, Map<String, Long> waldurLimits) {
        public Plan {
            grpTresMins = Collections.unmodifiableMap(new TreeMap<>(grpTresMins));
            waldurLimits = Collections.unmodifiableMap(new TreeMap<>(waldurLimits));
        }

        public boolean isEmpty() {
            return grpTresMins.isEmpty();
        }
    }

    private TresLimits() {
    }

    /**
     * Limits for a new allocation: a {@code usage} component with a fixed {@code limit} gets
     * {@code limit × unit_factor} (and reports {@code limit}); a {@code limit} component gets the resource's
     * limit × unit_factor (and reports that limit). {@code one} (prepaid) components are not handled: their
     * value depends on the subscription length.
     *
     * @param resourceLimits the Waldur resource's {@code limits}; may be null
     */
    public static Plan forCreation(Collection<Component> components, Map<String, ? extends Number> resourceLimits) {
        Map<String, ? extends Number> limits = resourceLimits == null ? Map.of() : resourceLimits;
        Map<String, Long> slurm = new TreeMap<>();
        Map<String, Long> waldur = new TreeMap<>();
        for (Component c : components) {
            BigDecimal waldurValue = null;
            if (Component.USAGE.equals(c.accountingType()) && c.limit() != null) {
                waldurValue = decimal(c.type(), c.limit());
            } else if (Component.LIMIT.equals(c.accountingType()) && limits.get(c.type()) != null) {
                waldurValue = decimal(c.type(), limits.get(c.type()));
            }
            if (waldurValue != null) {
                slurm.put(c.type(), truncate(c.type(), waldurValue.multiply(BigDecimal.valueOf(c.unitFactor()))));
                waldur.put(c.type(), truncate(c.type(), waldurValue));
            }
        }
        return new Plan(slurm, waldur);
    }

    /**
     * Waldur values → SLURM values (× unit_factor) for every configured component in {@code waldurLimits},
     * e.g. the new limits of an update order. Keys that are not configured components are ignored: there is
     * no TRES to map them to.
     */
    public static Map<String, Long> toSlurm(Collection<Component> components, Map<String, ? extends Number> waldurLimits) {
        Map<String, Long> slurm = new TreeMap<>();
        for (Component c : components) {
            Number value = waldurLimits == null ? null : waldurLimits.get(c.type());
            if (value != null) {
                slurm.put(c.type(), truncate(c.type(), decimal(c.type(), value).multiply(BigDecimal.valueOf(c.unitFactor()))));
            }
        }
        return Collections.unmodifiableMap(slurm);
    }

    /** SLURM values → Waldur values (÷ unit_factor, truncated) for the configured components. */
    public static Map<String, Long> toWaldur(Collection<Component> components, Map<String, Long> slurmLimits) {
        Map<String, Long> waldur = new TreeMap<>();
        for (Component c : components) {
            Long value = slurmLimits == null ? null : slurmLimits.get(c.type());
            if (value != null) {
                BigDecimal divided = BigDecimal.valueOf(value).divide(BigDecimal.valueOf(c.unitFactor()), 0, RoundingMode.DOWN);
                waldur.put(c.type(), divided.longValueExact());
            }
        }
        return Collections.unmodifiableMap(waldur);
    }

    /**
     * Keeps only TRES that SLURM knows ({@code list tres}): an unknown key makes the whole
     * {@code modify … GrpTRESMins=} fail, so at creation it is dropped instead.
     */
    public static Map<String, Long> retainKnown(Map<String, Long> limits, Set<String> knownTres) {
        Map<String, Long> kept = new LinkedHashMap<>();
        limits.forEach((tres, value) -> {
            if (knownTres.contains(tres)) {
                kept.put(tres, value);
            }
        });
        return Collections.unmodifiableMap(kept);
    }

    /**
     * {@code limits} plus {@code -1} (no limit) for every other TRES in {@code allTres}, for
     * {@code modify user … set MaxTRESMins=}: a TRES left out of that list keeps its old value, so a limit Waldur
     * dropped would stay in SLURM (slurm.md §3, per-user limits).
     */
    public static Map<String, Long> unsetMissing(Map<String, Long> limits, Set<String> allTres) {
        Map<String, Long> complete = new TreeMap<>();
        for (String tres : allTres) {
            complete.put(tres, -1L);
        }
        complete.putAll(limits);
        return Collections.unmodifiableMap(complete);
    }

    private static BigDecimal decimal(String type, Number value) {
        if (value instanceof BigDecimal d) {
            return requireNonNegative(type, d);
        }
        if (value instanceof BigInteger i) {
            return requireNonNegative(type, new BigDecimal(i));
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return requireNonNegative(type, BigDecimal.valueOf(value.longValue()));
        }
        double d = value.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new InvalidResourceDataException("Limit for " + type + " is not a number: " + value);
        }
        // valueOf(double) goes through Double.toString, i.e. the shortest decimal that reads back as d:
        // 0.29 stays 0.29 instead of 0.28999999999999998002.
        return requireNonNegative(type, BigDecimal.valueOf(d));
    }

    private static BigDecimal requireNonNegative(String type, BigDecimal value) {
        if (value.signum() < 0) {
            throw new InvalidResourceDataException("Limit for " + type + " is negative: " + value.toPlainString());
        }
        return value;
    }

    private static long truncate(String type, BigDecimal value) {
        try {
            return value.setScale(0, RoundingMode.DOWN).longValueExact();
        } catch (ArithmeticException e) {
            throw new InvalidResourceDataException("Limit for " + type + " is too large: " + value.toPlainString(), e);
        }
    }
}
