package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.waldur.agent.sandbox.waldur.WaldurOrder;

/**
 * SIGTERM to the packaged jar, as systemd or Kubernetes send it: the order in flight is finished, the
 * process exits with code 0, and the event subscription is kept (default) or deleted in Waldur
 * ({@code agent.subscriptions.deleteOnShutdown=true}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShutdownSystemIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private JarOnMosquitto site;
    private AgentProcess agent;

    @BeforeAll
    void start() throws Exception {
        site = new JarOnMosquitto();
    }

    @AfterEach
    void stopAgent() throws Exception {
        site.waldur.clearFaults();
        if (agent != null) {
            agent.close();
        }
    }

    @AfterAll
    void stop() throws Exception {
        site.close();
    }

    @Test
    @Order(1)
    void sigtermFinishesTheOrderInFlightExitsZeroAndKeepsTheSubscription() throws Exception {
        agent = startAndAwaitSubscribed(List.of());
        String subscription = site.waldur.subscriptions().get(0).uuid();
        WaldurOrder order = site.newCreateOrder("sigterm");
        // 8 REST calls, each answered 400 ms late: the order takes over 3 s
        site.waldur.delayResponses(Duration.ofMillis(400));
        site.publishOrder(order);
        await("order in flight").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> site.waldur.count("GET", "/api/marketplace-orders/" + order.uuid() + "/") >= 1);

        long sent = System.nanoTime();
        int exit = agent.terminate(60);
        long tookMillis = Duration.ofNanos(System.nanoTime() - sent).toMillis();
        System.out.printf("SIGTERM with a Create order in flight: exit %d after %d ms%n", exit, tookMillis);

        assertThat(exit).as("exit code after SIGTERM").isZero();
        assertThat(site.waldur.order(order.uuid()).state()).as("the order in flight was finished").isEqualTo("done");
        String log = agent.log();
        assertThat(log).contains("SIGTERM received: stopping gracefully", "MQTT consumer(s) take no new messages",
                "Order " + order.uuid() + " done");
        assertThat(log.indexOf("take no new messages")).isLessThan(log.indexOf("Order " + order.uuid() + " done"));
        assertThat(site.waldur.subscriptions()).extracting(s -> s.uuid()).containsExactly(subscription);
        assertThat(site.waldur.count("DELETE", "/api/event-subscriptions/.*")).isZero();
        assertThat(Files.readString(stateFile())).contains(subscription);
        assertThat(site.waldur.contractViolations()).isEmpty();
    }

    @Test
    @Order(2)
    void deleteOnShutdownDeletesTheSubscriptionInWaldur() throws Exception {
        agent = startAndAwaitSubscribed(List.of("-Dagent.subscriptions.deleteOnShutdown=true"));
        String subscription = site.waldur.subscriptions().get(0).uuid();
        assertThat(Files.readString(stateFile())).contains(subscription);

        int exit = agent.terminate(60);

        assertThat(exit).as("exit code after SIGTERM").isZero();
        assertThat(site.waldur.subscriptions()).as("subscriptions left in Waldur").isEmpty();
        assertThat(site.waldur.count("DELETE", "/api/event-subscriptions/" + subscription + "/")).isEqualTo(1);
        assertThat(Files.readString(stateFile())).doesNotContain(subscription);
        assertThat(agent.log()).contains("deleted event subscription " + subscription);
        assertThat(site.waldur.contractViolations()).isEmpty();
    }

    private AgentProcess startAndAwaitSubscribed(List<String> options) throws Exception {
        AgentProcess started = site.start(options);
        await("agent subscribed").atMost(WAIT).until(() -> !site.waldur.subscriptions().isEmpty()
                && started.log().contains("listens on wss://"));
        return started;
    }

    private Path stateFile() {
        return site.work.resolve("data/subscriptions.json");
    }
}
