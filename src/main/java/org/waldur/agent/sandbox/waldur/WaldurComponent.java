package org.waldur.agent.sandbox.waldur;

/**
 * An offering component as returned in {@code ProviderOfferingDetails.components}.
 *
 * @param type internal name, e.g. {@code cpu} (maps to a SLURM TRES)
 * @param name display name
 * @param billingType one of {@code fixed, usage, limit, one, few}
 * @param measuredUnit e.g. {@code k-Hours}
 * @param unitFactor backend units per Waldur unit
 * @param limitAmount optional upper limit, may be null
 */
public record WaldurComponent(String type, String name, String billingType, String measuredUnit,
        int unitFactor, Integer limitAmount) {

    /** A component with display name = type and no unit or limit amount. */
    public static WaldurComponent of(String type, String billingType, int unitFactor) {
        return new WaldurComponent(type, type, billingType, "", unitFactor, null);
    }
}
