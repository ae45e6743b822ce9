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
 * The real slurmdbd stopped for an outage (30 s at full size) while Create orders arrive: sacctmgr fails with
 * "Connection refused", the agent retries (its own settings: 1 s doubling, 8 retries, about 3 minutes), and
 * after slurmdbd is back every order is done; nothing erred, nothing dead-lettered. slurmdbd is always
 * restarted, also when the test fails, since every later system test needs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultSlurmdbdOutageSystemIT {

    private static final String PREFIX = "fdbd_";

    private FaultSite site;

    @BeforeAll
    void start() throws Exception {
        site = new FaultSite(PREFIX);
    }

    @AfterAll
    void stop() throws Exception {
        if (site != null) {
            site.slurm.restartMissing();
            site.close();
        }
    }

    @Test
    void slurmdbdStoppedOrdersRetriedThenDoneNothingErred() throws Exception {
        int n = FaultScale.outageOrders();
        Duration outage = FaultScale.slurmdbdOutage();
        AgentProcess agent = site.startAndAwaitIdle(List.of());
        try {
            int listings = site.reconciliationListings();
            List<WaldurOrder> orders = site.newCreateOrders("d", n);
            long failedBefore = failedSacctmgrRuns();
            site.slurm.stopSlurmdbd();
            long down = System.nanoTime();
            long upAt;
            try {
                for (WaldurOrder order : orders) {
                    site.publishOrder(order);
                }
                // the fault is real: sacctmgr runs fail and are retried (a worker retries one event at a time,
                // so the orders queued behind it wait for their first try)
                await("sacctmgr failing").atMost(outage).pollInterval(Duration.ofMillis(200))
                        .until(() -> failedSacctmgrRuns() - failedBefore >= 2);
                FaultSite.sleepRestOfOutage(outage, down);
                assertThat(site.countInState(orders, "done")).as("orders done while slurmdbd was down").isZero();
            } finally {
                site.slurm.restartMissing();
                upAt = System.nanoTime();
            }
            long failedDuringOutage = failedSacctmgrRuns() - failedBefore;

            site.awaitAllFinished(orders);
            long recoveredMs = Duration.ofNanos(System.nanoTime() - upAt).toMillis();

            System.out.printf("FAULTS slurmdbd outage: %d orders, slurmdbd down %d s (%d failed sacctmgr runs);"
                    + " all done %d ms after it was back%n", n, Duration.ofNanos(upAt - down).toSeconds(),
                    failedDuringOutage, recoveredMs);
            assertThat(site.countInState(orders, "done")).as("orders done").isEqualTo(n);
            assertThat(site.waldur.count("POST", "/api/marketplace-orders/.*/set_state_erred/")).isZero();
            assertThat(site.reconciliationListings()).as("reconciliation passes: the retries did it").isEqualTo(listings);
            assertThat(site.deadLetters()).as("dead letters").isEmpty();
            assertThat(site.allocationAccounts()).hasSize(n);
            assertThat(site.addAccountTransactions()).hasSize(n + 2)
                    .allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1));
            assertThat(site.waldur.contractViolations()).isEmpty();
            assertThat(agent.isAlive()).isTrue();
        } finally {
            agent.close();
        }
    }

    private long failedSacctmgrRuns() throws Exception {
        return site.slurmCalls().stream()
                .filter(c -> c.program().equals("sacctmgr") && c.exitCode() != null && c.exitCode() != 0).count();
    }
}
