package org.waldur.agent.slurm;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A calendar month as the usage report covers it (slurm.md §7): from the first day 00:00:00 to the last day
 * 23:59:59, local time without a zone (sacct reads it in its own zone, so the agent should run in the zone it
 * bills in). Which month is "current" depends on the zone: 23:30 UTC on 31 January is already February in
 * Tallinn.
 */
public record BillingMonth(YearMonth month) {

    private static final LocalTime LAST_SECOND = LocalTime.of(23, 59, 59);

    public BillingMonth {
        Objects.requireNonNull(month, "month");
    }

    /** The month {@code now} falls in, in {@code zone} (the agent's {@code timezone} setting). */
    public static BillingMonth containing(Instant now, ZoneId zone) {
        return new BillingMonth(YearMonth.from(now.atZone(zone)));
    }

    /** The current month by {@code clock}, in the clock's zone. */
    public static BillingMonth current(Clock clock) {
        return containing(clock.instant(), clock.getZone());
    }

    /** The current month in {@code zone}. */
    public static BillingMonth current(ZoneId zone) {
        return current(Clock.system(zone));
    }

    /** The month before, for the reference agent's {@code reporting_periods} (the previous month is re-reported). */
    public BillingMonth previous() {
        return new BillingMonth(month.minusMonths(1));
    }

    /** First day, 00:00:00: sacct's {@code --starttime}. */
    public LocalDateTime start() {
        return month.atDay(1).atStartOfDay();
    }

    /** Last day, 23:59:59: sacct's {@code --endtime}. */
    public LocalDateTime end() {
        return month.atEndOfMonth().atTime(LAST_SECOND);
    }

    /** The first day, Waldur's {@code billing_period} ({@code YYYY-MM-01}). */
    public LocalDate firstDay() {
        return month.atDay(1);
    }
}
