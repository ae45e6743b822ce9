package org.waldur.agent.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.waldur.agent.testing.AgentFixture;
import org.waldur.agent.sandbox.waldur.RecordedRequest;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/** Events are hints, Waldur is the truth: orders nobody announced are found and processed. */
class ReconciliationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void ordersWaitingBeforeStartAreProcessedRightAfterSubscribing() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.broker.start();
            WaldurResource resource = f.resource("Waiting", "waiting", 1, 1);
            WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();

            f.startAgent();

            await().atMost(WAIT).until(() -> f.waldur.order(order.uuid()).state().equals("done"));
            List<RecordedRequest> requests = f.waldur.requests();
            int subscribed = indexOf(requests, "POST", "/api/event-subscriptions/");
            int listed = -1;
            for (int i = 0; i < requests.size() && listed < 0; i++) {
                if (requests.get(i).path().equals("/api/marketplace-orders/") && requests.get(i).queryParameters().containsKey("state")) {
                    listed = i;
                }
            }
            assertThat(subscribed).as("subscription created").isGreaterThanOrEqualTo(0);
            assertThat(listed).as("orders listed after subscribing").isGreaterThan(subscribed);
            assertThat(requests.get(listed).queryParameters().get("state")).containsExactlyInAnyOrder("pending-provider", "executing");
            assertThat(f.waldur.contractViolations()).isEmpty();
        }
    }

    @Test
    void anOrderThatHadNoMessageIsProcessedWithinOnePeriod() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.broker.start();
            f.property("agent.reconciliation.period", "2s");
            f.startAgent();
            f.awaitConnected();
            WaldurResource resource = f.resource("Silent", "silent", 1, 1);
            WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();

            await().atMost(Duration.ofSeconds(10)).until(() -> f.waldur.order(order.uuid()).state().equals("done"));
            assertThat(f.slurm.accounts()).containsKey("hpc_silent");
        }
    }

    @Test
    void anEventAndAReconciliationPassForTheSameOrderHaveOneEffect() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.broker.start();
            f.startAgent();
            f.awaitConnected();
            WaldurResource resource = f.resource("Both", "both", 1, 1);
            WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();

            f.publishOrder(order.uuid(), "pending-provider");
            f.agent().context().createProducerTemplate()
                    .sendBodyAndHeader("direct:reconcile-orders", null, "WaldurOffering", f.offering.uuid());

            await().atMost(WAIT).until(() -> f.waldur.order(order.uuid()).state().equals("done"));
            // both were handled: the order was read by the event and by the pass
            await().atMost(WAIT).until(() -> f.waldur.count("GET", "/api/marketplace-orders/" + order.uuid() + "/") >= 4);
            assertThat(f.waldur.count("POST", ".*" + order.uuid() + "/approve_by_provider/")).isEqualTo(1);
            assertThat(f.waldur.count("POST", ".*" + resource.uuid() + "/set_backend_id/")).isEqualTo(1);
            assertThat(f.waldur.count("POST", ".*" + order.uuid() + "/set_state_done/")).isEqualTo(1);
        }
    }

    @Test
    void anOfferingWithoutMqttIsServedByPolling() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.offeringYaml("    mqtt_enabled: false\n").property("agent.reconciliation.period", "1s");
            WaldurResource resource = f.resource("Polled", "polled", 1, 1);
            WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();

            f.startAgent();

            await().atMost(WAIT).until(() -> f.waldur.order(order.uuid()).state().equals("done"));
            assertThat(f.waldur.subscriptions()).isEmpty();
        }
    }

    @Test
    void theHeartbeatKeepsTheIntegrationStatusConnected() throws Exception {
        try (AgentFixture f = new AgentFixture()) {
            f.broker.start();
            f.property("agent.heartbeat.period", "500");
            f.startAgent();

            await().atMost(WAIT).until(() -> f.waldur.requests("GET", "/api/marketplace-orders/").stream()
                    .filter(r -> "1".equals(first(r, "page_size")) && f.offering.uuid().equals(first(r, "offering_uuid"))).count() >= 2);
            assertThat(f.waldur.userAgents()).allMatch(ua -> ua.contains("waldur-site-agent"));
        }
    }

    private static String first(RecordedRequest r, String key) {
        List<String> values = r.queryParameters().get(key);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static int indexOf(List<RecordedRequest> requests, String method, String path) {
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).method().equals(method) && requests.get(i).path().equals(path)) {
                return i;
            }
        }
        return -1;
    }
}
