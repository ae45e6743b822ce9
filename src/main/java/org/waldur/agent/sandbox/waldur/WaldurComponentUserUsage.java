package org.waldur.agent.sandbox.waldur;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One user's share of a {@link WaldurComponentUsage} ({@code ComponentUserUsage}), as reported with
 * {@code POST /api/marketplace-component-usages/{uuid}/set_user_usage/}.
 *
 * @param uuid 32-char hex
 * @param componentUsageUuid the component usage it belongs to
 * @param username the reported username (free text in Waldur)
 * @param usage the amount in Waldur units
 * @param offeringUserUuid the offering user named by the request's {@code user} URL, or null
 * @param created creation time
 * @param modified last change
 */
public record WaldurComponentUserUsage(String uuid, String componentUsageUuid, String username, BigDecimal usage,
        String offeringUserUuid, Instant created, Instant modified) {
}
