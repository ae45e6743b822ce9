package org.waldur.agent.config;

import java.util.List;
import java.util.Optional;

/** The whole site agent configuration file (waldur-protocol.md §1.2). */
public record AgentConfig(List<OfferingConfig> offerings, String sentryDsn, String timezone, String logLevel) {

    public AgentConfig {
        offerings = offerings == null ? List.of() : List.copyOf(offerings);
        if (timezone == null || timezone.isBlank()) {
            timezone = "UTC";
        }
    }

    public Optional<OfferingConfig> offering(String key) {
        return offerings.stream().filter(o -> o.key().equals(key)).findFirst();
    }

    public OfferingConfig requireOffering(String key) {
        return offering(key).orElseThrow(() -> new IllegalArgumentException("No offering with UUID " + key + " is configured"));
    }
}
