package org.waldur.agent.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.OfferingConfig;
import org.waldur.agent.events.Failures;
import org.waldur.agent.mqtt.ObjectType;
import org.waldur.agent.mqtt.SubscriptionManager;

/**
 * Readiness: UP only when every MQTT consumer the configuration asks for (each offering with
 * {@code mqtt_enabled}, each object type it enables) is connected to its broker. The configuration itself is
 * valid whenever this runs: the agent refuses to start with an invalid one.
 *
 * <p>DOWN names each missing consumer with the reason the subscription manager last saw (Waldur or the broker
 * unreachable, credentials refused, …). Consumers that were connected and lost the broker have no such reason:
 * Paho is reconnecting by itself. The offering's API token is masked should an error message ever contain it.
 */
public final class MqttConsumersHealthCheck extends AbstractHealthCheck {

    public static final String ID = "mqtt-consumers";
    private static final String MASK = "xxxxxx";

    private final AgentConfig config;
    private final SubscriptionManager subscriptions;

    public MqttConsumersHealthCheck(AgentConfig config, SubscriptionManager subscriptions) {
        super("waldur-agent", ID);
        this.config = config;
        this.subscriptions = subscriptions;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    public boolean isLiveness() {
        // a broker outage is not a reason to restart the agent: Paho and the subscription manager reconnect
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> missing = new ArrayList<>();
        int expected = 0;
        for (OfferingConfig offering : config.offerings()) {
            if (!offering.mqttEnabled()) {
                continue;
            }
            for (ObjectType type : ObjectType.enabledFor(offering)) {
                expected++;
                String routeId = SubscriptionManager.routeId(offering, type);
                String key = "consumer." + offering.key() + "." + type.wireName();
                if (subscriptions.isConnected(routeId)) {
                    builder.detail(key, "connected");
                    continue;
                }
                String why = subscriptions.lastError(routeId)
                        .map(e -> mask(offering, describe(e)))
                        .orElse(subscriptions.consumerRouteIds().contains(routeId)
                                ? "connection to the broker lost, reconnecting"
                                : "not subscribed yet");
                builder.detail(key, "not connected: " + why);
                missing.add(offering + " " + type.wireName() + " events: " + why);
            }
        }
        builder.detail("consumers.expected", expected);
        builder.detail("consumers.connected", expected - missing.size());
        if (missing.isEmpty()) {
            builder.message(expected == 0 ? "no offering has mqtt_enabled" : "all " + expected + " MQTT consumers connected");
            builder.up();
        } else {
            builder.message("MQTT consumers not connected: " + String.join("; ", missing));
            builder.down();
        }
    }

    /** The text the subscription manager logs for the same failure ("cannot subscribe … yet (<this>)"). */
    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? Failures.reason(e) : message;
    }

    private static String mask(OfferingConfig offering, String text) {
        String token = offering.waldurApiToken();
        if (text == null) {
            return "unknown error";
        }
        return token == null || token.isBlank() ? text : text.replace(token, MASK);
    }
}
