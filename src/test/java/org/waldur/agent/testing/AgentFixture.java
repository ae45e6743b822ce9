package org.waldur.agent.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.awaitility.core.ConditionTimeoutException;
import org.waldur.agent.sandbox.broker.EmbeddedMqttBroker;
import org.waldur.agent.sandbox.slurm.FakeSlurm;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.SubscriptionListener;
import org.waldur.agent.sandbox.waldur.WaldurCustomer;
import org.waldur.agent.sandbox.waldur.WaldurOffering;
import org.waldur.agent.sandbox.waldur.WaldurProject;
import org.waldur.agent.sandbox.waldur.WaldurResource;
import org.waldur.agent.waldur.WaldurJson;

/**
 * The agent with its real neighbours as route tests have them: an MQTT 5 broker (embedded Artemis), a
 * stateful fake Waldur that checks every request against the OpenAPI schema and provisions broker users
 * for new subscriptions, and a recording fake sacctmgr.
 */
public final class AgentFixture implements AutoCloseable {

    public final EmbeddedMqttBroker broker;
    public final FakeWaldur waldur;
    public final FakeSlurm slurm;
    public final WaldurCustomer customer;
    public final WaldurProject project;
    public final WaldurOffering offering;
    private final List<AgentRunner> runners = new ArrayList<>();
    private AgentRunner agent;
    private String brokerUrl;
    private String extraOfferingYaml = "    mqtt_enabled: true\n";
    private String extraBackendSettingsYaml = "";
    private final Map<String, String> overrides = new LinkedHashMap<>();

    public AgentFixture() throws Exception {
        this(Map.of());
    }

    /** @param pluginOptions extra plugin options of the test offering (e.g. username_generation_policy) */
    public AgentFixture(Map<String, Object> pluginOptions) throws Exception {
        broker = new EmbeddedMqttBroker();
        waldur = FakeWaldur.start();
        waldur.addSubscriptionListener(broker.provisioning(waldur));
        slurm = FakeSlurm.create();
        customer = waldur.addCustomer("Acme Corp", "acme");
        project = waldur.addProject(customer, "Project One", "proj1");
        // like a real site-agent offering: without this option Waldur shows the agent no offering users
        offering = waldur.newOffering(customer).name("HPC").component("cpu", "limit", 60000).component("mem", "limit", 61440)
                .pluginOption("service_provider_can_create_offering_user", true)
                .pluginOptions(pluginOptions).create();
        brokerUrl = broker.wsUrl();
        // the fake bin directory also has `id` and `mkhomedir_helper`
        overrides.put("agent.unix.idCommand", slurm.binDir().resolve("id").toString());
        overrides.put("agent.unix.mkhomedirHelper", slurm.binDir().resolve("mkhomedir_helper").toString());
    }

    public AgentFixture brokerUrl(String url) {
        this.brokerUrl = url;
        return this;
    }

    /** Extra keys for the offering entry, e.g. "    websocket_use_tls: false\n"; mqtt_enabled is true unless given. */
    public AgentFixture offeringYaml(String yaml) {
        this.extraOfferingYaml = (yaml.contains("mqtt_enabled") ? "" : "    mqtt_enabled: true\n") + yaml;
        return this;
    }

    /** Extra keys under backend_settings, indented by six spaces, e.g. "      periodic_limits:\n        enabled: true\n". */
    public AgentFixture backendSettingsYaml(String yaml) {
        this.extraBackendSettingsYaml = yaml;
        return this;
    }

