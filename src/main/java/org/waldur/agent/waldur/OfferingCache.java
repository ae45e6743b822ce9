package org.waldur.agent.waldur;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-offering data that rarely changes — the provider offering (components, customer, plugin options) and
 * its service provider — kept for {@code agent.cache.ttl} instead of being fetched for every message,
 * which is where the Python agent spent about six REST calls per message (waldur-protocol.md §8.3).
 */
public final class OfferingCache {

    /** What the routes read: getters for simple expressions. */
    public static final class OfferingInfo {
        private final Map<String, Object> offering;
        private final String serviceProviderUuid;
        private final Instant fetched;

        OfferingInfo(Map<String, Object> offering, String serviceProviderUuid, Instant fetched) {
            this.offering = offering;
            this.serviceProviderUuid = serviceProviderUuid;
            this.fetched = fetched;
        }

        public Map<String, Object> getOffering() {
            return offering;
        }

        @SuppressWarnings("unchecked")
        public Map<String, Object> getPluginOptions() {
            Object o = offering.get("plugin_options");
            return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }

        public String getServiceProviderUuid() {
            return serviceProviderUuid;
        }

        public boolean isUsernamesByProvider() {
            Map<String, Object> options = getPluginOptions();
            return Boolean.TRUE.equals(options.get("service_provider_can_create_offering_user"))
                    && "service_provider".equals(options.get("username_generation_policy"));
        }
    }

    private final Duration ttl;
    private final Clock clock;
    private final Map<String, OfferingInfo> entries = new ConcurrentHashMap<>();

    public OfferingCache(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** The cached info, or null when there is none or it is older than the TTL (the route then fetches it). */
    public OfferingInfo get(String offeringKey) {
        OfferingInfo info = entries.get(offeringKey);
        return info == null || info.fetched.plus(ttl).isBefore(clock.instant()) ? null : info;
    }

    @SuppressWarnings("unchecked")
    public OfferingInfo put(String offeringKey, Map<String, Object> offering, List<Map<String, Object>> serviceProviders) {
        String sp = serviceProviders == null || serviceProviders.isEmpty() ? null : String.valueOf(serviceProviders.get(0).get("uuid"));
        OfferingInfo info = new OfferingInfo(offering, sp, clock.instant());
        entries.put(offeringKey, info);
        return info;
    }
}
