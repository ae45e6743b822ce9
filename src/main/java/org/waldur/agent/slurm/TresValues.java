package org.waldur.agent.slurm;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code tres=value,tres=value} strings sacctmgr reads ({@code GrpTRESMins=...}) and prints. */
public final class TresValues {

    /** sacctmgr's unit for {@code mem} is the megabyte; a suffixed value is converted to bytes first. */
    public static final String MEM = "mem";

    private static final Pattern QUANTITY = Pattern.compile("(\\d+)([KMGTP]?)");

    private TresValues() {
    }

    /**
     * Parses e.g. {@code cpu=600000,gres/gpu=6000,mem=600G}. Suffixes K/M/G/T/P multiply by 2^10…2^50; a
     * suffixed {@code mem} is then divided by 2^20, because 22.05 prints memory limits with a unit
     * ({@code mem=614400} MB comes back as {@code 600G}). An unsuffixed {@code mem} is already in MB (sacctmgr
     * only prints it that way for 0).
     *
     * @return TRES name → value in SLURM units, sorted by name; empty for a blank field
     * @throws UnexpectedSlurmOutputException for anything that is not such a list
     */
    public static Map<String, Long> parse(String field) {
        Map<String, Long> values = new TreeMap<>();
        if (field == null || field.isBlank()) {
            return Collections.unmodifiableMap(values);
        }
        for (String entry : field.trim().split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new UnexpectedSlurmOutputException("Not a TRES value list: \"" + EscapedText.escapeAndLimit(field, 300) + "\"");
            }
            String name = entry.substring(0, eq);
            values.put(name, quantity(name, entry.substring(eq + 1), field));
        }
        return Collections.unmodifiableMap(values);
    }

    /** Formats limits for {@code GrpTRESMins=}: keys sorted, names checked, {@code -1} (= no limit) or more. */
    public static String format(Map<String, Long> values) {
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("No TRES values to format");
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Long> e : new TreeMap<>(values).entrySet()) {
            Long value = e.getValue();
            if (value == null || value < -1) {
                throw new IllegalArgumentException("TRES value for " + SlurmNames.tres(e.getKey()) + " must be -1 or more, got " + value);
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(SlurmNames.tres(e.getKey())).append('=').append(value);
        }
        return out.toString();
    }

    private static long quantity(String name, String raw, String field) {
        Matcher m = QUANTITY.matcher(raw);
        if (!m.matches()) {
            throw new UnexpectedSlurmOutputException("Unreadable value for TRES " + EscapedText.escape(name) + " in \""
                    + EscapedText.escapeAndLimit(field, 300) + "\"");
        }
        try {
            long number = Long.parseLong(m.group(1));
            String suffix = m.group(2);
            if (suffix.isEmpty()) {
                return number;
            }
            int shift = 10 * ("KMGTP".indexOf(suffix.charAt(0)) + 1);
            long bytesOrUnits = Math.multiplyExact(number, 1L << shift);
            return MEM.equals(name) ? bytesOrUnits >> 20 : bytesOrUnits;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new UnexpectedSlurmOutputException("TRES value out of range for " + EscapedText.escape(name) + ": " + EscapedText.escape(raw), e);
        }
    }
}
