package org.waldur.agent.sandbox.waldur;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A reported usage of one component of one resource in one billing period ({@code ComponentUsage}).
 * Created by {@code POST /api/marketplace-component-usages/set_usage/} or pre-seeded with
 * {@link FakeWaldur#addComponentUsage(WaldurResource, String, Number, LocalDate)}.
 *
 * @param uuid 32-char hex
 * @param resourceUuid the resource
 * @param type the component type
 * @param usage the amount in Waldur units (exact; see {@code FakeWaldur.Builder#usageAsDecimalString})
 * @param billingPeriod first day of the month (UTC)
 * @param date the usage's date (the report time)
 * @param description free text, "" by default
 * @param recurring the deprecated recurring flag
 * @param created creation time
 * @param modified last change
 */
public record WaldurComponentUsage(String uuid, String resourceUuid, String type, BigDecimal usage,
        LocalDate billingPeriod, Instant date, String description, boolean recurring, Instant created,
        Instant modified) {
}
