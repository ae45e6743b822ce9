package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.sandbox.waldur.WaldurOrder;

/**
 * {@code kill -9} of the agent in the middle of a burst of Create orders, then a restart: every order ends
 * done, none erred, and slurmdbd recorded exactly one creation of each account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultKillSystemIT {

    private static final String PREFIX = "fkill_";

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
    void killNineInTheMiddleOfABurstThenRestartEveryOrderDoneOnce() throws Exception {
        int n = FaultScale.killOrders();
        AgentProcess first = site.startAndAwaitIdle(List.of());
        AgentProcess second = null;
        try {
            List<WaldurOrder> orders = site.newCreateOrders("k", n);
            long t0 = System.nanoTime();
            for (WaldurOrder order : orders) {
                site.publishOrder(order);
            }
            // in the middle: about a third done, the rest queued at the broker or in flight
            await("a third of the burst done").atMost(FaultSite.WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> site.countInState(orders, "done") >= n / 3);
            first.kill();
            long doneAtKill = site.countInState(orders, "done");
            long killedAfterMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertThat(doneAtKill).as("orders done when the agent was killed").isLessThan(n);

            second = site.start(List.of());
            AgentProcess restarted = second;
            await("every order finished after the restart").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        if (!restarted.isAlive()) {
                            throw new IllegalStateException("restarted agent exited:\n" + restarted.log());
                        }
                        return site.allFinished(orders);
                    });
            long totalMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();

            // Waldur: every order done, none erred
            Map<String, Long> states = new TreeMap<>();
            orders.forEach(o -> states.merge(site.waldur.order(o.uuid()).state(), 1L, Long::sum));
            assertThat(states).as("order states").containsExactly(Map.entry("done", (long) n));
            for (WaldurOrder o : orders) {
                String slug = site.waldur.resource(o.resourceUuid()).slug();
                assertThat(site.waldur.resource(o.resourceUuid()).backendId()).isEqualTo(PREFIX + slug);
            }
            assertThat(site.waldur.contractViolations()).isEmpty();

            // SLURM: every allocation account under the project account, each account added exactly once
            Map<String, String> accounts = site.allocationAccounts();
            for (WaldurOrder o : orders) {
                String account = PREFIX + site.waldur.resource(o.resourceUuid()).slug();
                assertThat(accounts).containsEntry(account, PREFIX + "proj");
            }
            Map<String, Integer> transactions = site.addAccountTransactions();
            assertThat(transactions).as("'Add Accounts' transactions in slurmdbd per account")
                    .hasSize(n + 2).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1));
            Map<String, Integer> successful = site.successfulAccountAdds();
            assertThat(successful).as("successful sacctmgr add account runs per account")
                    .allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(1));
            // The kill can catch an add in flight: slurmdbd has the account (above), but its sacctmgr dies of
            // SIGPIPE writing to the dead agent; the restarted agent finds the account and does not add it again.
            // Writes run one at a time, so at most one.
            Set<String> withoutSuccessfulRun = new TreeSet<>(transactions.keySet());
            withoutSuccessfulRun.removeAll(successful.keySet());
            assertThat(withoutSuccessfulRun).as("accounts without a successful add run: only one the kill interrupted")
                    .hasSizeLessThanOrEqualTo(1).isSubsetOf(site.interruptedAccountAdds());
            assertThat(site.deadLetters()).as("dead letters").isEmpty();

            System.out.printf("FAULTS kill -9: %d orders, killed after %d ms with %d done; all %d done %d ms after the"
                    + " first publish; %d sacctmgr add account attempts, %d successful; %d slurm calls%n",
                    n, killedAfterMs, doneAtKill, n, totalMs,
                    site.slurmCalls().stream().filter(FaultSite.SlurmCall::isAddAccount).count(),
                    site.successfulAccountAdds().values().stream().mapToInt(Integer::intValue).sum(),
                    site.slurmCalls().size());
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
