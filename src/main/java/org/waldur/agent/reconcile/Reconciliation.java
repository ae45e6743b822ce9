package org.waldur.agent.reconcile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.OfferingConfig;
import org.waldur.agent.mqtt.ObjectType;
import org.waldur.agent.mqtt.SubscriptionManager;
import org.waldur.agent.waldur.WaldurJson;

/** Which offerings a reconciliation pass covers, and the events it feeds into the normal receive path. */
public final class Reconciliation {

    private final AgentConfig config;
    private final SubscriptionManager subscriptions;

    public Reconciliation(AgentConfig config, SubscriptionManager subscriptions) {
        this.config = config;
        this.subscriptions = subscriptions;
    }

    public List<String> offeringKeys() {
        return config.offerings().stream().map(OfferingConfig::key).toList();
    }

    /**
     * Offerings whose orders the timer reconciles: those with an order backend, except MQTT offerings whose
     * order consumer is not subscribed yet — their first pass runs right after subscribing.
     */
    public List<String> offeringsWithOrders() {
        return config.offerings().stream()
                .filter(o -> !o.orderProcessingBackend().isEmpty())
                .filter(o -> !ObjectType.ORDER.isEnabledFor(o) || subscriptions.hasSubscribed(o, ObjectType.ORDER))
                .map(OfferingConfig::key)
                .toList();
    }

    /** Offerings whose resources the timer synchronises, on the same terms as {@link #offeringsWithOrders()}. */
    public List<String> offeringsWithMembership() {
        return config.offerings().stream()
                .filter(o -> !o.membershipSyncBackend().isEmpty())
                .filter(o -> !ObjectType.RESOURCE.isEnabledFor(o) || subscriptions.hasSubscribed(o, ObjectType.RESOURCE))
                .map(OfferingConfig::key)
                .toList();
    }

    /** Offerings with a reporting backend: their usage goes to Waldur every {@code agent.report.period}. */
    public List<String> offeringsWithReporting() {
        return config.offerings().stream().filter(o -> !o.reportingBackend().isEmpty()).map(OfferingConfig::key).toList();
    }

    public String resourceEvent(Map<String, Object> resource, String pass) throws Exception {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("resource_uuid", resource.get("uuid"));
        event.put("reconciliation", pass);
        return WaldurJson.MAPPER.writeValueAsString(event);
    }

    /**
     * An order event as Waldur would publish it, marked with the pass so that the idempotent consumer never
     * mistakes it for an earlier delivery: a stuck order is retried on every pass.
     */
    public String orderEvent(Map<String, Object> order, String pass) throws Exception {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("order_uuid", order.get("uuid"));
        event.put("order_state", order.get("state"));
        event.put("reconciliation", pass);
        return WaldurJson.MAPPER.writeValueAsString(event);
    }
}
