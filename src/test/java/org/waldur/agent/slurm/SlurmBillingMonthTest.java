package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SlurmBillingMonthTest {

    @Test
    void firstDayMidnightToLastDayOneSecondBeforeMidnight() {
        BillingMonth nov = new BillingMonth(YearMonth.of(2026, 11));
        // the window of get_usage_report in the transcripts
        assertThat(nov.start()).isEqualTo(LocalDateTime.of(2026, 11, 1, 0, 0, 0));
        assertThat(nov.end()).isEqualTo(LocalDateTime.of(2026, 11, 30, 23, 59, 59));
        assertThat(nov.firstDay()).isEqualTo(LocalDate.of(2026, 11, 1));
    }

    @Test
    void monthLengthsIncludingLeapFebruary() {
        assertThat(new BillingMonth(YearMonth.of(2028, 2)).end()).isEqualTo(LocalDateTime.of(2028, 2, 29, 23, 59, 59));
        assertThat(new BillingMonth(YearMonth.of(2027, 2)).end()).isEqualTo(LocalDateTime.of(2027, 2, 28, 23, 59, 59));
        assertThat(new BillingMonth(YearMonth.of(2026, 12)).end()).isEqualTo(LocalDateTime.of(2026, 12, 31, 23, 59, 59));
    }

    @Test
    void theCurrentMonthDependsOnTheZone() {
        Instant lateJanuaryUtc = Instant.parse("2027-01-31T23:30:00Z");
        assertThat(BillingMonth.containing(lateJanuaryUtc, ZoneOffset.UTC).month()).isEqualTo(YearMonth.of(2027, 1));
        assertThat(BillingMonth.containing(lateJanuaryUtc, ZoneId.of("Europe/Tallinn")).month()).isEqualTo(YearMonth.of(2027, 2));
        assertThat(BillingMonth.containing(Instant.parse("2027-03-01T03:00:00Z"), ZoneId.of("America/New_York")).month())
                .isEqualTo(YearMonth.of(2027, 2));
        Clock clock = Clock.fixed(lateJanuaryUtc, ZoneId.of("Asia/Tokyo"));
        assertThat(BillingMonth.current(clock).start()).isEqualTo(LocalDateTime.of(2027, 2, 1, 0, 0));
    }

    @Test
    void previousMonthCrossesTheYear() {
        assertThat(new BillingMonth(YearMonth.of(2027, 1)).previous().month()).isEqualTo(YearMonth.of(2026, 12));
    }
}
