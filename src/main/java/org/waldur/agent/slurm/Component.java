package org.waldur.agent.slurm;

import java.util.Locale;
import java.util.Set;

/**
 * One offering component as the SLURM side needs it (protocol §1.5). {@code type} is the Waldur component
 * type and, in passthrough mode, the SLURM TRES name ({@code cpu}, {@code mem}, {@code gres/gpu}).
 *
 * @param type           TRES name
 * @param accountingType {@code usage}, {@code limit} or {@code one}
 * @param unitFactor     Waldur unit → SLURM unit multiplier, e.g. 60000 for k-Hours → CPU-minutes
 * @param limit          for {@code usage} components: a fixed cap applied to every new allocation; may be null
 */
public record Component(String type, String accountingType, double unitFactor, Double limit) {

    public static final String USAGE = "usage";
    public static final String LIMIT = "limit";
    public static final String ONE = "one";

    private static final Set<String> ACCOUNTING_TYPES = Set.of(USAGE, LIMIT, ONE);

    public Component {
        SlurmNames.tres(type);
        accountingType = accountingType == null ? USAGE : accountingType.toLowerCase(Locale.ROOT);
        if (!ACCOUNTING_TYPES.contains(accountingType)) {
            throw new IllegalArgumentException("Component " + type + ": unknown accounting_type " + accountingType);
        }
        if (!(unitFactor > 0) || Double.isInfinite(unitFactor)) {
            throw new IllegalArgumentException("Component " + type + ": unit_factor must be a positive number, got " + unitFactor);
        }
        if (limit != null && (limit.isNaN() || limit.isInfinite() || limit < 0)) {
            throw new IllegalArgumentException("Component " + type + ": limit must be a non-negative number, got " + limit);
        }
    }

    /** A component with unit_factor 1 and no fixed limit. */
    public static Component of(String type, String accountingType) {
        return new Component(type, accountingType, 1.0, null);
    }
}
