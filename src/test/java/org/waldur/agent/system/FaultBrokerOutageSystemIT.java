package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.sandbox.waldur.WaldurOrder;

/**
 * Mosquitto stopped in the middle of a burst and started again after an outage (20 s at full size): the agent
 * is connected again within 5 s of the broker being back, and every order published to its persistent session
 * (queued at the broker when it stopped, or published right after it came back) is done, through its message:
 * no reconciliation pass ran.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultBrokerOutageSystemIT {

    private static final String PREFIX = "fbroker_";
    private static final String CONNECTED = "New client connected from";

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
    void brokerStoppedMidBurstNothingPublishedIsLostAndTheAgentIsBackWithin5s() throws Exception {
        int n = FaultScale.brokerOrders();
        Duration outage = FaultScale.brokerOutage();
        // the agent's own reconnect settings (application.properties), not the short ones of the route tests
        AgentProcess agent = site.startAndAwaitIdle(List.of());
        try {
            int listings = site.reconciliationListings();
            List<WaldurOrder> orders = site.newCreateOrders("b", n);
            for (WaldurOrder order : orders) {
                site.publishOrder(order);
            }
            await("the burst is being processed").atMost(FaultSite.WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> site.countInState(orders, "done") >= 1);

            site.broker.stop();
            long doneAtStop = site.countInState(orders, "done");
            assertThat(doneAtStop).as("orders done when the broker stopped").isLessThan(n);
            Thread.sleep(outage.toMillis()); // the outage itself
            long connectsBefore = agentConnects();
            site.broker.start();
            long back = System.nanoTime();
            // published right after the broker is back, before the agent has reconnected: kept in its session
            WaldurOrder probe = site.newCreateOrder("bprobe");
            site.publishOrder(probe);
            await("agent connected again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> agentConnects() > connectsBefore);
            long reconnectMs = Duration.ofNanos(System.nanoTime() - back).toMillis();
            await("agent ready again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(site::isReady);
            long readyMs = Duration.ofNanos(System.nanoTime() - back).toMillis();
            await("the probe order done").atMost(FaultSite.WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> site.waldur.order(probe.uuid()).isTerminal());
            long probeMs = Duration.ofNanos(System.nanoTime() - back).toMillis();
            orders.add(probe);
            site.awaitAllFinished(orders);
            long allMs = Duration.ofNanos(System.nanoTime() - back).toMillis();

            System.out.printf("FAULTS broker outage: %d orders + 1 probe, broker stopped with %d done, down %d s;"
                    + " agent connected %d ms, ready %d ms, probe done %d ms, all done %d ms after the broker was back%n",
                    n, doneAtStop, outage.toSeconds(), reconnectMs, readyMs, probeMs, allMs);
            assertThat(reconnectMs).as("ms from broker back to the agent's reconnect").isLessThanOrEqualTo(5000);
            assertThat(site.countInState(orders, "done")).as("orders done").isEqualTo(n + 1);
            assertThat(site.reconciliationListings()).as("reconciliation passes since start-up: every order came"
                    + " through its message").isEqualTo(listings);
            assertThat(site.allocationAccounts()).hasSize(n + 1);
            assertThat(site.deadLetters()).isEmpty();
            assertThat(site.waldur.contractViolations()).isEmpty();
            assertThat(agent.isAlive()).isTrue();
        } finally {
            agent.close();
        }
    }

    /** Connections of agent clients in the broker's log (the publisher and admin clients are not counted). */
    private long agentConnects() throws Exception {
        return Files.readAllLines(site.broker.logFile()).stream()
                .filter(l -> l.contains(CONNECTED) && l.contains(" as waldur-camel-agent-")).count();
    }
}