    public AgentFixture property(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    public String configYaml() {
        return """
                offerings:
                  - name: "HPC test offering"
                    waldur_api_url: "%s"
                    waldur_api_token: "%s"
                    waldur_offering_uuid: "%s"
                    backend_type: slurm
                    order_processing_backend: slurm
                    mqtt_broker_url: "%s"
                %s    backend_settings:
                      default_account: root
                      customer_prefix: "hpc_"
                      project_prefix: "hpc_"
                      allocation_prefix: "hpc_"
                      qos_paused: paused
                      qos_downscaled: limited
                      slurm_bin_path: "%s"
                %s    backend_components:
                      cpu:
                        measured_unit: k-Hours
                        unit_factor: 60000
                        accounting_type: limit
                        label: CPU
                      mem:
                        measured_unit: gb-Hours
                        unit_factor: 61440
                        accounting_type: limit
                        label: RAM
                """.formatted(waldur.apiUrl(), waldur.token(), offering.uuid(), brokerUrl, extraOfferingYaml, slurm.binDir(),
                        extraBackendSettingsYaml);
    }

    /** Starts the agent (again, after {@link #stopAgent()}, on the same data directory). */
    public AgentRunner startAgent() throws Exception {
        agent = agent == null
                ? AgentRunner.start(configYaml(), overrides)
                // a restart: same data directory, so the same subscription state and processed-message store
                : AgentRunner.start(configYaml(), overrides, agent.dataDir());
        runners.add(agent);
        return agent;
    }

    /** Restarts the agent (after {@link #stopAgent()}) with its start-up held, see {@link AgentRunner#startHeld}. */
    public AgentRunner restartAgentHeld(CountDownLatch release) throws Exception {
        agent = AgentRunner.startHeld(configYaml(), overrides, agent.dataDir(), release);
        runners.add(agent);
        return agent;
    }

    public AgentRunner agent() {
        return agent;
    }

    public void awaitConnected() {
        awaitConnectedRoute(orderRouteId(), "order consumer connected");
    }

    /** Waits until the order reconciliation that follows the first subscription has run and the agent is idle. */
    public void awaitStartupReconciliation() {
        await("start-up reconciliation").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> waldur.requests("GET", "/api/marketplace-orders/").stream()
                        .anyMatch(r -> r.queryParameters().containsKey("state"))
                        && agent.context().getInflightRepository().size() == 0);
    }

    public String orderRouteId() {
        return "mqtt-" + offering.uuid() + "-order";
    }

    /** The UUID of the agent's current order event subscription. */
    public String orderSubscription() {
        return agent.subscriptions().subscription(orderRouteId()).orElseThrow().uuid();
    }

    /** The MQTT client id the agent uses for an event subscription. */
    public static String clientId(String subscription) {
        return "waldur-camel-agent-" + subscription;
    }

    /** The topic Waldur publishes order events on for the agent's current subscription. */
    public String orderTopic() {
        return orderTopic(orderSubscription());
    }

    /** The topic Waldur publishes order events on for an order subscription of the test offering. */
    public String orderTopic(String subscription) {
        return "subscription/" + subscription + "/offering/" + offering.uuid() + "/order";
    }

    public void publishOrder(String orderUuid, String state) throws Exception {
        broker.publish(orderTopic(), "{\"order_uuid\": \"" + orderUuid + "\", \"order_state\": \"" + state
                + "\", \"offering_uuid\": \"" + offering.uuid() + "\"}");
    }

    public void publishRaw(String payload) throws Exception {
        broker.publish(orderTopic(), payload);
    }

    public String routeId(String objectType) {
        return "mqtt-" + offering.uuid() + "-" + objectType;
    }

    /** Publishes on the agent's subscription for another object type (user_role, resource, …). */
    public void publish(String objectType, String payload) throws Exception {
        String subscription = agent.subscriptions().subscription(routeId(objectType)).orElseThrow().uuid();
        broker.publish("subscription/" + subscription + "/offering/" + offering.uuid() + "/" + objectType, payload);
    }

    public void awaitConnected(String objectType) {
        awaitConnectedRoute(routeId(objectType), objectType + " consumer connected");
    }

    private void awaitConnectedRoute(String routeId, String what) {
        // startAgent() returns once the first worker route exists, a moment before the subscription manager is
        // started; until then isConnected() would fail, and a consumer exists only after it
        try {
            await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> agent.subscriptions().consumerRouteIds().contains(routeId) && agent.isConnected(routeId));
        } catch (ConditionTimeoutException e) {
            // what a failure on a CI machine leaves to go on: why the last attempt failed, and where the threads are
            throw new AssertionError(what + " within 30 s: consumer " + routeId + " started "
                    + agent.subscriptions().consumerRouteIds().contains(routeId) + ", last error "
                    + agent.subscriptions().lastError(routeId).map(Throwable::toString).orElse("none")
                    + "\n" + ThreadDump.of(t -> !t.getName().startsWith("surefire")), e);
        }
    }

    /** A resource of the test project with limits cpu and mem in Waldur units. */
    public WaldurResource resource(String name, String slug, int cpu, int mem) {
        return waldur.newResource(offering, project).name(name).slug(slug).limit("cpu", cpu).limit("mem", mem).create();
    }

    public List<JsonNode> deadLetters() throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        if (Files.exists(agent.deadLetterFile())) {
            for (String line : Files.readAllLines(agent.deadLetterFile())) {
                if (!line.isBlank()) {
                    entries.add(WaldurJson.MAPPER.readTree(line));
                }
            }
        }
        return entries;
    }

    public void stopAgent() throws Exception {
        if (agent != null) {
            agent.close();
        }
    }


    @Override
    public void close() throws Exception {
        for (AgentRunner r : runners) {
            r.close();
        }
        slurm.close();
        waldur.close();
        broker.close();
    }
}
