package org.waldur.agent.sandbox;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.waldur.agent.AgentLauncher;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.ConfigLoader;
import org.waldur.agent.mqtt.SubscriptionManager;
import org.waldur.agent.sandbox.broker.EmbeddedMqttBroker;
import org.waldur.agent.sandbox.slurm.FakeSlurm;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.OpenApiContract;
import org.waldur.agent.sandbox.waldur.RecordedRequest;
import org.waldur.agent.sandbox.waldur.SubscriptionListener;
import org.waldur.agent.sandbox.waldur.WaldurCustomer;
import org.waldur.agent.sandbox.waldur.WaldurOffering;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurProject;
import org.waldur.agent.sandbox.waldur.WaldurResource;
import org.waldur.agent.sandbox.waldur.WaldurTeamMember;

/**
 * {@code java -jar waldur-camel-agent.jar --sandbox}: the agent, wired exactly as in production
 * ({@link AgentLauncher#configure}), against neighbours started in this process on 127.0.0.1 with free ports: an
 * MQTT 5 broker (embedded Artemis), the Waldur simulator ({@link FakeWaldur}) and the recording SLURM stand-in
 * ({@link FakeSlurm}, a Python 3 script). It plays a short story (create, add a user, pause, terminate), printing
 * every MQTT event it publishes, every REST call the agent makes and every SLURM command the agent runs, then the
 * final state of both sides.
 */
public final class Sandbox {

