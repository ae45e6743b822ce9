package org.waldur.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.OfferingConfig;
import org.waldur.agent.mqtt.ObjectType;
import org.waldur.agent.mqtt.SubscriptionManager;

/**
 * The agent's own Prometheus metrics, next to Camel's route metrics in the same registry (served at
 * {@code /observe/metrics}). Every label has a small, fixed set of values: object types, outcomes, offering
 * UUIDs from the configuration, REST paths with their ids replaced, program names.
 *
 * <ul>
 *   <li>{@code waldur_agent_events_total{object_type, outcome, source}}: events handled; outcome is processed,
 *       failed (a permanent failure reported to Waldur, e.g. the order erred), dead_lettered or duplicate;
 *       source is mqtt or reconciliation.</li>
 *   <li>{@code waldur_agent_event_processing_seconds{object_type}}: histogram of the time a worker spent on an
 *       event, retries included.</li>
 *   <li>{@code waldur_agent_dead_letters_total{object_type}}: lines written to dead-letter.jsonl.</li>
 *   <li>{@code waldur_agent_mqtt_consumer_connected{offering, object_type}}: 1 while connected, else 0.</li>
 *   <li>{@code waldur_agent_waldur_requests_seconds{method, path, status}} and
 *       {@code waldur_agent_commands_seconds{command, outcome}} ({@link CallMetricsNotifier}).</li>
 * </ul>
 */
public final class AgentMetrics {

    /** Exchange property with the outcome decided by the error routes (failed, dead_lettered). */
    public static final String OUTCOME = "WaldurOutcome";
    /** Exchange property set when a worker takes the event; its absence means the event never reached one. */
    static final String WORKER_STARTED = "WaldurWorkerStarted";
    /** The labels, taken when the worker starts, before any step can change the headers. */
    private static final String LABEL_TYPE = "WaldurMetricsObjectType";
    private static final String LABEL_SOURCE = "WaldurMetricsSource";

    public static final String PROCESSED = "processed";
    public static final String FAILED = "failed";
    public static final String DEAD_LETTERED = "dead_lettered";
    public static final String DUPLICATE = "duplicate";

    /** Buckets from a duplicate dropped in milliseconds to an event retried for minutes. */
    private static final Duration[] PROCESSING_BUCKETS = {
            Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120),
            Duration.ofSeconds(300), Duration.ofSeconds(600)};

    private final MeterRegistry registry;

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One gauge per consumer the configuration asks for, read from the subscription manager at scrape time. */
    public void registerConsumerGauges(AgentConfig config, SubscriptionManager subscriptions) {
        for (OfferingConfig offering : config.offerings()) {
            if (!offering.mqttEnabled()) {
                continue;
            }
            for (ObjectType type : ObjectType.enabledFor(offering)) {
                String routeId = SubscriptionManager.routeId(offering, type);
                Gauge.builder("waldur.agent.mqtt.consumer.connected", subscriptions, s -> s.isConnected(routeId) ? 1 : 0)
                        .description("1 while the MQTT consumer of this offering and object type is connected")
                        .tag("offering", offering.key())
                        .tag("object_type", type.wireName())
                        .register(registry);
            }
        }
    }

    /** Step of the dead-letter route: counts the dead letter and marks the event's outcome. */
    public void deadLettered(Exchange exchange) {
        String objectType = objectType(exchange);
        Counter.builder("waldur.agent.dead.letters")
                .description("Events written to the dead-letter file")
                .tag("object_type", objectType)
                .register(registry).increment();
        exchange.setProperty(OUTCOME, DEAD_LETTERED);
        if (!exchange.getProperties().containsKey(WORKER_STARTED)) {
            // failed before the hand-off to a worker (e.g. malformed JSON): no worker will count it
            countEvent(exchange, DEAD_LETTERED);
        }
    }

    void workerStarted(Exchange exchange) {
        exchange.setProperty(WORKER_STARTED, System.nanoTime());
        exchange.setProperty(LABEL_TYPE, objectType(exchange));
        exchange.setProperty(LABEL_SOURCE, source(exchange));
    }

    /** A worker is done with an event: processed, failed, dead-lettered or dropped as a duplicate. */
    void workerDone(Exchange exchange) {
        Long started = exchange.getProperty(WORKER_STARTED, Long.class);
        String outcome = exchange.getProperty(OUTCOME, String.class);
        if (outcome == null) {
            if (exchange.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, false, Boolean.class)) {
                outcome = DUPLICATE;
            } else if (exchange.isFailed()) {
                outcome = FAILED;
            } else {
                outcome = PROCESSED;
            }
        }
        countEvent(exchange, outcome);
        if (started != null) {
            Timer.builder("waldur.agent.event.processing")
                    .description("Time a worker spent on an event, retries included")
                    .tag("object_type", objectType(exchange))
                    .serviceLevelObjectives(PROCESSING_BUCKETS)
                    .register(registry)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private void countEvent(Exchange exchange, String outcome) {
        Counter.builder("waldur.agent.events")
                .description("Events handled, by object type, outcome and source")
                .tag("object_type", objectType(exchange))
                .tag("outcome", outcome)
                .tag("source", source(exchange))
                .register(registry).increment();
    }

    private static String objectType(Exchange exchange) {
        String type = exchange.getProperty(LABEL_TYPE, String.class);
        if (type == null) {
            type = exchange.getMessage().getHeader("WaldurObjectType", String.class);
        }
        return type == null || type.isBlank() ? "unknown" : type;
    }

    /** Events from the broker carry their topic; reconciliation passes make theirs from what Waldur lists. */
    private static String source(Exchange exchange) {
        String source = exchange.getProperty(LABEL_SOURCE, String.class);
        if (source != null) {
            return source;
        }
        return exchange.getMessage().getHeader(PahoMqtt5Constants.MQTT_TOPIC) != null ? "mqtt" : "reconciliation";
    }
}
