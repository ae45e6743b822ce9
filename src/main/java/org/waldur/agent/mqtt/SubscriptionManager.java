package org.waldur.agent.mqtt;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Consumer;
import org.apache.camel.spi.PropertiesComponent;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.OfferingConfig;
import org.waldur.agent.waldur.WaldurJson;
import org.waldur.agent.waldur.WaldurRequestRejectedException;

/**
 * Owns the event subscriptions: reuses the stored one while Waldur still knows it, creates one otherwise,
 * and instantiates the {@code waldur-mqtt-consumer} template for each (offering, object type).
 * Waldur or the broker being unreachable delays a consumer, with backoff, but never stops the agent. Once
 * connected, Paho reconnects by itself; a watchdog re-creates a subscription that Waldur deleted (the broker
 * then refuses its credentials) and starts a new consumer for it.
 *
 * <p>On shutdown ({@link #stopTakingEvents}, {@link #stopConsumers}, {@link #deleteSubscriptions}) the
 * consumers first stop taking messages while staying connected, so the events in flight can still be
 * acknowledged; then they disconnect, keeping the broker session; with
 * {@code agent.subscriptions.deleteOnShutdown} the subscriptions are then deleted in Waldur.
 */
public final class SubscriptionManager {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionManager.class);
    static final String TEMPLATE = "waldur-mqtt-consumer";

    private final AgentConfig config;
    private final SubscriptionStore store;
    private final Map<String, ConsumerState> consumers = new ConcurrentHashMap<>();
    private final Map<String, Throwable> lastErrors = new ConcurrentHashMap<>();
    private final java.util.Set<String> subscribed = ConcurrentHashMap.newKeySet();
    /** Released once every route (and every event worker) runs: consumers deliver messages only after that. */
    private final CountDownLatch routesStarted = new CountDownLatch(1);
    private volatile CamelContext context;
    private volatile boolean stopping;
    private volatile boolean paused;
    private ProducerTemplate producer;
    private ScheduledExecutorService executor;
    /** Where a restart asks Waldur about its stored subscriptions while connecting; never waits on {@link #executor}. */
    private ExecutorService checks;
    private long maxBackoffMillis;
    private long disconnectGraceMillis;
    private long reconnectStallMillis;

    public SubscriptionManager(AgentConfig config, SubscriptionStore store) {
        this.config = config;
        this.store = store;
    }

    /** A consumer route and the subscription it uses. */
    static final class ConsumerState {
        final OfferingConfig offering;
        final ObjectType type;
        volatile Subscription subscription;
        volatile long disconnectedSince;
        /** Since when the broker accepts connections while this consumer is still disconnected; 0 = not so. */
        volatile long reachableSince;
        /** Set once the route's first connect returned; before that the consumer is still starting. */
        volatile boolean started;
        /** Kept here: the consumer forgets the client it was given when its route stops. */
        volatile PreconnectedClient client;

        ConsumerState(OfferingConfig offering, ObjectType type, Subscription subscription) {
            this.offering = offering;
            this.type = type;
            this.subscription = subscription;
        }
    }

    /**
     * Begins subscribing: Waldur's subscriptions, the consumer routes and their MQTT connects. Called as soon as
     * the {@code waldur-call} route runs, while the other routes are still starting, because a connect mostly
     * waits (0.3-0.6 s, see PreconnectedClient) and this wait then overlaps the rest of the start-up; and again
     * after start-up (a no-op by then). Consumers start taking messages only after {@link #routesStarted()}.
     */
    public synchronized void start(CamelContext camelContext) {
        if (executor != null) {
            return;
        }
        this.context = camelContext;
        this.producer = camelContext.createProducerTemplate();
        PropertiesComponent props = camelContext.getPropertiesComponent();
        this.maxBackoffMillis = millis(props, "agent.subscriptions.maxBackoff", "300000");
        this.disconnectGraceMillis = millis(props, "agent.mqtt.watchdogGrace", "60000");
        long watchdogPeriod = millis(props, "agent.mqtt.watchdogPeriod", "30000");
        this.reconnectStallMillis = millis(props, "agent.mqtt.reconnectStall", "2000");
        long reconnectCheckPeriod = millis(props, "agent.mqtt.reconnectCheckPeriod", "1000");
        // a Paho connect mostly waits (0.3-0.6 s, see PreconnectedClient): enough threads to connect many at once
        int threads = Integer.parseInt(props.resolveProperty("agent.subscriptions.threads").orElse("8"));
        if (threads < 1) {
            throw new IllegalArgumentException("agent.subscriptions.threads must be at least 1, not " + threads);
        }
        this.executor = camelContext.getExecutorServiceManager().newScheduledThreadPool(this, "subscriptions", threads);
        this.checks = camelContext.getExecutorServiceManager().newCachedThreadPool(this, "subscription-checks");
        for (OfferingConfig offering : config.offerings()) {
            if (!offering.mqttEnabled()) {
                LOG.info("{}: mqtt_enabled is false, no event subscriptions", offering);
                continue;
            }
            for (ObjectType type : ObjectType.enabledFor(offering)) {
                executor.execute(() -> subscribe(offering, type, 0));
            }
        }
        executor.scheduleWithFixedDelay(this::watchdog, watchdogPeriod, watchdogPeriod, TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::reconnectCheck, reconnectCheckPeriod, reconnectCheckPeriod, TimeUnit.MILLISECONDS);
    }

    /** Every route runs, the event workers too: consumers may now take messages. */
    public void routesStarted() {
        routesStarted.countDown();
    }

    /**
     * Shutdown, step 1: no new subscriptions, consumers or messages. Each consumer stays connected but takes
     * no further message; with manual acknowledgements those messages stay unacknowledged, so the broker
     * delivers them again after the restart (without manual acknowledgements the consumer is stopped).
     * Messages already taken are processed and acknowledged as usual.
     */
    public void stopTakingEvents() {
        stopping = true;
        if (executor != null) {
            // not shutdownNow: a reconciliation pass started after subscribing runs to its end as in-flight work
            context.getExecutorServiceManager().shutdown(executor);
        }
        for (String routeId : consumers.keySet()) {
            pause(routeId);
        }
        paused = true;
        if (!consumers.isEmpty()) {
            LOG.info("Shutting down: {} MQTT consumer(s) take no new messages", consumers.size());
        }
    }

    /** Shutdown, step 2: disconnect every consumer. The broker keeps the session and what it still holds for us. */
    public void stopConsumers() {
        stopping = true;
        if (executor != null) {
            // what was left: delayed subscribe retries (which now do nothing)
            context.getExecutorServiceManager().shutdownNow(executor);
            context.getExecutorServiceManager().shutdownNow(checks);
        }
        for (String routeId : consumers.keySet()) {
            try {
                context.getRouteController().stopRoute(routeId);
            } catch (Exception e) {
                LOG.warn("Cannot stop consumer {}: {}", routeId, e.getMessage());
            }
            // the route does not disconnect a client it did not create
            closeClient(routeId);
        }
    }

    /**
     * Shutdown, step 3 when {@code agent.subscriptions.deleteOnShutdown} is true: deletes every event
     * subscription this agent holds (in the state file) for its offerings in Waldur, and forgets it. One
     * attempt each; a subscription that cannot be deleted stays in the state file and is reused or replaced
     * at the next start.
     */
    public void deleteSubscriptions() {
        for (OfferingConfig offering : config.offerings()) {
            for (ObjectType type : ObjectType.values()) {
                String key = storeKey(offering, type);
                Optional<Subscription> stored = store.get(key);
                if (stored.isEmpty()) {
                    continue;
                }
                String uuid = stored.get().uuid();
                try {
                    call(offering, "DELETE /api/event-subscriptions/" + uuid + "/", null);
                    LOG.info("{}: deleted event subscription {} for {}", offering, uuid, type.wireName());
                } catch (WaldurRequestRejectedException e) {
                    if (e.status() != 404) {
                        LOG.warn("{}: cannot delete event subscription {} for {}: {}", offering, uuid, type.wireName(), e.getMessage());
                        continue;
                    }
                    LOG.info("{}: event subscription {} for {} was already gone", offering, uuid, type.wireName());
                } catch (Exception e) {
                    LOG.warn("{}: cannot delete event subscription {} for {}: {}; it stays in the state file",
                            offering, uuid, type.wireName(), e.getMessage());
                    continue;
                }
                store.remove(key);
            }
        }
    }

    /** Whether a shutdown has begun (consumers take no new messages). */
    public boolean isStopping() {
        return stopping;
    }

    /** True once every consumer takes no new message (shutdown step 1 is complete). */
    public boolean isPaused() {
        return paused;
    }

    private void pause(String routeId) {
        Route route = context.getRoute(routeId);
        if (route == null || !(route.getConsumer() instanceof PahoMqtt5Consumer paho)) {
            return;
        }
        MqttClient client = paho.getClient();
        if (client == null) {
            return;
        }
        if (paho.getEndpoint().getConfiguration().isManualAcksEnabled()) {
            client.setCallback(new PausedConsumer(routeId));
        } else {
            // Paho acknowledges on arrival: a message ignored here would be lost, so stop taking them at once
            try {
                context.getRouteController().stopRoute(routeId);
            } catch (Exception e) {
                LOG.warn("Cannot stop consumer {}: {}", routeId, e.getMessage());
            }
        }
    }

    /** Replaces the consumer's callback during shutdown: messages are neither processed nor acknowledged. */
    private static final class PausedConsumer implements MqttCallback {

        private final String routeId;

        PausedConsumer(String routeId) {
            this.routeId = routeId;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            LOG.info("{}: message {} not taken while shutting down; the broker delivers it again after the restart",
                    routeId, message.getId());
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    /** Route ids of the consumers started so far, for tests and operators. */
    public List<String> consumerRouteIds() {
        return List.copyOf(consumers.keySet());
    }

    public Optional<Subscription> subscription(String routeId) {
        return Optional.ofNullable(consumers.get(routeId)).map(c -> c.subscription);
    }

    public static String routeId(OfferingConfig offering, ObjectType type) {
        return "mqtt-" + offering.key() + "-" + type.wireName();
    }

    /** Why the consumer of this route is not running, if the last attempt to subscribe or connect failed. */
    public Optional<Throwable> lastError(String routeId) {
        return Optional.ofNullable(lastErrors.get(routeId));
    }

    private void subscribe(OfferingConfig offering, ObjectType type, int attempt) {
        if (stopping) {
            return;
        }
        try {
            if (!resumeStored(offering, type, attempt > 0)) {
                startConsumer(offering, type, create(offering, type), null);
            }
            lastErrors.remove(routeId(offering, type));
        } catch (Exception e) {
            if (stopping) {
                return;
            }
            lastErrors.put(routeId(offering, type), e);
            long delay = Math.min(maxBackoffMillis, 1000L << Math.min(attempt, 16));
            LOG.warn("{}: cannot subscribe to {} events yet ({}); retrying in {} s",
                    offering, type.wireName(), e.getMessage(), delay / 1000);
            executor.schedule(() -> subscribe(offering, type, attempt + 1), delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts the consumer of the subscription this agent stored for {@code type}, connecting with its credentials
     * while another thread asks Waldur whether it still exists: a restart's connects (0.6 s each, see
     * PreconnectedClient) then no longer wait for Waldur's answers (README, Performance). The consumer starts
     * taking messages only once Waldur confirmed. False when nothing is stored, or Waldur no longer knows the
     * subscription: then it is forgotten and its consumer is gone again.
     */
    private boolean resumeStored(OfferingConfig offering, ObjectType type, boolean retrying) throws Exception {
        String key = storeKey(offering, type);
        Optional<Subscription> stored = store.get(key);
        if (stored.isEmpty()) {
            return false;
        }
        Subscription subscription = stored.get();
        CompletableFuture<Boolean> stillExists = CompletableFuture.supplyAsync(() -> {
            try {
                return exists(offering, subscription);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, checks);
        try {
            startConsumer(offering, type, subscription, stillExists);
        } catch (Exception e) {
            // refused credentials or not: what Waldur says decides; if it cannot say, that is the error to retry on
            if (confirmed(stillExists)) {
                throw e;
            }
            LOG.info("{}: event subscription {} for {} no longer exists in Waldur; creating a new one",
                    offering, subscription.uuid(), type.wireName());
            store.remove(key);
            return false;
        }
        if (!retrying) {
            LOG.info("{}: reused event subscription {} for {}", offering, subscription.uuid(), type.wireName());
        }
        return true;
    }

    /** Waldur's answer to a subscription check; its failure (Waldur unreachable, 5xx) as the exception it was. */
    private static boolean confirmed(CompletableFuture<Boolean> check) throws Exception {
        try {
            return check.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static String storeKey(OfferingConfig offering, ObjectType type) {
        return SubscriptionStore.key(offering.waldurBaseUrl(), offering.offeringUuidHex(), type);
    }

    private Subscription create(OfferingConfig offering, ObjectType type) throws Exception {
        String key = storeKey(offering, type);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("description", "Event subscription for waldur-camel-agent (waldur-site-agent), offering "
                + offering.name() + ", observable object type: " + type.wireName());
        request.put("observable_objects", List.of(Map.of("object_type", type.wireName())));
        Object response = call(offering, "POST /api/event-subscriptions/", request);
        Subscription created = WaldurJson.MAPPER.convertValue(response, Subscription.class);
        if (created.uuid() == null || created.userUuid() == null) {
            throw new IllegalStateException("Waldur's event subscription response has no uuid or user_uuid");
        }
        store.put(key, created);
        LOG.info("{}: created event subscription {} for {}", offering, created.uuid(), type.wireName());
        return created;
    }

    private boolean exists(OfferingConfig offering, Subscription subscription) throws Exception {
        try {
            call(offering, "GET /api/event-subscriptions/" + subscription.uuid() + "/", null);
            return true;
        } catch (WaldurRequestRejectedException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Adds and connects the consumer route of {@code subscription} and starts it once every route runs. With
     * {@code stillExists}, Waldur's pending answer whether the subscription exists: the route starts only
     * after a yes.
     */
    private void startConsumer(OfferingConfig offering, ObjectType type, Subscription subscription,
            CompletableFuture<Boolean> stillExists) throws Exception {
        String routeId = routeId(offering, type);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("offering", offering.key());
        parameters.put("objectType", type.wireName());
        parameters.put("topic", "subscription/" + subscription.uuid() + "/offering/" + offering.offeringUuidHex() + "/" + type.wireName());
        parameters.put("brokerUrl", offering.effectiveBrokerUrl());
        parameters.put("clientId", "waldur-camel-agent-" + subscription.uuid());
        parameters.put("userName", subscription.brokerUserName());
        parameters.put("password", offering.waldurApiToken());
        parameters.put("socketFactory", MqttSocketFactories.beanName(offering));
        parameters.put("hostnameVerification", String.valueOf(offering.websocketUseTls()));
        TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, TEMPLATE).routeId(routeId);
        parameters.forEach(builder::parameter);
        builder.add();
        PreconnectedClient client = null;
        try {
            // Paho does not retry a first connect; until one succeeds, subscribe() retries with backoff,
            // re-checking the subscription each time (refused credentials mean Waldur deleted it).
            // Connected here, outside the route start and its context lock, so consumers connect side by side.
            // the route's consumer exists once the route is added; it uses a client it is given and connects none
            PahoMqtt5Consumer consumer = (PahoMqtt5Consumer) context.getRoute(routeId).getConsumer();
            client = PreconnectedClient.connect(consumer.getEndpoint());
            if (stillExists != null && !confirmed(stillExists)) {
                throw new IllegalStateException("event subscription " + subscription.uuid() + " no longer exists in Waldur");
            }
            consumer.setClient(client);
            ConsumerState connected = new ConsumerState(offering, type, subscription);
            connected.client = client;
            consumers.put(routeId, connected);
            awaitRoutesStarted();
            context.getRouteController().startRoute(routeId);
            ConsumerState state = consumers.get(routeId);
            if (state != null) {
                state.started = true;
            }
        } catch (Exception e) {
            consumers.remove(routeId);
            context.getRouteController().stopRoute(routeId);
            context.removeRoute(routeId);
            if (client != null) {
                client.closeQuietly();
            }
            throw e;
        }
        if (stopping) {
            // a shutdown began while this consumer connected
            pause(routeId);
            return;
        }
        LOG.info("{}: consumer {} listens on {}", offering, routeId, offering.effectiveBrokerUrl());
        if (subscribed.add(routeId)) {
            afterFirstSubscribe(offering, type);
        }
    }

    /** Until then a connected client keeps what the broker sends (PreconnectedClient) and acknowledges nothing. */
    private void awaitRoutesStarted() throws InterruptedException {
        while (!routesStarted.await(1, TimeUnit.SECONDS)) {
            if (stopping) {
                throw new IllegalStateException("the agent stopped before its routes had started");
            }
        }
    }

    public boolean hasSubscribed(OfferingConfig offering, ObjectType type) {
        return subscribed.contains(routeId(offering, type));
    }

    /** Subscribe first, then reconcile: what Waldur announced before the subscription existed is caught here. */
    private void afterFirstSubscribe(OfferingConfig offering, ObjectType type) {
        String route = "reconcile-" + type.wireName() + "s";
        if (context.getRoute(route) != null) {
            executor.execute(() -> producer.sendBodyAndHeader("direct:" + route, null, "WaldurOffering", offering.key()));
        }
    }

    /** Re-creates a subscription Waldur deleted; Paho and the route controller handle every other outage. */
    void watchdog() {
        if (stopping) {
            return;
        }
        long now = System.currentTimeMillis();
        for (Map.Entry<String, ConsumerState> e : consumers.entrySet()) {
            ConsumerState state = e.getValue();
            if (isConnected(e.getKey())) {
                state.disconnectedSince = 0;
                continue;
            }
            if (state.disconnectedSince == 0) {
                state.disconnectedSince = now;
                continue;
            }
            if (now - state.disconnectedSince < disconnectGraceMillis) {
                continue;
            }
            try {
                if (!exists(state.offering, state.subscription)) {
                    LOG.warn("{}: event subscription {} was deleted in Waldur; re-creating it and reconnecting",
                            state.offering, state.subscription.uuid());
                    context.getRouteController().stopRoute(e.getKey());
                    closeClient(e.getKey());
                    context.removeRoute(e.getKey());
                    consumers.remove(e.getKey());
                    // Waldur just said it is gone: forgotten and replaced without asking again
                    store.remove(storeKey(state.offering, state.type));
                    startConsumer(state.offering, state.type, create(state.offering, state.type), null);
                } else {
                    state.disconnectedSince = now;
                }
            } catch (Exception ex) {
                LOG.warn("{}: consumer {} is disconnected and its subscription cannot be checked: {}",
                        state.offering, e.getKey(), ex.getMessage());
            }
        }
    }

    /**
     * Paho 1.2.5 can hang for good in an automatic reconnect: its connect thread waits in
     * {@code CommsSender.start} for a sender that is never started, the connection timeout does not apply, and
     * no further attempt is made (seen after a broker restart with messages in flight; upstream
     * paho.mqtt.java issues #843, #856, #1028). Its backoff also grows to {@code agent.mqtt.maxReconnectDelay}.
     * So a consumer that is still disconnected {@code agent.mqtt.reconnectStall} after its broker accepts TCP
     * connections again is replaced: the old client is closed and the consumer is subscribed anew, with the
     * same persistent session (same client id). Refused credentials end up here too, and the new subscribe
     * re-checks the subscription in Waldur and re-creates it when Waldur deleted it.
     */
    void reconnectCheck() {
        if (stopping) {
            return;
        }
        long now = System.currentTimeMillis();
        for (Map.Entry<String, ConsumerState> e : consumers.entrySet()) {
            ConsumerState state = e.getValue();
            try {
                if (!state.started || isConnected(e.getKey()) || !brokerAcceptsConnections(state.offering)) {
                    state.reachableSince = 0;
                    continue;
                }
                if (state.reachableSince == 0) {
                    state.reachableSince = now;
                    continue;
                }
                if (now - state.reachableSince < reconnectStallMillis || stopping) {
                    continue;
                }
                LOG.warn("{}: consumer {} is still disconnected {} ms after the broker accepts connections again;"
                        + " replacing its MQTT client", state.offering, e.getKey(), now - state.reachableSince);
                replace(e.getKey(), state);
            } catch (Exception ex) {
                LOG.warn("{}: cannot check or replace consumer {}: {}", state.offering, e.getKey(), ex.getMessage());
            }
        }
    }

    private void replace(String routeId, ConsumerState state) throws Exception {
        consumers.remove(routeId);
        Route route = context.getRoute(routeId);
        if (route != null && route.getConsumer() instanceof PahoMqtt5Consumer paho && paho.getClient() != null) {
            MqttClient client = paho.getClient();
            try {
                // stops its reconnect timer, so it cannot take the session back later
                client.disconnectForcibly(0, 1000, false);
            } catch (Exception ignored) {
                // not connected: nothing to disconnect
            }
            try {
                client.close(true);
            } catch (Exception ignored) {
                // a hung client may refuse; it is dropped either way
            }
        }
        context.getRouteController().stopRoute(routeId, 10, TimeUnit.SECONDS);
        context.removeRoute(routeId);
        subscribe(state.offering, state.type, 0);
    }

    /** Disconnects and closes the MQTT client of a consumer (its route stopped), if it has one. */
    private void closeClient(String routeId) {
        ConsumerState state = consumers.get(routeId);
        if (state != null && state.client != null) {
            state.client.closeQuietly();
        }
    }

    /** A plain TCP connect to the broker's host and port (no TLS, no MQTT), one second at most. */
    static boolean brokerAcceptsConnections(OfferingConfig offering) {
        try {
            URI uri = URI.create(offering.effectiveBrokerUrl());
            int port = uri.getPort();
            if (port < 0) {
                port = switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
                    case "wss", "https" -> 443;
                    case "ws", "http" -> 80;
                    case "ssl", "mqtts" -> 8883;
                    default -> 1883;
                };
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), port), 1000);
                return true;
            }
        } catch (Exception e) {
            return false;
        }
    }

    /** False until {@link #start} ran: the agent's context is up a moment before its subscriptions are. */
    public boolean isConnected(String routeId) {
        CamelContext ctx = context;
        if (ctx == null) {
            return false;
        }
        Route route = ctx.getRoute(routeId);
        // a consumer connected before the routes had started is not subscribed yet
        ServiceStatus status = ctx.getRouteController().getRouteStatus(routeId);
        if (route != null && status != null && status.isStarted() && route.getConsumer() instanceof PahoMqtt5Consumer paho) {
            return paho.getClient() != null && paho.getClient().isConnected();
        }
        return false;
    }

    private Object call(OfferingConfig offering, String request, Object body) throws Exception {
        Exchange result = producer.send("direct:waldur", ex -> {
            ex.getMessage().setHeader("WaldurOffering", offering.key());
            ex.getMessage().setHeader("WaldurRequest", request);
            ex.getMessage().setBody(body);
        });
        if (result.getException() != null) {
            throw result.getException();
        }
        return result.getMessage().getBody();
    }

    private static long millis(PropertiesComponent props, String key, String def) {
        String v = props.resolveProperty(key).orElse(def);
        return org.apache.camel.util.TimeUtils.toMilliSeconds(v);
    }

}
