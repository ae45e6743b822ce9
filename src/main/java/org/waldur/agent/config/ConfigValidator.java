package org.waldur.agent.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Start-up validation: every problem is collected and reported with the offering and the key it concerns. */
public final class ConfigValidator {

    /** The backends this agent implements; the Python agent's entry-point names. */
    static final Set<String> SUPPORTED_BACKENDS = Set.of("slurm");
    private static final Set<String> ACCOUNTING_TYPES = Set.of("usage", "limit", "one", "fixed");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]*");
    private static final Pattern TRES_NAME = Pattern.compile("[a-z][a-z0-9_]*(/[a-z0-9_:.-]+)?");

    private ConfigValidator() {
    }

    public static void validate(AgentConfig config) {
        List<String> problems = new ArrayList<>();
        if (config.offerings().isEmpty()) {
            problems.add("'offerings' is missing or empty: at least one offering is required");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < config.offerings().size(); i++) {
            OfferingConfig o = config.offerings().get(i);
            if (o == null) {
                problems.add("offerings[" + i + "] is empty");
                continue;
            }
            String label = "offering '" + (o.name() == null ? "?" : o.name()) + "' (offerings[" + i + "])";
            validateOffering(o, label, problems);
            if (Uuids.isValid(o.waldurOfferingUuid()) && o.waldurApiUrl() != null
                    && !seen.add(o.waldurBaseUrl() + "|" + o.offeringUuidHex())) {
                problems.add(label + ": waldur_offering_uuid is configured twice for the same Waldur");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private static void validateOffering(OfferingConfig o, String label, List<String> problems) {
        if (blank(o.name())) {
            problems.add(label + ": 'name' is missing");
        }
        if (blank(o.waldurApiUrl())) {
            problems.add(label + ": 'waldur_api_url' is missing");
        } else {
            checkUrl(label, "waldur_api_url", o.waldurApiUrl(), Set.of("http", "https"), problems);
        }
        if (blank(o.waldurApiToken())) {
            problems.add(label + ": 'waldur_api_token' is missing");
        } else if (o.waldurApiToken().chars().anyMatch(c -> c <= ' ')) {
            problems.add(label + ": 'waldur_api_token' contains whitespace or control characters");
        }
        if (blank(o.waldurOfferingUuid())) {
            problems.add(label + ": 'waldur_offering_uuid' is missing");
        } else if (!Uuids.isValid(o.waldurOfferingUuid())) {
            problems.add(label + ": 'waldur_offering_uuid' must be a UUID (32 hex digits, dashes allowed)");
        }
        if (blank(o.backendType())) {
            problems.add(label + ": 'backend_type' is missing");
        }
        checkBackend(label, "order_processing_backend", o.orderProcessingBackend(), problems);
        checkBackend(label, "membership_sync_backend", o.membershipSyncBackend(), problems);
        checkBackend(label, "reporting_backend", o.reportingBackend(), problems);
        if (!blank(o.mqttBrokerUrl())) {
            checkUrl(label, "mqtt_broker_url", o.mqttBrokerUrl(), Set.of("ws", "wss", "tcp", "ssl"), problems);
        }
        boolean usesSlurm = !o.orderProcessingBackend().isEmpty() || !o.membershipSyncBackend().isEmpty()
                || !o.reportingBackend().isEmpty()
                || Boolean.TRUE.equals(o.backendSettings().periodicLimits().get("enabled"));
        if (usesSlurm) {
            validateSlurm(o.backendSettings(), label, problems);
        }
        for (Map.Entry<String, ComponentConfig> c : o.backendComponents().entrySet()) {
            String key = label + ": backend_components." + c.getKey();
            if (!TRES_NAME.matcher(c.getKey()).matches()) {
                problems.add(key + ": the component key must be a SLURM TRES name such as cpu, mem or gres/gpu");
            }
            if (c.getValue() == null) {
                problems.add(key + " is empty");
                continue;
            }
            if (!ACCOUNTING_TYPES.contains(c.getValue().accountingType().toLowerCase(Locale.ROOT))) {
                problems.add(key + ".accounting_type must be one of " + ACCOUNTING_TYPES);
            }
            if (!(c.getValue().unitFactor() > 0)) {
                problems.add(key + ".unit_factor must be a positive number");
            }
            if (c.getValue().limit() != null && c.getValue().limit() < 0) {
                problems.add(key + ".limit must not be negative");
            }
        }
    }

    private static void validateSlurm(SlurmSettings s, String label, List<String> problems) {
        String p = label + ": backend_settings.";
        if (blank(s.defaultAccount())) {
            problems.add(p + "default_account is missing");
        }
        checkName(p + "default_account", s.defaultAccount(), problems);
        checkName(p + "root_account", s.rootAccount(), problems);
        if (!Set.of("common", "individual", "none").contains(s.defaultAccountPolicy())) {
            problems.add(p + "default_account_policy must be common, individual or none");
        }
        checkName(p + "customer_prefix", s.customerPrefix(), problems);
        checkName(p + "project_prefix", s.projectPrefix(), problems);
        checkName(p + "allocation_prefix", s.allocationPrefix(), problems);
        checkName(p + "qos_default", s.qosDefault(), problems);
        checkName(p + "qos_paused", s.qosPaused(), problems);
        checkName(p + "qos_downscaled", s.qosDownscaled(), problems);
        checkName(p + "cluster_name", s.clusterName(), problems);
        Object limitType = s.periodicLimits().get("limit_type");
        if (Boolean.TRUE.equals(s.periodicLimits().get("enabled")) && limitType != null) {
            try {
                org.waldur.agent.slurm.AccountLimitType.of(String.valueOf(limitType));
            } catch (RuntimeException e) {
                problems.add(p + "periodic_limits.limit_type: " + e.getMessage());
            }
        }
        if (Boolean.TRUE.equals(s.dryRun())) {
            // a dry run runs no SLURM command, so it also works where SLURM is not installed yet
            return;
        }
        if (s.slurmBinPath() != null && !s.slurmBinPath().isBlank()) {
            Path dir = Path.of(s.slurmBinPath());
            if (!Files.isDirectory(dir)) {
                problems.add(p + "slurm_bin_path: " + dir + " is not a directory");
            } else if (!Files.isExecutable(dir.resolve("sacctmgr"))) {
                problems.add(p + "slurm_bin_path: " + dir.resolve("sacctmgr") + " is missing or not executable");
            }
        } else if (SlurmBinaries.findOnPath("sacctmgr").isEmpty()) {
            problems.add(p + "slurm_bin_path is not set and sacctmgr is not on PATH");
        }
    }

    private static void checkName(String key, String value, List<String> problems) {
        if (value != null && !SAFE_NAME.matcher(value).matches()) {
            problems.add(key + " may contain only letters, digits, '_', '-' and '.'");
        }
    }

    private static void checkBackend(String label, String key, String value, List<String> problems) {
        if (!value.isEmpty() && !SUPPORTED_BACKENDS.contains(value)) {
            problems.add(label + ": " + key + " '" + value + "' is not supported (supported: " + SUPPORTED_BACKENDS + ", or empty)");
        }
    }

    private static void checkUrl(String label, String key, String value, Set<String> schemes, List<String> problems) {
        try {
            URI uri = new URI(value.trim());
            if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
                problems.add(label + ": '" + key + "' must start with one of " + schemes.stream().sorted().map(s -> s + "://").toList());
            } else if (uri.getHost() == null) {
                problems.add(label + ": '" + key + "' has no host");
            }
        } catch (URISyntaxException e) {
            problems.add(label + ": '" + key + "' is not a valid URL (" + e.getReason() + ")");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