    /** How long one step may take; {@code -Dsandbox.stepTimeout=<seconds>} changes it. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(Long.getLong("sandbox.stepTimeout", 60));
    private static final String ARTEMIS = "org.apache.activemq.artemis";
    private static final String[] OBJECT_TYPES = {"order", "user_role", "resource"};

    private final PrintStream out;
    private EmbeddedMqttBroker broker;
    private int managementPort;
    private FakeWaldur waldur;
    private FakeSlurm slurm;
    private WaldurOffering offering;
    private Main main;
    private Thread agentThread;
    private final AtomicReference<Throwable> agentFailure = new AtomicReference<>();
    private int slurmCallsShown;
    private int restCallsShown;

    private Sandbox(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the whole demonstration and stops everything it started.
     *
     * @return 0 when every step reached its expected outcome, 1 otherwise
     */
    public static int run(PrintStream out) {
        Level before = LogManager.getRootLogger().getLevel();
        Level artemisBefore = LogManager.getLogger(ARTEMIS).getLevel();
        if (System.getProperty("agent.log.level") == null && System.getenv("AGENT_LOG_LEVEL") == null) {
            // the transcript is the output; the agent's own log only for warnings and errors
            Configurator.setRootLevel(Level.WARN);
        }
        // the embedded broker warns about queue settings a demonstration does not need
        Configurator.setLevel(ARTEMIS, Level.ERROR);
        Sandbox sandbox = new Sandbox(out);
        try {
            sandbox.story();
            return 0;
        } catch (StepFailed e) {
            sandbox.flush();
            out.println();
            out.println("SANDBOX FAILED: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            out.println();
            out.println("SANDBOX FAILED: " + e);
            e.printStackTrace(out);
            return 1;
        } finally {
            sandbox.close();
            Configurator.setLevel(ARTEMIS, artemisBefore);
            Configurator.setRootLevel(before);
        }
    }

    private void story() throws Exception {
        out.println("== Waldur site agent sandbox ==");
        out.println("Everything runs in this process on 127.0.0.1; nothing outside it is contacted.");
        broker = new EmbeddedMqttBroker().start();
        out.println("  MQTT 5 broker (embedded Artemis)   " + broker.wssUrl() + "  (TLS, certificate of its own CA)");
        waldur = FakeWaldur.builder().contract(OpenApiContract.sharedIfPresent()).start();
        out.println("  Waldur simulator                   " + waldur.apiUrl()
                + (waldur.contract().isAvailable() ? "  (requests checked against the OpenAPI schema)" : ""));
        // as Waldur does: an event subscription gets a broker user that may read only its own topics
        waldur.addSubscriptionListener(broker.provisioning(waldur));
        try {
            slurm = FakeSlurm.create();
        } catch (IllegalStateException e) {
            throw new StepFailed("the SLURM stand-in needs python3 on the PATH (" + e.getMessage() + ")");
        }
        slurm.addQos("paused");
        out.println("  SLURM stand-in (sacctmgr, sacct, scancel)  " + slurm.binDir());

        WaldurCustomer customer = waldur.addCustomer("Acme Corp", "acme");
        WaldurProject project = waldur.addProject(customer, "Project One", "proj1");
        offering = waldur.newOffering(customer).name("HPC").component("cpu", "limit", 60000).component("mem", "limit", 61440)
                .pluginOption("service_provider_can_create_offering_user", true).create();

        Path dir = Files.createTempDirectory("waldur-agent-sandbox");
        Path configFile = dir.resolve("waldur-site-agent-config.yaml");
        Files.writeString(configFile, configYaml());
        out.println("  agent configuration                " + configFile);
        startAgent(configFile, dir.resolve("data"));
        for (String type : OBJECT_TYPES) {
            String routeId = routeId(type);
            await("the agent subscribed to " + type + " events", () -> subscriptions() != null
                    && subscriptions().consumerRouteIds().contains(routeId) && subscriptions().isConnected(routeId));
        }
        out.println("  agent started; subscribed to " + String.join(", ", OBJECT_TYPES) + " events");
        String ready = "http://127.0.0.1:" + managementPort + "/observe/health/ready";
        Exchange health = main.getCamelContext().createProducerTemplate()
                .request(ready + "?throwExceptionOnFailure=false", e -> e.getIn().setHeader(Exchange.HTTP_METHOD, "GET"));
        Integer code = health.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (code == null || code != 200) {
            throw new StepFailed("the agent's readiness check " + ready + " answered " + code + " instead of 200");
        }
        out.println("  agent ready: GET " + ready + " -> 200");

        out.println();
        out.println("-- 1. A Create order waits for the provider --");
        WaldurResource resource = waldur.newResource(offering, project).name("Allocation one").slug("alloc1")
                .limit("cpu", 10).limit("mem", 20).create();
        WaldurOrder create = waldur.newOrder(resource).type("Create").state("pending-provider").create();
        out.println("  Waldur: resource " + resource.name() + " (cpu 10 k-Hours, mem 20 gb-Hours), Create order "
                + create.uuid() + " pending-provider");
        publish("order", "{\"order_uuid\": \"" + create.uuid() + "\", \"order_state\": \"pending-provider\", "
                + "\"offering_uuid\": \"" + offering.uuid() + "\"}");
        await("the Create order is done", () -> "done".equals(waldur.order(create.uuid()).state()));
        String account = waldur.resource(resource.uuid()).backendId();
        out.println("  => order done; SLURM accounts " + slurm.accounts().keySet() + ", allocation account " + account
                + " with GrpTRESMins " + slurm.limits(account));

        out.println();
        out.println("-- 2. A user joins the project --");
        // a team member of the project, with an offering user (username alice, state OK) as Waldur shows it
        WaldurTeamMember alice = waldur.addTeamMember(resource, "alice", "Alice Example");
        var offeringUser = waldur.offeringUser(offering, alice.uuid()).orElseThrow();
        slurm.addUnixUser("alice");
        out.println("  Waldur: team member alice (" + alice.role() + "), offering user " + offeringUser.username()
                + " (" + offeringUser.state() + ")");
        publish("user_role", "{\"user_uuid\": \"" + alice.uuid() + "\", \"user_username\": \"alice\", \"project_uuid\": \""
                + project.uuid() + "\", \"project_name\": \"" + project.name()
                + "\", \"role_name\": \"PROJECT.MEMBER\", \"granted\": true}");
        await("alice is associated with " + account, () -> slurm.associations().stream()
                .anyMatch(a -> a.account().equals(account) && a.user().equals("alice")));
        out.println("  => association " + account + "/alice");

        out.println();
        out.println("-- 3. The resource is paused --");
        waldur.updateResource(resource.uuid(), r -> r.paused(true));
        out.println("  Waldur: resource paused");
        publish("resource", "{\"resource_uuid\": \"" + resource.uuid() + "\", \"paused\": true}");
        await("QoS of " + account + " is paused", () -> slurm.qos(account).equals(List.of("paused")));
        out.println("  => QoS of " + account + ": " + slurm.qos(account));

        out.println();
        out.println("-- 4. A Terminate order --");
        WaldurOrder terminate = waldur.newOrder(waldur.resource(resource.uuid())).type("Terminate").state("pending-provider")
                .create();
        out.println("  Waldur: Terminate order " + terminate.uuid() + " pending-provider");
        publish("order", "{\"order_uuid\": \"" + terminate.uuid() + "\", \"order_state\": \"pending-provider\", "
                + "\"offering_uuid\": \"" + offering.uuid() + "\"}");
        await("the Terminate order is done and " + account + " removed", () -> "done".equals(waldur.order(terminate.uuid()).state())
                && !slurm.accounts().containsKey(account));
        // the project account goes once no allocation uses it, a moment after the order is done
        settle();
        out.println("  => order done; SLURM accounts " + slurm.accounts().keySet());

        printFinalState();
        out.println();
        out.println("Sandbox finished: every step reached its expected outcome.");
    }

    private String configYaml() {
        return """
                offerings:
                  - name: "Sandbox HPC offering"
                    waldur_api_url: "%s"
                    waldur_api_token: "%s"
                    waldur_offering_uuid: "%s"
                    backend_type: slurm
                    order_processing_backend: slurm
                    membership_sync_backend: slurm
                    mqtt_enabled: true
                    mqtt_broker_url: "%s"
                    backend_settings:
                      default_account: root
                      customer_prefix: "hpc_"
                      project_prefix: "hpc_"
                      allocation_prefix: "hpc_"
                      qos_paused: paused
                      qos_downscaled: limited
                      slurm_bin_path: "%s"
                    backend_components:
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
                """.formatted(waldur.apiUrl(), waldur.token(), offering.uuid(), broker.wssUrl(), slurm.binDir());
    }

    private void startAgent(Path configFile, Path dataDir) throws Exception {
        Files.createDirectories(dataDir);
        managementPort = FreePorts.onLoopback();
        AgentConfig config = ConfigLoader.load(configFile);
        main = new Main();
        AgentLauncher.configure(main, config);
        Map<String, String> overrides = Map.of(
                "agent.dataDir", dataDir.toString(),
                // the stand-in's bin directory also has `id` and `mkhomedir_helper`
                "agent.unix.idCommand", slurm.binDir().resolve("id").toString(),
                "agent.unix.mkhomedirHelper", slurm.binDir().resolve("mkhomedir_helper").toString(),
                "camel.main.shutdownTimeout", "5",
                "agent.management.host", "127.0.0.1",
                "agent.management.port", String.valueOf(managementPort),
                // TLS as at a site, verified against the broker's own CA
                "agent.tls.trustStore", broker.trustStore().toString(),
                "agent.tls.trustStorePassword", broker.trustStorePassword());
        overrides.forEach(main::addOverrideProperty);
        agentThread = new Thread(() -> {
            try {
                main.run();
            } catch (Throwable t) {
                agentFailure.set(t);
            }
        }, "sandbox-agent");
        agentThread.setDaemon(true);
        agentThread.start();
        await("the agent started", () -> {
            CamelContext ctx = main.getCamelContext();
            return ctx != null && ctx.isStarted() && ctx.getRoute("event-worker-0") != null;
        });
    }

    private SubscriptionManager subscriptions() {
        CamelContext ctx = main.getCamelContext();
        return ctx == null ? null : ctx.getRegistry().findSingleByType(SubscriptionManager.class);
    }

    private String routeId(String objectType) {
        return "mqtt-" + offering.uuid() + "-" + objectType;
    }

    /** Publishes as Waldur does, on the topic of the agent's subscription for the object type. */
    private void publish(String objectType, String payload) throws Exception {
        String subscription = subscriptions().subscription(routeId(objectType)).orElseThrow().uuid();
        String topic = "subscription/" + subscription + "/offering/" + offering.uuid() + "/" + objectType;
        out.println("  MQTT  publish " + topic);
        out.println("        " + payload);
        broker.publish(topic, payload);
    }

    /** Waits for the condition, printing the agent's REST calls and SLURM commands as they happen. */
    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            if (agentFailure.get() != null) {
                throw new StepFailed("the agent stopped: " + agentFailure.get());
            }
            boolean met;
            try {
                met = condition.getAsBoolean();
            } catch (RuntimeException e) {
                met = false;
            }
            flush();
            if (met) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new StepFailed("timed out after " + STEP_TIMEOUT.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Waits (at most 5 s) until neither a REST call nor a SLURM command has come for 700 ms, printing them. */
    private void settle() throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < end && System.nanoTime() - quietSince < Duration.ofMillis(700).toNanos()) {
            int before = restCallsShown + slurmCallsShown;
            flush();
            if (restCallsShown + slurmCallsShown != before) {
                quietSince = System.nanoTime();
            }
            Thread.sleep(50);
        }
    }

