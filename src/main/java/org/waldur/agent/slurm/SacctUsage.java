package org.waldur.agent.slurm;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the usage report of {@link SacctCommands#usageReport} (slurm.md §7): {@code Account|ReqTRES|Elapsed|User}
 * lines, one per job allocation. A job's usage of a TRES is its requested amount × its elapsed minutes
 * (ReqTRES, not AllocTRES, as the reference agent reports); {@code mem} counts in MB-minutes.
 *
 * <p>Arithmetic is decimal: amounts × seconds are summed exactly and divided by 60 only at the end, so
 * thousands of short jobs do not accumulate rounding errors.
 */
public final class SacctUsage {

    private static final BigDecimal SIXTY = BigDecimal.valueOf(60);
    private static final BigDecimal MIB = BigDecimal.valueOf(1L << 20);
    private static final Pattern AMOUNT = Pattern.compile("(\\d+(?:\\.\\d+)?)([KMGTP]?)");
    private static final Pattern ELAPSED = Pattern.compile("(?:(\\d+)-)?(\\d+):(\\d{1,2}):(\\d{1,2})(\\.\\d+)?|(\\d+):(\\d{1,2})(\\.\\d+)?");

    /**
     * Usage of one account in SLURM units (TRES-minutes, mem in MB-minutes).
     *
     * @param users TRES → usage per user, only TRES the user's jobs requested
     * @param total TRES → usage of all jobs of the account (the reference agent's {@code TOTAL_ACCOUNT_USAGE})
     */
    public record AccountUsage(Map<String, Map<String, BigDecimal>> users, Map<String, BigDecimal> total) {

        /** An account without jobs in the window: sacct prints nothing for it. */
        public static final AccountUsage NONE = new AccountUsage(Map.of(), Map.of());

        public AccountUsage {
            Map<String, Map<String, BigDecimal>> copy = new TreeMap<>();
            users.forEach((user, usage) -> copy.put(user, Collections.unmodifiableMap(new TreeMap<>(usage))));
            users = Collections.unmodifiableMap(copy);
            total = Collections.unmodifiableMap(new TreeMap<>(total));
        }

        /**
         * The same usage in Waldur units (÷ unit_factor, 2 decimals, half up), with every component present,
         * 0.00 where no job used it: Waldur is told zero rather than nothing (slurm.md §7).
         */
        public AccountUsage inWaldurUnits(Collection<Component> components) {
            Map<String, Map<String, BigDecimal>> converted = new TreeMap<>();
            users.forEach((user, usage) -> converted.put(user, toWaldur(usage, components)));
            return new AccountUsage(converted, toWaldur(total, components));
        }
    }

    private SacctUsage() {
    }

    /**
     * Usage per account (names compared ignoring case), per user and in total. Only TRES in
     * {@code componentTypes} count; a line whose ReqTRES has none of them contributes nothing, and neither
     * does an account that printed no lines, so look accounts up with {@code getOrDefault(a, AccountUsage.NONE)}.
     * Lines without {@code |} are messages and skipped. A job with an empty User counts in the total only.
     *
     * @throws UnexpectedSlurmOutputException for a record that is not {@code Account|ReqTRES|Elapsed|User} or an
     *                                        unreadable elapsed time or amount of a component TRES
     */
    public static Map<String, AccountUsage> parse(String output, Set<String> componentTypes) {
        // account → user → TRES → amount × seconds; user "" collects the account total
        Map<String, Map<String, Map<String, BigDecimal>>> seconds = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (output != null) {
            for (String line : output.split("\n")) {
                String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                if (l.indexOf('|') >= 0) {
                    addLine(seconds, l, componentTypes);
                }
            }
        }
        Map<String, AccountUsage> usage = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        seconds.forEach((account, byUser) -> {
            Map<String, Map<String, BigDecimal>> users = new TreeMap<>();
            byUser.forEach((user, amounts) -> {
                if (!user.isEmpty()) {
                    users.put(user, minutes(amounts));
                }
            });
            usage.put(account, new AccountUsage(users, minutes(byUser.getOrDefault("", Map.of()))));
        });
        return Collections.unmodifiableMap(usage);
    }

    /**
     * SLURM usage → Waldur usage for every component: {@code value ÷ unit_factor}, rounded to 2 decimals (half
     * up). Waldur takes usage as a decimal string, so this stays a {@link BigDecimal} ({@code toPlainString()}).
     */
    public static Map<String, BigDecimal> toWaldur(Map<String, BigDecimal> slurmUsage, Collection<Component> components) {
        Map<String, BigDecimal> waldur = new TreeMap<>();
        for (Component c : components) {
            BigDecimal value = slurmUsage.getOrDefault(c.type(), BigDecimal.ZERO);
            waldur.put(c.type(), value.divide(BigDecimal.valueOf(c.unitFactor()), MathContext.DECIMAL128)
                    .setScale(2, RoundingMode.HALF_UP));
        }
        return Collections.unmodifiableMap(waldur);
    }

    /** {@code [D-]HH:MM:SS[.ffffff]} (hours may exceed 24) or {@code MM:SS[.fff]} as seconds. */
    static BigDecimal elapsedSeconds(String elapsed) {
        Matcher m = ELAPSED.matcher(elapsed == null ? "" : elapsed.trim());
        if (!m.matches()) {
            throw new UnexpectedSlurmOutputException("Unreadable Elapsed in sacct output: \"" + EscapedText.escapeAndLimit(elapsed, 100) + "\"");
        }
        if (m.group(2) == null) {
            return BigDecimal.valueOf(Long.parseLong(m.group(6)) * 60 + Long.parseLong(m.group(7))).add(fraction(m.group(8)));
        }
        long days = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long whole = days * 86400 + Long.parseLong(m.group(2)) * 3600 + Long.parseLong(m.group(3)) * 60 + Long.parseLong(m.group(4));
        return BigDecimal.valueOf(whole).add(fraction(m.group(5)));
    }

    /**
     * One ReqTRES amount in SLURM units: K/M/G/T/P multiply by 2^10…2^50; a suffixed {@code mem} is bytes and
     * becomes MB (100M → 100). An unsuffixed {@code mem} is taken as MB, SLURM's own unit for it.
     */
    static BigDecimal amount(String tres, String raw) {
        Matcher m = AMOUNT.matcher(raw);
        if (!m.matches()) {
            throw new UnexpectedSlurmOutputException("Unreadable ReqTRES value for " + EscapedText.escape(tres) + ": \""
                    + EscapedText.escapeAndLimit(raw, 100) + "\"");
        }
        BigDecimal value = new BigDecimal(m.group(1));
        if (m.group(2).isEmpty()) {
            return value;
        }
        int power = "KMGTP".indexOf(m.group(2).charAt(0)) + 1;
        BigDecimal scaled = value.multiply(BigDecimal.valueOf(2).pow(10 * power));
        return TresValues.MEM.equals(tres) ? scaled.divide(MIB) : scaled;
    }

    private static void addLine(Map<String, Map<String, Map<String, BigDecimal>>> seconds, String line, Set<String> componentTypes) {
        String[] f = line.split("\\|", -1);
        if (f.length != 4) {
            throw new UnexpectedSlurmOutputException("Expected Account|ReqTRES|Elapsed|User in sacct output, got \""
                    + EscapedText.escapeAndLimit(line, 300) + "\"");
        }
        String account = f[0].trim();
        String user = f[3].trim();
        if (account.isEmpty()) {
            return; // nothing to bill it to
        }
        Map<String, BigDecimal> used = new TreeMap<>();
        for (String pair : f[1].split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && componentTypes.contains(pair.substring(0, eq).trim())) {
                String tres = pair.substring(0, eq).trim();
                used.merge(tres, amount(tres, pair.substring(eq + 1).trim()), BigDecimal::add);
            }
        }
        if (used.isEmpty()) {
            return;
        }
        BigDecimal elapsed = elapsedSeconds(f[2]);
        Map<String, Map<String, BigDecimal>> byUser = seconds.computeIfAbsent(account, a -> new TreeMap<>());
        used.forEach((tres, amount) -> {
            BigDecimal product = amount.multiply(elapsed);
            byUser.computeIfAbsent("", u -> new TreeMap<>()).merge(tres, product, BigDecimal::add);
            if (!user.isEmpty()) {
                byUser.computeIfAbsent(user, u -> new TreeMap<>()).merge(tres, product, BigDecimal::add);
            }
        });
    }

    private static Map<String, BigDecimal> minutes(Map<String, BigDecimal> tresSeconds) {
        Map<String, BigDecimal> minutes = new TreeMap<>();
        tresSeconds.forEach((tres, value) -> minutes.put(tres, value.divide(SIXTY, MathContext.DECIMAL128)));
        return minutes;
    }

    private static BigDecimal fraction(String dotDigits) {
        return dotDigits == null ? BigDecimal.ZERO : new BigDecimal("0" + dotDigits);
    }
}
