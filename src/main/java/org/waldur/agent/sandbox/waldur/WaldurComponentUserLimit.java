package org.waldur.agent.sandbox.waldur;

import java.math.BigDecimal;

/**
 * A per-user limit of one component of one resource ({@code ComponentUserUsageLimit}); add with
 * {@link FakeWaldur#addComponentUserLimit(WaldurResource, WaldurOfferingUser, String, Number)}.
 *
 * @param uuid 32-char hex
 * @param resourceUuid the resource
 * @param componentType the offering component's type, e.g. {@code cpu}
 * @param offeringUserUuid the offering user the limit applies to (its {@code username} is the filter)
 * @param limit in Waldur units, 2 decimal places
 */
public record WaldurComponentUserLimit(String uuid, String resourceUuid, String componentType,
        String offeringUserUuid, BigDecimal limit) {
}
