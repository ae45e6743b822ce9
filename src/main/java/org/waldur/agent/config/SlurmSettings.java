package org.waldur.agent.config;

import java.util.Map;

/**
 * The SLURM {@code backend_settings} of an offering (slurm.md §10). Only the keys the agent acts on are
 * modelled; other keys of a site's existing file are accepted and ignored.
 */
public record SlurmSettings(
        String defaultAccount,
        String defaultAccountPolicy,
        String rootAccount,
        String customerPrefix,
        String projectPrefix,
        String allocationPrefix,
        String qosDefault,
        String qosDownscaled,
        String qosPaused,
        String slurmBinPath,
        String clusterName,
        Boolean enableUserHomedirAccountCreation,
        String homedirUmask,
        String defaultHomedirUmask,
        Boolean dryRun,
        Map<String, Object> periodicLimits) {

    public SlurmSettings {
        if (qosDefault == null || qosDefault.isBlank()) {
            qosDefault = "normal";
        }
        if (customerPrefix == null) {
            customerPrefix = "";
        }
        if (projectPrefix == null) {
            projectPrefix = "";
        }
        if (allocationPrefix == null) {
            allocationPrefix = "";
        }
        if (enableUserHomedirAccountCreation == null) {
            enableUserHomedirAccountCreation = true;
        }
        if (defaultAccountPolicy == null || defaultAccountPolicy.isBlank()) {
            // the Python agent's default; "none" or "individual" avoid the extra root association (README)
            defaultAccountPolicy = "common";
        }
        if (rootAccount == null || rootAccount.isBlank()) {
            // customer accounts go under root, as sacctmgr does without parent= (slurm.md §11)
            rootAccount = "root";
        }
        dryRun = Boolean.TRUE.equals(dryRun);
        if (periodicLimits == null) {
            periodicLimits = Map.of();
        }
    }

    public static SlurmSettings empty() {
        return new SlurmSettings(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
