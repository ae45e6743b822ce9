package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.sandbox.waldur.WaldurOrder;

/**
 * Waldur answers 503 to every request for an outage (60 s at full size) while Create orders arrive. The agent's
 * own retry settings (1 s doubling to 60 s, 8 retries: about 3 minutes) span the outage, so the orders are
 * finished by their retried messages: no order erred, nothing dead-lettered, no reconciliation pass needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultWaldurOutageSystemIT {

    private static final String PREFIX = "fwaldur_";

    private FaultSite site;

    @BeforeAll
    void start() throws Exception {
        site = new FaultSite(PREFIX);
    }

    @AfterAll
    void stop() throws Exception {
        if (site != null) {
            site.waldur.clearFaults();
            site.close();
        }
    }

    @Test
    void waldurAnswering503ToEverythingNoOrderErredAllDoneAfterRecovery() throws Exception {
        int n = FaultScale.outageOrders();
        Duration outage = FaultScale.waldurOutage();
        AgentProcess agent = site.startAndAwaitIdle(List.of());
        try {
            int listings = site.reconciliationListings();
            List<WaldurOrder> orders = site.newCreateOrders("w", n);
            site.waldur.failAll(503);
            long down = System.nanoTime();
            try {
                for (WaldurOrder order : orders) {
                    site.publishOrder(order);
                }
                // the fault is real: order re-reads are refused and retried (a worker retries one event at a
                // time, so the orders queued behind it wait for their first try)
                await("orders refused and retried").atMost(outage).pollInterval(Duration.ofMillis(200))
                        .until(() -> orders.stream().anyMatch(o -> site.waldur.requests("GET", "/api/marketplace-orders/" + o.uuid() + "/")
                                .stream().filter(r -> r.status() == 503).count() >= 2));
                FaultSite.sleepRestOfOutage(outage, down);
            } finally {
                site.waldur.clearFaults();
            }
            long up = System.nanoTime();
            assertThat(orders).allSatisfy(o -> assertThat(site.waldur.order(o.uuid()).state()).isEqualTo("pending-provider"));

            site.awaitAllFinished(orders);
            long recoveredMs = Duration.ofNanos(System.nanoTime() - up).toMillis();
            long refused = site.waldur.requests().stream().filter(r -> r.status() == 503).count();

            System.out.printf("FAULTS Waldur 503: %d orders, Waldur down %d s (%d requests answered 503); all done"
                    + " %d ms after recovery%n", n, outage.toSeconds(), refused, recoveredMs);
            assertThat(site.countInState(orders, "done")).as("orders done").isEqualTo(n);
            assertThat(site.countInState(orders, "erred")).as("orders erred").isZero();
            assertThat(site.waldur.count("POST", "/api/marketplace-orders/.*/set_state_erred/")).isZero();
            assertThat(site.reconciliationListings()).as("reconciliation passes: the retries did it").isEqualTo(listings);
            assertThat(site.deadLetters()).as("dead letters").isEmpty();
            assertThat(site.allocationAccounts()).hasSize(n);
            assertThat(site.addAccountTransactions()).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1));
            assertThat(site.waldur.contractViolations()).isEmpty();
            assertThat(agent.isAlive()).isTrue();
        } finally {
            agent.close();
        }
    }
}
