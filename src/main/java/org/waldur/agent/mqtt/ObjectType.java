package org.waldur.agent.mqtt;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.waldur.agent.config.OfferingConfig;

/** Waldur's observable object types and the configuration that enables each (waldur-protocol.md §2.1). */
public enum ObjectType {
    ORDER("order", o -> !o.orderProcessingBackend().isEmpty(), true),
    USER_ROLE("user_role", o -> !o.membershipSyncBackend().isEmpty(), true),
    RESOURCE("resource", o -> !o.membershipSyncBackend().isEmpty(), true),
    SERVICE_ACCOUNT("service_account", o -> !o.membershipSyncBackend().isEmpty(), true),
    COURSE_ACCOUNT("course_account", o -> !o.membershipSyncBackend().isEmpty(), true),
    IMPORTABLE_RESOURCES("importable_resources", OfferingConfig::resourceImportEnabled, true),
    RESOURCE_PERIODIC_LIMITS("resource_periodic_limits",
            o -> Boolean.TRUE.equals(o.backendSettings().periodicLimits().get("enabled")), true);

    private final String wireName;
    private final Predicate<OfferingConfig> enabledBy;
    /** Whether this version has a route for the type; subscribing to a type without one would only fill the dead-letter file. */
    private final boolean handled;

    ObjectType(String wireName, Predicate<OfferingConfig> enabledBy, boolean handled) {
        this.wireName = wireName;
        this.enabledBy = enabledBy;
        this.handled = handled;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isHandled() {
        return handled;
    }

    public boolean isEnabledFor(OfferingConfig offering) {
        return offering.mqttEnabled() && enabledBy.test(offering);
    }

    public static List<ObjectType> enabledFor(OfferingConfig offering) {
        return Arrays.stream(values()).filter(t -> t.isEnabledFor(offering)).toList();
    }
}
