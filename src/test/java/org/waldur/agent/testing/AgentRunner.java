package org.waldur.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListener;
import org.apache.camel.main.MainListenerSupport;
import org.awaitility.Awaitility;
import org.waldur.agent.AgentLauncher;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.ConfigLoader;
import org.waldur.agent.mqtt.SubscriptionManager;

/**
 * Runs the agent in-process exactly as the launcher wires it (same routes from ./routes, same beans),
 * with test-friendly overrides: a temporary data directory and short retry delays.
 */
public final class AgentRunner implements AutoCloseable {

    private final Main main = new Main();
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Path dataDir;

    private AgentRunner(AgentConfig config, Path dataDir, Map<String, String> overrides, MainListener first) {
        this.dataDir = dataDir;
        if (first != null) {
            // before the agent's own listener, so its afterStart runs first
            main.addMainListener(first);
        }
        AgentLauncher.configure(main, config);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("agent.dataDir", dataDir.toString());
        props.put("agent.retry.redeliveryDelay", "20");
        props.put("agent.retry.maximumRedeliveryDelay", "200");
        props.put("agent.retry.maximumRedeliveries", "5");
        props.put("agent.mqtt.watchdogPeriod", "500");
        props.put("agent.mqtt.watchdogGrace", "1000");
        props.put("agent.subscriptions.maxBackoff", "1000");
        // Paho's reconnect backoff: the production cap (60 s) would outlast the tests' waits after a broker restart
        props.put("agent.mqtt.maxReconnectDelay", "1000");
        props.put("camel.routecontroller.backOffDelay", "500");
        props.put("camel.routecontroller.backOffMaxDelay", "1000");
        props.put("agent.shutdown.timeout", "5");
        // a random free port for /observe/*, so agents in parallel builds never compete for 9876
        props.put("agent.management.port", "0");
        // -Dtest.tracing=true prints every step of every exchange
        props.put("camel.main.tracing", System.getProperty("test.tracing", "false"));
        props.putAll(overrides);
        props.forEach(main::addOverrideProperty);
        thread = new Thread(() -> {
            try {
                main.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "agent-under-test");
        thread.setDaemon(true);
    }

    /** Starts the agent with the YAML configuration text and waits until it has started its workers. */
    public static AgentRunner start(String configYaml, Map<String, String> overrides) throws Exception {
        return start(configYaml, overrides, Files.createTempDirectory("agent-test").resolve("data"));
    }

    /** As {@link #start(String, Map)}, keeping state in {@code dataDir} (a restart passes the same one). */
    public static AgentRunner start(String configYaml, Map<String, String> overrides, Path dataDir) throws Exception {
        AgentRunner runner = create(configYaml, overrides, dataDir, null);
        runner.launch("agent started", () -> {
            CamelContext ctx = runner.main.getCamelContext();
            return ctx != null && ctx.isStarted() && ctx.getRoute("event-worker-0") != null;
        });
        return runner;
    }

    /**
     * Starts the agent but holds its start-up at the end: Camel and every route defined in {@code routes/} have
     * started, the event workers and the consumers' message delivery not yet (the agent's own afterStart waits
     * until {@code release} is counted down). Returns once the start-up is held there.
     */
    public static AgentRunner startHeld(String configYaml, Map<String, String> overrides, Path dataDir, CountDownLatch release)
            throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        AgentRunner runner = create(configYaml, overrides, dataDir, new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport main) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        runner.launch("agent start-up held", () -> held.getCount() == 0);
        return runner;
    }

    /** Runs Camel Main on the agent's thread and waits until {@code reached}, failing at once if the agent fails. */
    private void launch(String what, BooleanSupplier reached) {
        thread.start();
        Awaitility.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (failure.get() != null) {
                throw new IllegalStateException("agent failed to start", failure.get());
            }
            return reached.getAsBoolean();
        });
    }

    private static AgentRunner create(String configYaml, Map<String, String> overrides, Path dataDir, MainListener first)
            throws Exception {
        Files.createDirectories(dataDir);
        Path configFile = dataDir.resolveSibling("config.yaml");
        Files.writeString(configFile, configYaml);
        return new AgentRunner(ConfigLoader.load(configFile), dataDir, overrides, first);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public SubscriptionManager subscriptions() {
        return context().getRegistry().findSingleByType(SubscriptionManager.class);
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path deadLetterFile() {
        return dataDir.resolve("dead-letter.jsonl");
    }

    /** True when the consumer of the given route is connected to its broker. */
    public boolean isConnected(String routeId) {
        return subscriptions().isConnected(routeId);
    }

    @Override
    public void close() throws Exception {
        main.completed();
        thread.join(Duration.ofSeconds(20).toMillis());
    }
}
