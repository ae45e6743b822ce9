package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.sandbox.waldur.WaldurOrder;

/**
 * Waldur deletes the agent's event subscription, and with it the broker user: Mosquitto kicks the agent's
 * session and refuses its credentials from then on. The agent notices (its reconnect check replaces a client
 * that stays disconnected while the broker is reachable, and the new subscribe finds the subscription gone;
 * the watchdog would also), creates a new subscription, and order messages on the new topic are processed.
 *
 * <p>At full size the agent's own watchdog settings are used (checked every 30 s after 60 s disconnected); in
 * CI they are shortened to 2 s / 5 s, so that the test does not depend on which of the two acts first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultCredentialsRevokedSystemIT {

    private static final String PREFIX = "fcreds_";

    private FaultSite site;

    @BeforeAll
    void start() throws Exception {
        site = new FaultSite(PREFIX);
    }

    @AfterAll
    void stop() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void subscriptionDeletedInWaldurIsRecreatedAndTheAgentKeepsReceiving() throws Exception {
        List<String> options = FaultScale.full() ? List.of()
                : List.of("-Dagent.mqtt.watchdogPeriod=2s", "-Dagent.mqtt.watchdogGrace=5s");
        AgentProcess agent = site.startAndAwaitIdle(options);
        try {
            List<WaldurOrder> orders = new ArrayList<>();
            WaldurOrder before = site.newCreateOrder("c0000");
            orders.add(before);
            site.publishOrder(before);
            await("order before the revocation done").atMost(FaultSite.WAIT)
                    .until(() -> site.waldur.order(before.uuid()).isTerminal());
            String old = site.waldur.subscriptions().get(0).uuid();
            String oldUser = site.waldur.subscriptions().get(0).brokerUsername();

            long revoked = System.nanoTime();
            assertThat(site.waldur.deleteSubscription(old)).isTrue();
            await("agent no longer ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !site.isReady());
            await("a new subscription in Waldur and the agent ready on it").atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> site.waldur.subscriptions().size() == 1
                            && !site.waldur.subscriptions().get(0).uuid().equals(old) && site.isReady());
            long recreatedMs = Duration.ofNanos(System.nanoTime() - revoked).toMillis();
            String fresh = site.waldur.subscriptions().get(0).uuid();
            assertThat(site.waldur.subscriptions().get(0).brokerUsername()).isNotEqualTo(oldUser);

            // keeps receiving: orders announced on the new subscription's topic are processed
            for (int i = 1; i <= 3; i++) {
                WaldurOrder after = site.newCreateOrder(String.format("c%04d", i));
                orders.add(after);
                site.publishOrder(after);
            }
            await("orders after the re-creation done").atMost(FaultSite.WAIT)
                    .until(() -> site.allFinished(orders));
            long doneMs = Duration.ofNanos(System.nanoTime() - revoked).toMillis();

            System.out.printf("FAULTS credentials revoked: subscription %s deleted; new subscription %s and agent ready"
                    + " %d ms later; %d orders published on it done %d ms after the revocation%n",
                    old, fresh, recreatedMs, orders.size() - 1, doneMs);
            assertThat(site.countInState(orders, "done")).isEqualTo(orders.size());
            assertThat(site.allocationAccounts()).hasSize(orders.size());
            assertThat(site.waldur.count("POST", "/api/event-subscriptions/")).as("subscriptions created").isEqualTo(2);
            assertThat(site.deadLetters()).isEmpty();
            assertThat(site.waldur.contractViolations()).isEmpty();
            assertThat(agent.isAlive()).isTrue();
        } finally {
            agent.close();
        }
    }
}
