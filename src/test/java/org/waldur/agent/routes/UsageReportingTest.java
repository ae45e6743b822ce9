package org.waldur.agent.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.testing.AgentFixture;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.WaldurComponentUsage;
import org.waldur.agent.sandbox.waldur.WaldurComponentUserUsage;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/** Usage reporting: recorded sacct output becomes set_usage / set_user_usage amounts in Waldur units. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageReportingTest {

    private AgentFixture f;
    private WaldurResource reported;
    private WaldurResource lower;

    @BeforeAll
    void start() throws Exception {
        f = new AgentFixture();
        f.offeringYaml("    mqtt_enabled: false\n    reporting_backend: slurm\n")
                .property("agent.report.period", "1h").property("agent.report.initialDelay", "1h")
                .property("agent.reconciliation.period", "1h");
        reported = f.waldur.newResource(f.offering, f.project).name("Used").slug("used").backendId("hpc_used").state("OK").create();
        lower = f.waldur.newResource(f.offering, f.project).name("Lower").slug("lower").backendId("hpc_lower").state("OK").create();
        // 3 CPUs for 1000 h = 180000 CPU-minutes = 3.00 k-Hours; 1024 MB for 1000 h = 1000 GB-Hours
        f.slurm.addJob("hpc_used", "alice", "billing=3,cpu=3,mem=1024M,node=1", 3_600_000L, "COMPLETED");
        // 1 CPU for 600 h = 0.60 k-Hours, no memory requested
        f.slurm.addJob("hpc_used", "bob", "cpu=1,node=1", 2_160_000L, "COMPLETED");
        f.slurm.addJob("hpc_lower", "carol", "cpu=1,node=1", 2_160_000L, "RUNNING");
        f.waldur.addComponentUsage(lower, "cpu", new BigDecimal("5.00"));
        f.startAgent();
        f.agent().context().createProducerTemplate().sendBodyAndHeader("direct:report-usage", null, "WaldurOffering", f.offering.uuid());
    }

    @AfterAll
    void stop() throws Exception {
        f.close();
    }

    @Test
    void totalsPerComponentAreReportedInWaldurUnits() {
        await().atMost(Duration.ofSeconds(20)).until(() -> f.waldur.componentUsages(reported).size() == 2);
        Map<String, BigDecimal> usage = f.waldur.componentUsages(reported).stream()
                .filter(u -> u.billingPeriod().equals(FakeWaldur.currentBillingPeriod()))
                .collect(Collectors.toMap(WaldurComponentUsage::type, u -> u.usage().stripTrailingZeros()));
        assertThat(usage.get("cpu")).isEqualByComparingTo("3.60");
        assertThat(usage.get("mem")).isEqualByComparingTo("1000.00");
        assertThat(f.waldur.contractViolations()).isEmpty();
    }

    @Test
    void perUserUsageIsReportedToo() {
        await().atMost(Duration.ofSeconds(20)).until(() -> f.waldur.componentUserUsages(reported).size() >= 3);
        Map<String, BigDecimal> cpu = f.waldur.componentUsages(reported).stream().filter(u -> u.type().equals("cpu"))
                .flatMap(u -> f.waldur.componentUserUsages(u).stream())
                .collect(Collectors.toMap(WaldurComponentUserUsage::username, u -> u.usage().stripTrailingZeros()));
        assertThat(cpu.get("alice")).isEqualByComparingTo("3.00");
        assertThat(cpu.get("bob")).isEqualByComparingTo("0.60");
    }

    @Test
    void aTotalLowerThanWhatWaldurHasIsNotReported() {
        await().atMost(Duration.ofSeconds(20)).until(() -> f.waldur.componentUsages(reported).size() == 2);
        assertThat(f.waldur.componentUsages(lower)).hasSize(1)
                .allSatisfy(u -> assertThat(u.usage()).isEqualByComparingTo("5.00"));
        assertThat(f.waldur.requests("POST", "/api/marketplace-component-usages/set_usage/"))
                .noneMatch(r -> r.body().contains(lower.uuid()));
    }

    @Test
    void oneSacctRunCoversAllAccounts() {
        await().atMost(Duration.ofSeconds(20)).until(() -> f.waldur.componentUsages(reported).size() == 2);
        assertThat(f.slurm.callLog("sacct")).hasSize(1);
        assertThat(f.slurm.callLog("sacct").get(0).argv()).anyMatch(a -> a.startsWith("--accounts=") && a.contains("hpc_used") && a.contains("hpc_lower"));
    }
}
