package org.waldur.agent.sandbox.waldur;

import java.util.Map;

/**
 * A plan of an offering; create with {@link FakeWaldur#addPlan(WaldurOffering, String, Map)}.
 *
 * @param uuid 32-char hex
 * @param name display name
 * @param offeringUuid offering the plan belongs to
 * @param quotas component type to amount, as in {@code ProviderPlanDetails.quotas}
 */
public record WaldurPlan(String uuid, String name, String offeringUuid, Map<String, Double> quotas) {

    public WaldurPlan {
        quotas = FixtureMaps.copy(quotas);
    }
}
