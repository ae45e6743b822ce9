package org.waldur.agent.config;

/**
 * One entry of {@code backend_components}: a Waldur offering component whose key is the SLURM TRES name.
 * Unknown keys of the Python agent's format (label, measured_unit, …) are accepted and ignored.
 */
public record ComponentConfig(String measuredUnit, String label, String accountingType, Double unitFactor, Double limit) {

    public ComponentConfig {
        if (unitFactor == null) {
            unitFactor = 1.0;
        }
        if (accountingType == null) {
            accountingType = "usage";
        }
    }
}
