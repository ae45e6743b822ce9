package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.sandbox.FreePorts;
import org.waldur.agent.sandbox.waldur.WaldurOrder;

/**
 * Editing a route while the packaged jar runs: with a routes/ folder in its working directory, a saved change
 * to {@code 40-orders.camel.yaml} is used for the next event within seconds, while the MQTT consumer keeps
 * running on the same connection and subscription. The route state is read over remote JMX with password
 * authentication, set up as the README describes (without TLS, on the loopback interface).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveReloadSystemIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String OLD_STEP = "- log: \"Order ${variable.orderUuid} done\"";
    private static final String NEW_STEP = "- log: \"Order ${variable.orderUuid} done (edited live)\"";

    private JarOnMosquitto site;
    private AgentProcess agent;
    private JMXServiceURL jmxUrl;
    private Map<String, Object> monitorCredentials;

    @BeforeAll
    void start() throws Exception {
        site = new JarOnMosquitto();
        // the operator's copy of the routes, next to where the agent runs
        Path routes = Files.createDirectories(site.work.resolve("routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        assertThat(Files.readString(routes.resolve("40-orders.camel.yaml"))).contains(OLD_STEP);

        // remote JMX with password authentication: a read-only and a read-write role
        Path password = site.work.resolve("jmxremote.password");
        Path access = site.work.resolve("jmxremote.access");
        Files.writeString(password, "monitor monitor-secret\noperator operator-secret\n");
        Files.writeString(access, "monitor readonly\noperator readwrite\n");
        // the JVM refuses a password file that others can read
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        int port = FreePorts.onLoopback();
        jmxUrl = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        monitorCredentials = Map.of(JMXConnector.CREDENTIALS, new String[] {"monitor", "monitor-secret"});

        agent = site.start(List.of(
                "-Dcom.sun.management.jmxremote.port=" + port,
                "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=true",
                "-Dcom.sun.management.jmxremote.password.file=" + password,
                "-Dcom.sun.management.jmxremote.access.file=" + access,
                "-Dcom.sun.management.jmxremote.ssl=false"));
        await("agent subscribed").atMost(WAIT).until(() -> !site.waldur.subscriptions().isEmpty()
                && agent.log().contains("listens on wss://"));
        assertThat(agent.log()).contains("Live route reloading enabled (directory: " + routes.toRealPath());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (agent != null) {
                assertThat(agent.terminate(60)).as("exit code after SIGTERM").isZero();
            }
        } finally {
            if (site != null) {
                site.close();
            }
        }
    }

    @Test
    void anEditedRouteIsUsedForTheNextEventWhileTheConsumerStaysConnected() throws Exception {
        Path orders = site.work.resolve("routes/40-orders.camel.yaml");
        try (JMXConnector connector = JMXConnectorFactory.connect(jmxUrl, monitorCredentials)) {
            MBeanServerConnection jmx = connector.getMBeanServerConnection();
            ObjectName consumer = route(site.orderRouteId());
            ObjectName orderEvent = route("order-event");
            await("consumer route registered").atMost(WAIT).until(() -> jmx.isRegistered(consumer));
            Date consumerStarted = (Date) jmx.getAttribute(consumer, "StartTimestamp");
            Date orderEventStarted = (Date) jmx.getAttribute(orderEvent, "StartTimestamp");
            String subscription = site.waldur.subscriptions().get(0).uuid();
            String clientId = "waldur-camel-agent-" + subscription;
            int posts = site.waldur.count("POST", "/api/event-subscriptions/");

            WaldurOrder before = site.newCreateOrder("beforeedit");
            site.publishOrder(before);
            await("order before the edit done").atMost(WAIT).until(() -> site.waldur.order(before.uuid()).state().equals("done"));
            await().atMost(WAIT).until(() -> agent.log().contains("Order " + before.uuid() + " done"));
            assertThat(agent.log()).doesNotContain("done (edited live)");
            assertThat(site.agentConnects()).containsEntry(clientId, 1);

            // the operator saves a changed step
            long saved = System.nanoTime();
            Files.writeString(orders, Files.readString(orders).replace(OLD_STEP, NEW_STEP));
            // while a route is reloaded its MBean is briefly unregistered, and the new route's MBean is
            // registered before the route is started (its StartTimestamp differs already)
            await("route reloaded and started").atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> !orderEventStarted.equals(jmx.getAttribute(orderEvent, "StartTimestamp"))
                            && "Started".equals(jmx.getAttribute(orderEvent, "State")));
            System.out.printf("Route order-event reloaded %d ms after the file was saved%n",
                    Duration.ofNanos(System.nanoTime() - saved).toMillis());

            WaldurOrder after = site.newCreateOrder("afteredit");
            site.publishOrder(after);
            await("order after the edit done").atMost(WAIT).until(() -> site.waldur.order(after.uuid()).state().equals("done"));
            await("new log line").atMost(WAIT).until(() -> agent.log().contains("Order " + after.uuid() + " done (edited live)"));
            assertThat(agent.log()).doesNotContain("Order " + before.uuid() + " done (edited live)");

            // the consumer was neither stopped nor re-created: same route start, same connection, same subscription
            assertThat(jmx.getAttribute(consumer, "State")).isEqualTo("Started");
            assertThat(jmx.getAttribute(consumer, "StartTimestamp")).isEqualTo(consumerStarted);
            assertThat(((Number) jmx.getAttribute(consumer, "ExchangesTotal")).longValue()).isEqualTo(2);
            assertThat(site.agentConnects()).as("connections to Mosquitto per client").isEqualTo(Map.of(clientId, 1));
            assertThat(site.waldur.subscriptions()).extracting(s -> s.uuid()).containsExactly(subscription);
            assertThat(site.waldur.count("POST", "/api/event-subscriptions/")).isEqualTo(posts);
            assertThat(agent.log().split("listens on wss://", -1)).hasSize(2);
            assertThat(site.waldur.contractViolations()).isEmpty();
            assertThat(agent.isAlive()).isTrue();
        }
    }

    @Test
    void remoteJmxNeedsAPasswordAndTheReadOnlyRoleCannotChangeRoutes() throws Exception {
        assertThatThrownBy(() -> JMXConnectorFactory.connect(jmxUrl).close()).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> JMXConnectorFactory.connect(jmxUrl,
                Map.of(JMXConnector.CREDENTIALS, new String[] {"monitor", "wrong"})).close()).isInstanceOf(SecurityException.class);
        try (JMXConnector connector = JMXConnectorFactory.connect(jmxUrl, monitorCredentials)) {
            MBeanServerConnection jmx = connector.getMBeanServerConnection();
            ObjectName dispatch = route("dispatch");
            assertThat(jmx.getAttribute(dispatch, "State")).isEqualTo("Started");
            assertThatThrownBy(() -> jmx.invoke(dispatch, "stop", null, null)).isInstanceOf(SecurityException.class);
            assertThat(jmx.getAttribute(dispatch, "State")).isEqualTo("Started");
        }
    }

    private static ObjectName route(String routeId) throws Exception {
        return new ObjectName("org.apache.camel:context=waldur-camel-agent,type=routes,name=\"" + routeId + "\"");
    }
}