    /** Prints the REST calls and SLURM commands not shown yet. */
    private void flush() {
        if (waldur != null) {
            List<RecordedRequest> requests = waldur.requests();
            for (int i = restCallsShown; i < requests.size(); i++) {
                RecordedRequest r = requests.get(i);
                out.println("  REST  " + r.method() + " " + r.path());
            }
            restCallsShown = requests.size();
        }
        if (slurm != null) {
            List<FakeSlurm.Call> calls = slurm.callLog();
            for (int i = slurmCallsShown; i < calls.size(); i++) {
                FakeSlurm.Call c = calls.get(i);
                List<String> args = c.argv().subList(1, c.argv().size());
                out.println("  SLURM $ " + c.program() + " " + String.join(" ", args) + (c.exitCode() == 0 ? "" : "   (exit " + c.exitCode() + ")"));
            }
            slurmCallsShown = calls.size();
        }
    }

    private void printFinalState() {
        out.println();
        out.println("== Final SLURM state ==");
        var accounts = slurm.accounts();
        if (accounts.isEmpty()) {
            out.println("  accounts: none");
        }
        accounts.values().forEach(a -> out.println("  account " + a.name() + "  parent=" + a.parent() + "  qos=" + slurm.qos(a.name())
                + "  GrpTRESMins=" + slurm.limits(a.name())));
        var associations = slurm.associations();
        out.println("  associations: " + (associations.isEmpty() ? "none" : ""));
        associations.forEach(a -> out.println("    " + a.account() + "/" + a.user()));
        out.println();
        out.println("== Final Waldur state ==");
        waldur.orders().forEach(o -> out.println("  order " + o.uuid() + "  " + o.type() + "  " + o.state()));
        waldur.resources().forEach(r -> out.println("  resource " + r.name() + "  backend_id=" + r.backendId()
                + "  state=" + r.state() + "  paused=" + r.paused()));
        if (waldur.contract().isAvailable()) {
            out.println("  OpenAPI contract violations: " + waldur.contractViolations().size());
        }
    }

    private void close() {
        if (main != null) {
            main.completed();
            try {
                agentThread.join(Duration.ofSeconds(20).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (slurm != null) {
            slurm.close();
        }
        if (waldur != null) {
            waldur.close();
        }
        if (broker != null) {
            try {
                broker.close();
            } catch (Exception e) {
                out.println("(broker did not stop cleanly: " + e + ")");
            }
        }
    }

    /** A step did not reach its outcome; the message says which. */
    private static final class StepFailed extends RuntimeException {
        StepFailed(String message) {
            super(message);
        }
    }
}
