package org.waldur.agent.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.waldur.agent.sandbox.FreePorts;
import org.waldur.agent.testing.AgentFixture;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/**
 * The management server over HTTP, as Kubernetes probes and Prometheus see it: liveness, readiness that follows
 * the MQTT consumers (broker down, up, down again, back), and the agent's metrics after real events.
 */
class HealthAndMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(Long.getLong("test.wait", 30));
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, String body) {
    }

    @Test
    void livenessIsUpAndReadinessFollowsTheMqttConsumers() throws Exception {
        int port = FreePorts.onLoopback();
        try (AgentFixture f = new AgentFixture()) {
            f.property("agent.management.port", String.valueOf(port));
            // the broker is not running yet
            f.startAgent();

            Reply live = await("liveness answered").atMost(WAIT).ignoreExceptions()
                    .until(() -> get(port, "/observe/health/live"), r -> r.status() == 200);
            assertThat(live.body()).contains("\"status\":\"UP\"");

            Reply notReady = await("not ready, with the reason").atMost(WAIT).ignoreExceptions()
                    .until(() -> get(port, "/observe/health/ready"),
                            r -> r.status() == 503 && r.body().contains("Unable to connect to server"));
            assertThat(notReady.body()).contains("\"status\":\"DOWN\"", "mqtt-consumers",
                    "HPC test offering", f.offering.uuid(), "order events", "Unable to connect to server");
            Reply details = get(port, "/observe/health/ready?exposureLevel=full&data=true");
            System.out.println("Readiness while the broker is down: " + details.body());
            assertThat(details.status()).isEqualTo(503);
            assertThat(details.body()).contains("consumer." + f.offering.uuid() + ".order")
                    .doesNotContain(f.waldur.token());
            // liveness does not depend on the broker
            assertThat(get(port, "/observe/health/live").status()).isEqualTo(200);

            f.broker.start();
            f.awaitConnected();
            Reply ready = await("ready once connected").atMost(WAIT)
                    .until(() -> get(port, "/observe/health/ready"), r -> r.status() == 200);
            assertThat(ready.body()).contains("\"status\":\"UP\"");
            System.out.println("Readiness when connected: " + get(port, "/observe/health/ready?exposureLevel=full").body());

            // the broker goes away after the consumer was connected: not ready, then ready again when it is back
            f.broker.stop();
            Reply lost = await("not ready while the broker is down").atMost(WAIT)
                    .until(() -> get(port, "/observe/health/ready"), r -> r.status() == 503);
            assertThat(lost.body()).contains("mqtt-consumers", "order events", "connection to the broker lost, reconnecting");
            assertThat(get(port, "/observe/health/live").status()).isEqualTo(200);
            assertThat(metric(get(port, "/observe/metrics").body(), "waldur_agent_mqtt_consumer_connected",
                    Map.of("offering", f.offering.uuid(), "object_type", "order"))).isEqualTo(0.0);

            f.broker.start();
            await("ready again").atMost(WAIT)
                    .until(() -> get(port, "/observe/health/ready"), r -> r.status() == 200);
            assertThat(metric(get(port, "/observe/metrics").body(), "waldur_agent_mqtt_consumer_connected",
                    Map.of("offering", f.offering.uuid(), "object_type", "order"))).isEqualTo(1.0);
        }
    }

    /**
     * Probes and scrapes are rare: they are answered by the two worker threads the server is given. With Vert.x's
     * defaults every probe started a new worker thread until there were 20.
     */
    @Test
    void probesAreAnsweredByTwoWorkerThreads() throws Exception {
        int port = FreePorts.onLoopback();
        long workersBefore = vertxWorkerThreads();
        try (AgentFixture f = connectedAgent(port)) {
            // as a kubelet probes: one after another
            for (int i = 0; i < 30; i++) {
                assertThat(get(port, "/observe/health/ready").status()).isEqualTo(200);
            }
            // and some at once
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String path = List.of("/observe/health/live", "/observe/health/ready", "/observe/metrics").get(i % 3);
                replies.add(http.sendAsync(request(port, path), HttpResponse.BodyHandlers.ofString()));
            }
            for (var reply : replies) {
                assertThat(reply.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            assertThat(vertxWorkerThreads() - workersBefore).as("Vert.x worker threads of the management server")
                    .isBetween(1L, 2L);
        }
    }

    private static long vertxWorkerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("vert.x-worker-thread-")).count();
    }

    @Test
    void metricsCountEventsByOutcomeTheirProcessingTimeAndDeadLetters() throws Exception {
        int port = FreePorts.onLoopback();
        try (AgentFixture f = connectedAgent(port)) {
            Map<String, String> processed = Map.of("object_type", "order", "outcome", "processed", "source", "mqtt");
            Map<String, String> order = Map.of("object_type", "order");
            String before = await("metrics served").atMost(WAIT).ignoreExceptions()
                    .until(() -> get(port, "/observe/metrics"), r -> r.status() == 200).body();

            // an order is processed: counted once, with one processing-time sample
            WaldurResource resource = f.resource("Metered", "metered", 1, 1);
            WaldurOrder created = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();
            f.publishOrder(created.uuid(), "pending-provider");
            await("order done").atMost(WAIT).until(() -> f.waldur.order(created.uuid()).state(), "done"::equals);
            String after = await("order counted").atMost(WAIT)
                    .until(() -> get(port, "/observe/metrics").body(),
                            m -> metric(m, "waldur_agent_events_total", processed) == metric(before, "waldur_agent_events_total", processed) + 1);
            assertThat(metric(after, "waldur_agent_event_processing_seconds_count", order))
                    .isEqualTo(metric(before, "waldur_agent_event_processing_seconds_count", order) + 1);
            assertThat(metric(after, "waldur_agent_event_processing_seconds_sum", order))
                    .isGreaterThan(metric(before, "waldur_agent_event_processing_seconds_sum", order));
            assertThat(metric(after, "waldur_agent_event_processing_seconds_bucket", Map.of("object_type", "order", "le", "+Inf")))
                    .isEqualTo(metric(after, "waldur_agent_event_processing_seconds_count", order));
            // the calls it made
            assertThat(metric(after, "waldur_agent_waldur_requests_seconds_count", Map.of("method", "POST",
                    "path", "/api/marketplace-orders/{id}/set_state_done/", "status", "200"))).isGreaterThanOrEqualTo(1.0);
            assertThat(metric(after, "waldur_agent_commands_seconds_count", Map.of("command", "sacctmgr", "outcome", "ok")))
                    .isGreaterThanOrEqualTo(1.0);
            // Camel's own route metrics are there too
            assertThat(metric(after, "camel_exchanges_total", Map.of("routeId", "order-event"))).isGreaterThanOrEqualTo(1.0);
            assertThat(metric(after, "waldur_agent_mqtt_consumer_connected", Map.of("offering", f.offering.uuid(), "object_type", "order")))
                    .isEqualTo(1.0);

            // the same message again is a duplicate delivery
            Map<String, String> duplicate = Map.of("object_type", "order", "outcome", "duplicate");
            f.publishOrder(created.uuid(), "pending-provider");
            await("duplicate counted").atMost(WAIT).until(() -> metric(get(port, "/observe/metrics").body(),
                    "waldur_agent_events_total", duplicate) == metric(after, "waldur_agent_events_total", duplicate) + 1);

            // an order Waldur's data makes impossible is erred: failed
            Map<String, String> failed = Map.of("object_type", "order", "outcome", "failed");
            var project = f.waldur.addProject(f.customer, "Same name", "samename");
            WaldurResource clash = f.waldur.newResource(f.offering, project).name("Same name").slug("samename").limit("cpu", 1).create();
            WaldurOrder refused = f.waldur.newOrder(clash).type("Create").state("executing").create();
            f.publishOrder(refused.uuid(), "executing");
            await("order erred").atMost(WAIT).until(() -> f.waldur.order(refused.uuid()).state(), "erred"::equals);
            await("failure counted").atMost(WAIT).until(() -> metric(get(port, "/observe/metrics").body(),
                    "waldur_agent_events_total", failed) == metric(after, "waldur_agent_events_total", failed) + 1);

            // malformed JSON is dead-lettered before it reaches a worker; a wrong field type by the worker
            String beforeBad = get(port, "/observe/metrics").body();
            Map<String, String> deadLettered = Map.of("object_type", "order", "outcome", "dead_lettered");
            f.publishRaw("{not json");
            f.publishRaw("{\"order_uuid\": 42}");
            String afterBad = await("dead letters counted").atMost(WAIT).until(() -> get(port, "/observe/metrics").body(),
                    m -> metric(m, "waldur_agent_dead_letters_total", order) == metric(beforeBad, "waldur_agent_dead_letters_total", order) + 2);
            assertThat(metric(afterBad, "waldur_agent_events_total", deadLettered))
                    .isEqualTo(metric(beforeBad, "waldur_agent_events_total", deadLettered) + 2);
            assertThat(f.deadLetters()).hasSizeGreaterThanOrEqualTo(2);
            System.out.println("Agent metrics:\n" + afterBad.lines()
                    .filter(l -> l.startsWith("waldur_agent_") && !l.contains("_bucket")).reduce((a, b) -> a + "\n" + b).orElse(""));
        }
    }

    /** Sum of the samples of {@code name} whose labels include {@code labels}; 0 when there is none. */
    static double metric(String text, String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.trim());
            if (!m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    found.put(l.group(1), l.group(2));
                }
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }

    private Reply get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(port, path), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build();
    }

    /** The agent with its management server on {@code port}, the broker up and the consumer connected. */
    private static AgentFixture connectedAgent(int port) throws Exception {
        AgentFixture f = new AgentFixture();
        try {
            f.property("agent.management.port", String.valueOf(port));
            f.broker.start();
            f.startAgent();
            f.awaitConnected();
            return f;
        } catch (Exception | AssertionError e) {
            f.close();
            throw e;
        }
    }
}
