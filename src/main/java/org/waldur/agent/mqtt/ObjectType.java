package org.waldur.agent.mqtt;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.waldur.agent.config.OfferingConfig;

/** Waldur's observable object types and the configuration that enables each (waldur-protocol.md §2.1). */
public enum ObjectType {
    ORDER("order", o -> !o.orderProcessingBackend().isEmpty()),
    USER_ROLE("user_role", o -> !o.membershipSyncBackend().isEmpty()),
    RESOURCE("resource", o -> !o.membershipSyncBackend().isEmpty()),
    SERVICE_ACCOUNT("service_account", o -> !o.membershipSyncBackend().isEmpty()),
    COURSE_ACCOUNT("course_account", o -> !o.membershipSyncBackend().isEmpty()),
    IMPORTABLE_RESOURCES("importable_resources", OfferingConfig::resourceImportEnabled),
    RESOURCE_PERIODIC_LIMITS("resource_periodic_limits",
            o -> Boolean.TRUE.equals(o.backendSettings().periodicLimits().get("enabled")));

    private final String wireName;
    private final Predicate<OfferingConfig> enabledBy;

    ObjectType(String wireName, Predicate<OfferingConfig> enabledBy) {
        this.wireName = wireName;
        this.enabledBy = enabledBy;
    }

    public String wireName() {
        return wireName;
    }


    public boolean isEnabledFor(OfferingConfig offering) {
        return offering.mqttEnabled() && enabledBy.test(offering);
    }

    public static List<ObjectType> enabledFor(OfferingConfig offering) {
        return Arrays.stream(values()).filter(t -> t.isEnabledFor(offering)).toList();
    }
}
