package org.waldur.agent.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.waldur.agent.sandbox.FreePorts;
import org.waldur.agent.testing.AgentFixture;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/**
 * Camel's MBeans as an operator sees them with jconsole or VisualVM: through a JMX connector (RMI, as
 * {@code com.sun.management.jmxremote} starts one), not in-process. A Create order shows up in the
 * counters of every route it passed, by the number of REST calls and SLURM commands it made.
 */
class JmxTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DOMAIN = "org.apache.camel";

    private Registry registry;
    private JMXConnectorServer connectorServer;
    private JMXServiceURL url;

    @BeforeEach
    void startConnector() throws Exception {
        int port = FreePorts.onLoopback();
        registry = LocateRegistry.createRegistry(port);
        url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(url, null, ManagementFactory.getPlatformMBeanServer());
        connectorServer.start();
    }

    @AfterEach
    void stopConnector() throws Exception {
        connectorServer.stop();
        UnicastRemoteObject.unexportObject(registry, true);
    }

    @Test
    void aCreateOrderShowsInTheRouteCounters() throws Exception {
        try (AgentFixture f = new AgentFixture(); JMXConnector connector = JMXConnectorFactory.connect(url)) {
            f.broker.start();
            f.startAgent();
            f.awaitConnected();
            MBeanServerConnection jmx = connector.getMBeanServerConnection();

            // camel.main.name names the context; a second context in one JVM would get a suffix
            String context = f.agent().context().getManagementName();
            assertThat(context).startsWith("waldur-camel-agent");
            ObjectName contextMBean = new ObjectName(DOMAIN + ":context=" + context + ",type=context,name=\"waldur-camel-agent\"");
            assertThat(jmx.isRegistered(contextMBean)).isTrue();
            assertThat(jmx.getAttribute(contextMBean, "State")).isEqualTo("Started");
            assertThat(jmx.getAttribute(contextMBean, "CamelId")).isEqualTo("waldur-camel-agent");
            // route statistics are on (camel.main.jmxManagementStatisticsLevel=Default)
            assertThat(jmx.getAttribute(contextMBean, "ManagementStatisticsLevel")).hasToString("Default");
            Set<ObjectName> routes = jmx.queryNames(new ObjectName(DOMAIN + ":context=" + context + ",type=routes,*"), null);
            assertThat(routes).extracting(n -> n.getKeyProperty("name"))
                    .contains("\"order-event\"", "\"waldur-call\"", "\"event-worker-0\"", "\"" + f.orderRouteId() + "\"");

            // what runs right after start-up (heartbeat, reconciliation after subscribing) has finished
            await("start-up work finished").atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                    total(jmx, context, "integration-heartbeat") >= 1 && total(jmx, context, "reconcile-orders") >= 1
                            && ((Number) jmx.getAttribute(contextMBean, "ExchangesInflight")).longValue() == 0);

            List<String> watched = List.of(f.orderRouteId(), "event-received", "dispatch", "order-event", "order-create",
                    "waldur-call", "slurm-command");
            Map<String, Long> before = totals(jmx, context, watched);
            long workersBefore = workerTotal(jmx, context);
            long failedBefore = ((Number) jmx.getAttribute(contextMBean, "ExchangesFailed")).longValue();
            int restBefore = f.waldur.requests().size();
            int slurmBefore = f.slurm.calls().size();

            var customer = f.waldur.addCustomer("Jmx Corp", "jmxcorp");
            var project = f.waldur.addProject(customer, "Jmx project", "jmxproj");
            WaldurResource resource = f.waldur.newResource(f.offering, project).name("Jmx alloc").slug("jmxalloc")
                    .limit("cpu", 1).limit("mem", 1).create();
            WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("pending-provider").create();
            f.publishOrder(order.uuid(), "pending-provider");

            await("order done").atMost(WAIT).until(() -> f.waldur.order(order.uuid()).state().equals("done"));
            // the counters move when the exchange completes, just after the last REST call
            await("order event completed").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> completed(jmx, context, "order-event") > before.get("order-event")
                            && ((Number) jmx.getAttribute(contextMBean, "ExchangesInflight")).longValue() == 0);

            Map<String, Long> after = totals(jmx, context, watched);
            Map<String, Long> delta = new LinkedHashMap<>();
            watched.forEach(r -> delta.put(r, after.get(r) - before.get(r)));
            long workerDelta = workerTotal(jmx, context) - workersBefore;
            int restCalls = f.waldur.requests().size() - restBefore;
            int slurmCommands = f.slurm.calls().size() - slurmBefore;
            System.out.printf("JMX ExchangesTotal deltas for one Create order: %s, workers %d; REST calls %d, SLURM commands %d%n",
                    delta, workerDelta, restCalls, slurmCommands);

            assertThat(delta.get(f.orderRouteId())).as("MQTT consumer").isEqualTo(1);
            assertThat(delta.get("event-received")).isEqualTo(1);
            assertThat(workerDelta).as("event-worker-* together").isEqualTo(1);
            assertThat(delta.get("dispatch")).isEqualTo(1);
            assertThat(delta.get("order-event")).isEqualTo(1);
            assertThat(delta.get("order-create")).isEqualTo(1);
            // get, approve, get, get resource, set_backend_id, set_limits, get, set_state_done
            assertThat(restCalls).isEqualTo(8);
            assertThat(delta.get("waldur-call")).isEqualTo(restCalls);
            // one show for customer, project and allocation accounts, then an add for each (the allocation with its limits)
            assertThat(slurmCommands).isEqualTo(4);
            assertThat(delta.get("slurm-command")).isEqualTo(slurmCommands);

            ObjectName orderEvent = route(context, "order-event");
            assertThat(((Number) jmx.getAttribute(orderEvent, "ExchangesFailed")).longValue()).isZero();
            assertThat(((Number) jmx.getAttribute(orderEvent, "FailuresHandled")).longValue()).isZero();
            assertThat(((Number) jmx.getAttribute(orderEvent, "MeanProcessingTime")).longValue()).isPositive();
            assertThat(((Number) jmx.getAttribute(contextMBean, "ExchangesFailed")).longValue()).isEqualTo(failedBefore);
            assertThat(jmx.getAttribute(route(context, f.orderRouteId()), "State")).isEqualTo("Started");
        }
    }

    private static ObjectName route(String context, String routeId) throws Exception {
        return new ObjectName(DOMAIN + ":context=" + context + ",type=routes,name=\"" + routeId + "\"");
    }

    private static long total(MBeanServerConnection jmx, String context, String routeId) throws Exception {
        return ((Number) jmx.getAttribute(route(context, routeId), "ExchangesTotal")).longValue();
    }

    private static long completed(MBeanServerConnection jmx, String context, String routeId) throws Exception {
        return ((Number) jmx.getAttribute(route(context, routeId), "ExchangesCompleted")).longValue();
    }

    private static Map<String, Long> totals(MBeanServerConnection jmx, String context, List<String> routeIds) throws Exception {
        Map<String, Long> totals = new LinkedHashMap<>();
        for (String id : routeIds) {
            totals.put(id, total(jmx, context, id));
        }
        return totals;
    }

    private static long workerTotal(MBeanServerConnection jmx, String context) throws Exception {
        long sum = 0;
        for (ObjectName n : jmx.queryNames(new ObjectName(DOMAIN + ":context=" + context + ",type=routes,*"), null)) {
            if (n.getKeyProperty("name").startsWith("\"event-worker-")) {
                sum += ((Number) jmx.getAttribute(n, "ExchangesTotal")).longValue();
            }
        }
        return sum;
    }
}
