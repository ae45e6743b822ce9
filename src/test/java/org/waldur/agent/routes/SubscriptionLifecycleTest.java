package org.waldur.agent.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.waldur.agent.testing.AgentFixture;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/**
 * Subscriptions and connections across the situations a site meets: the broker down at start, a restart,
 * a subscription deleted by Waldur, TLS with and without verification.
 */
class SubscriptionLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aBrokerThatIsDownAtStartIsConnectedToWhenItAppears() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.startAgent();
            await().atMost(WAIT).until(() -> f.agent().subscriptions().lastError(f.orderRouteId()).isPresent());
            assertThat(f.agent().isConnected(f.orderRouteId())).isFalse();
            assertThat(f.agent().subscriptions().lastError(f.orderRouteId()).orElseThrow()).hasMessageContaining("Unable to connect");
            assertThat(f.agent().context().isStarted()).isTrue();

            f.broker.start();

            f.awaitConnected();
            assertOrderIsProcessed(f, "late");
        }
    }

    @Test
    void aRestartReusesTheSubscriptionAndGetsWhatWasPublishedMeanwhile() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            Away away = orderPublishedWhileAway(f, "away");
            String subscription = away.subscription();
            WaldurOrder order = away.order();
            f.startAgent();

            await().atMost(WAIT).until(() -> f.waldur.order(order.uuid()).state().equals("done"));
            assertThat(f.orderSubscription()).isEqualTo(subscription);
            assertThat(f.waldur.subscriptions()).hasSize(1);
            assertThat(f.waldur.count("POST", "/api/event-subscriptions/")).isEqualTo(1);
            assertThat(f.waldur.count("GET", "/api/event-subscriptions/" + subscription + "/")).isEqualTo(1);
            assertThat(f.waldur.contractViolations()).isEmpty();
        }
    }

    @Test
    void consumersConnectWhileTheAgentStartsAndTakeMessagesOnlyOnceEverythingRuns() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            Away away = orderPublishedWhileAway(f, "early");
            String clientId = AgentFixture.clientId(away.subscription());
            WaldurOrder order = away.order();

            CountDownLatch release = new CountDownLatch(1);
            try {
                f.restartAgentHeld(release);
                // the connect (the slow part of a consumer's start) does not wait for the end of the start-up ...
                await().atMost(WAIT).until(() -> f.broker.isConnected(clientId));
                // ... but the message the broker kept is neither processed nor acknowledged before the workers run,
                // and the agent is not ready
                assertThat(f.agent().isConnected(f.orderRouteId())).isFalse();
                assertThat(f.agent().context().getRouteController().getRouteStatus(f.orderRouteId()).isStarted()).isFalse();
                assertThat(f.waldur.count("GET", "/api/marketplace-orders/" + order.uuid() + "/")).isZero();
                assertThat(f.broker.heldMessages(clientId)).isEqualTo(1);
            } finally {
                release.countDown();
            }

            await().atMost(WAIT).until(() -> f.waldur.order(order.uuid()).state().equals("done"));
            assertThat(f.agent().isConnected(f.orderRouteId())).isTrue();
            await().atMost(WAIT).until(() -> f.broker.heldMessages(clientId) == 0);
            assertThat(f.waldur.contractViolations()).isEmpty();
        }
    }

    @Test
    void aRestartConnectsWithItsStoredSubscriptionWhileWaldurStillConfirmsIt() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            Away away = orderPublishedWhileAway(f, "confirmed");
            String clientId = AgentFixture.clientId(away.subscription());
            CountDownLatch release = new CountDownLatch(1);
            f.waldur.holdAnswers("GET", "/api/event-subscriptions/[0-9a-f]+/", release);
            try {
                f.startAgent();
                // the connect does not wait for Waldur's answer about the subscription ...
                await().atMost(WAIT).until(() -> f.broker.isConnected(clientId));
                assertThat(f.waldur.heldRequests()).isPositive();
                // ... but nothing is taken from it before that answer
                assertThat(f.agent().isConnected(f.orderRouteId())).isFalse();
                assertThat(f.waldur.count("GET", "/api/marketplace-orders/" + away.order().uuid() + "/")).isZero();
                assertThat(f.broker.heldMessages(clientId)).isEqualTo(1);
            } finally {
                release.countDown();
            }

            await().atMost(WAIT).until(() -> f.waldur.order(away.order().uuid()).state().equals("done"));
            assertThat(f.orderSubscription()).isEqualTo(away.subscription());
            assertThat(f.waldur.count("POST", "/api/event-subscriptions/")).isEqualTo(1);
            assertThat(f.waldur.contractViolations()).isEmpty();
        }
    }

    @Test
    void aStoredSubscriptionWaldurDeniesIsDroppedEvenWhenTheBrokerStillAcceptsIt() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            String old = subscribeOnceAndStop(f);
            // the broker still knows the credentials, Waldur answers that the subscription is gone
            f.waldur.failNext("GET", "/api/event-subscriptions/" + old + "/", 404, 1);

            f.startAgent();
            f.awaitConnected();

            String fresh = f.orderSubscription();
            assertThat(fresh).isNotEqualTo(old);
            assertThat(f.orderTopic()).contains(fresh);
            await().atMost(WAIT).until(() -> !f.broker.isConnected(AgentFixture.clientId(old)));
            assertOrderIsProcessed(f, "denied");
        }
    }

    /** Starts the broker and the agent, lets it subscribe, stops it; the order subscription's UUID. */
    private static String subscribeOnceAndStop(AgentFixture f) throws Exception {
        f.broker.start();
        f.startAgent();
        f.awaitConnected();
        String subscription = f.orderSubscription();
        f.stopAgent();
        return subscription;
    }

    /** The agent's order subscription, and a Create order published on it while the agent was stopped. */
    private record Away(String subscription, WaldurOrder order) {
    }

    /**
     * Starts the agent once (it subscribes), stops it, and publishes a Create order on its topic meanwhile: the
     * broker keeps it in the persistent session. The agent is left stopped.
     */
    private static Away orderPublishedWhileAway(AgentFixture f, String slug) throws Exception {
        String subscription = subscribeOnceAndStop(f);
        WaldurResource resource = f.resource("While away " + slug, slug, 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();
        f.broker.publish(f.orderTopic(subscription), "{\"order_uuid\": \"" + order.uuid() + "\", \"order_state\": \"pending-provider\"}");
        return new Away(subscription, order);
    }

    @Test
    void aSubscriptionDeletedInWaldurIsRecreatedAndEventsFlowAgain() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.broker.start();
            f.startAgent();
            f.awaitConnected();
            String old = f.orderSubscription();

            // Waldur's cleanup deletes it, and with it the broker user: the connection is dropped and refused
            f.waldur.deleteSubscription(old);

            await().atMost(WAIT).until(() -> f.agent().subscriptions().subscription(f.orderRouteId())
                    .map(s -> !s.uuid().equals(old)).orElse(false) && f.agent().isConnected(f.orderRouteId()));
            assertThat(f.waldur.subscriptions()).hasSize(1).noneMatch(s -> s.uuid().equals(old));
            assertThat(f.orderTopic()).doesNotContain(old);
            assertOrderIsProcessed(f, "again");
        }
    }

    @Test
    void aStoredSubscriptionWaldurNoLongerKnowsIsReplacedWithoutAnOrphan() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            String old = subscribeOnceAndStop(f);
            f.waldur.deleteSubscription(old);

            f.startAgent();
            f.awaitConnected();

            assertThat(f.orderSubscription()).isNotEqualTo(old);
            assertThat(f.waldur.subscriptions()).hasSize(1);
            assertOrderIsProcessed(f, "replaced");
        }
    }

    @Test
    void tlsVerifiesTheBrokerCertificateAgainstTheConfiguredTrustStore() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.broker.start();
            f.brokerUrl(f.broker.wssUrl())
                    .property("agent.tls.trustStore", f.broker.trustStore().toString())
                    .property("agent.tls.trustStorePassword", f.broker.trustStorePassword());
            f.startAgent();
            f.awaitConnected();
            assertOrderIsProcessed(f, "tls");
        }
    }

    @Test
    void anUntrustedBrokerCertificateIsRefused() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.broker.start();
            f.brokerUrl(f.broker.wssUrl());
            f.startAgent();

            await().atMost(WAIT).until(() -> f.agent().subscriptions().lastError(f.orderRouteId()).isPresent());
            assertThat(f.agent().isConnected(f.orderRouteId())).isFalse();
            assertThat(rootMessages(f.agent().subscriptions().lastError(f.orderRouteId()).orElseThrow()))
                    .anyMatch(m -> m.contains("PKIX") || m.contains("certificate"));
            assertThat(f.agent().context().isStarted()).isTrue();
        }
    }

    @Test
    void websocketUseTlsFalseKeepsTlsButSkipsVerification() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.broker.start();
            f.brokerUrl(f.broker.wssUrl()).offeringYaml("    websocket_use_tls: false\n");
            f.startAgent();
            f.awaitConnected();
            assertOrderIsProcessed(f, "insecure");
        }
    }

    @Test
    void theTokenNeverAppearsInTheLog() throws Exception {
        List<String> lines = new ArrayList<>();
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                String line = event.getMessage().getFormattedMessage();
                if (event.getThrown() != null) {
                    line += " " + event.getThrown();
                }
                synchronized (lines) {
                    lines.add(line);
                }
            }
        };
        capture.start();
        logs.getConfiguration().getRootLogger().addAppender(capture, null, null);
        logs.getConfiguration().getLoggerConfig("org.waldur.agent").addAppender(capture, null, null);
        try (AgentFixture f = new AgentFixture()) {
            f.property("camel.main.tracing", "true");
            f.broker.start();
            f.startAgent();
            f.awaitConnected();
            f.awaitStartupReconciliation();
            assertOrderIsProcessed(f, "logged");
            // only this order's re-read is refused: a reconciliation listing must not take the 401 instead
            String refused = f.waldur.newOrder(f.resource("Refused", "refusedtok", 1, 1)).type("Create").create().uuid();
            f.waldur.failNext("GET", "/api/marketplace-orders/" + refused + "/", 401, 1);
            f.publishOrder(refused, "pending-provider");
            await().atMost(WAIT).until(() -> !f.deadLetters().isEmpty() || f.waldur.orders().stream().anyMatch(o -> o.state().equals("erred")));
            synchronized (lines) {
                assertThat(lines).hasSizeGreaterThan(50).noneMatch(l -> l.contains(f.waldur.token()));
            }
        } finally {
            logs.getConfiguration().getRootLogger().removeAppender("capture");
            logs.getConfiguration().getLoggerConfig("org.waldur.agent").removeAppender("capture");
        }
    }

    private static void assertOrderIsProcessed(AgentFixture f, String slug) throws Exception {
        WaldurResource resource = f.resource("Resource " + slug, slug, 1, 1);
        WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();
        f.publishOrder(order.uuid(), "pending-provider");
        await().atMost(WAIT).until(() -> f.waldur.order(order.uuid()).state().equals("done"));
        assertThat(f.slurm.accounts()).containsKey("hpc_" + slug);
    }

    private static List<String> rootMessages(Throwable t) {
        List<String> messages = new ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            messages.add(String.valueOf(c.getMessage()) + " " + c.getClass().getName());
        }
        return messages;
    }
}
