package org.waldur.agent.config;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * One entry of {@code offerings:} in the site agent's YAML file (waldur-protocol.md §1.3), plus our
 * {@code mqtt_broker_url}. Defaults are applied here so every consumer sees the same effective values.
 */
public record OfferingConfig(
        String name,
        String waldurApiUrl,
        String waldurApiToken,
        String waldurOfferingUuid,
        String backendType,
        String orderProcessingBackend,
        String membershipSyncBackend,
        String reportingBackend,
        String usernameManagementBackend,
        Boolean mqttEnabled,
        Boolean stompEnabled,
        Boolean websocketUseTls,
        Boolean verifySsl,
        Boolean resourceImportEnabled,
        String mqttBrokerUrl,
        SlurmSettings backendSettings,
        Map<String, ComponentConfig> backendComponents) {

    public OfferingConfig {
        orderProcessingBackend = orEmpty(orderProcessingBackend).trim().toLowerCase(Locale.ROOT);
        membershipSyncBackend = orEmpty(membershipSyncBackend).trim().toLowerCase(Locale.ROOT);
        reportingBackend = orEmpty(reportingBackend).trim().toLowerCase(Locale.ROOT);
        backendType = orEmpty(backendType).trim().toLowerCase(Locale.ROOT);
        if (usernameManagementBackend == null || usernameManagementBackend.isBlank()) {
            usernameManagementBackend = "base";
        }
        mqttEnabled = Boolean.TRUE.equals(mqttEnabled);
        stompEnabled = Boolean.TRUE.equals(stompEnabled);
        websocketUseTls = websocketUseTls == null || websocketUseTls;
        verifySsl = verifySsl == null || verifySsl;
        resourceImportEnabled = Boolean.TRUE.equals(resourceImportEnabled);
        if (backendSettings == null) {
            backendSettings = SlurmSettings.empty();
        }
        if (backendComponents == null) {
            backendComponents = Map.of();
        }
    }

    /** The offering UUID as Waldur writes it in topics: 32 lowercase hex digits, no dashes. */
    public String offeringUuidHex() {
        return Uuids.toHex(waldurOfferingUuid);
    }

    /**
     * Scheme, host and port of {@code waldur_api_url}, without the API path. REST paths in the routes
     * start with {@code /api/}. Only a literal trailing "/api" is removed (the Python agent's
     * character-set strip turned {@code https://hpc.lapi/api/} into {@code https://hpc.l}).
     */
    public String waldurBaseUrl() {
        String url = waldurApiUrl.trim();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        if (url.endsWith("/api")) {
            url = url.substring(0, url.length() - "/api".length());
        }
        return url;
    }

    /** The broker URL: {@code mqtt_broker_url} when set, else {@code wss://<api host>:443/rmqws} as Waldur's ingress serves it. */
    public String effectiveBrokerUrl() {
        if (mqttBrokerUrl != null && !mqttBrokerUrl.isBlank()) {
            return mqttBrokerUrl.trim();
        }
        return "wss://" + URI.create(waldurApiUrl.trim()).getHost() + ":443/rmqws";
    }

    public boolean brokerUsesTls() {
        String url = effectiveBrokerUrl().toLowerCase(Locale.ROOT);
        return url.startsWith("wss://") || url.startsWith("ssl://");
    }

    /** Offerings are told apart in route ids, state files and logs by name and offering UUID. */
    public String key() {
        return offeringUuidHex();
    }

    @Override
    public String toString() {
        // never print the token
        return "offering '" + name + "' (" + waldurOfferingUuid + ")";
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
