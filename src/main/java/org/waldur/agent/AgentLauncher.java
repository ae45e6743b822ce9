package org.waldur.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.main.Main;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.ConfigException;
import org.waldur.agent.config.ConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Loads and validates the configuration, then runs Camel Main with the agent's routes and beans.
 * Exit codes: 0 normal stop (also after SIGTERM or SIGINT), 2 invalid configuration or command line.
 */
public final class AgentLauncher {

    public static final int EXIT_CONFIG = 2;
    private static final Logger LOG = LoggerFactory.getLogger(AgentLauncher.class);

    private final CommandLine cli;

    public AgentLauncher(CommandLine cli) {
        this.cli = cli;
    }

    public int run() throws Exception {
        if (cli.help()) {
            System.out.print(CommandLine.usage());
            return 0;
        }
        ClassDataSharing.logStatus(LOG);
        if (cli.sandbox()) {
            return org.waldur.agent.sandbox.Sandbox.run(System.out);
        }
        AgentConfig config;
        try {
            config = ConfigLoader.load(cli.configFile());
        } catch (ConfigException e) {
            System.err.println("waldur-camel-agent: " + e.getMessage());
            LOG.error("Invalid configuration in {}: {}", cli.configFile(), String.join("; ", e.problems()));
            return EXIT_CONFIG;
        }
        if (config.logLevel() != null && !config.logLevel().isBlank()) {
            // the Python agent's names; WARNING and CRITICAL map to log4j's WARN and FATAL
            String level = config.logLevel().trim().toUpperCase(java.util.Locale.ROOT)
                    .replace("WARNING", "WARN").replace("CRITICAL", "FATAL");
            org.apache.logging.log4j.core.config.Configurator.setRootLevel(org.apache.logging.log4j.Level.toLevel(level,
                    org.apache.logging.log4j.Level.INFO));
        }
        org.waldur.agent.logging.SentryReporting.enable(config.sentryDsn());
        Main main = new Main();
        configure(main, config);
        handleStopSignals(main);
        main.run(cli.camelArgs().toArray(String[]::new));
        return main.getExitCode();
    }

    /**
     * SIGTERM and SIGINT stop the agent gracefully (AgentStartup.beforeStop) and it exits with code 0.
     * By default the JVM would run Camel's shutdown hook and exit with 143 (130 for SIGINT) however
     * cleanly the agent stopped, which service managers report as a failure. A second signal while
     * stopping ends the process at once.
     */
    private static void handleStopSignals(Main main) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (stopping.compareAndSet(false, true)) {
                        LOG.info("SIG{} received: stopping gracefully", signal.getName());
                        main.completed();
                    } else {
                        LOG.warn("SIG{} received again while stopping: exiting now", signal.getName());
                        Runtime.getRuntime().halt(128 + signal.getNumber());
                    }
                });
            } catch (IllegalArgumentException e) {
                // the signal is reserved (e.g. java -Xrs): the JVM's default handling stays
                LOG.debug("Cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }

    /** Shared by the launcher and the tests, so tests run the same wiring as production. */
    public static void configure(Main main, AgentConfig config) {
        // first location wins in Camel's PropertiesComponent (camel-stack.md §6c)
        main.setDefaultPropertyPlaceholderLocation(
                "file:application.properties;optional=true,classpath:application.properties;optional=true");
        Path routes = Path.of(System.getProperty("agent.routes.dir",
                System.getenv().getOrDefault("AGENT_ROUTES_DIR", "routes")));
        if (Files.isDirectory(routes)) {
            String dir = routes.toAbsolutePath().normalize().toString();
            main.configure().withRoutesIncludePattern("file:" + dir + "/*.camel.yaml")
                    .withRoutesReloadEnabled(true)
                    .withRoutesReloadDirectory(dir)
                    .withRoutesReloadPattern("*.camel.yaml")
                    // keep templated MQTT consumers alive when a file is reloaded (camel-stack.md §6b)
                    .withRoutesReloadRemoveAllRoutes(false);
        } else {
            main.configure().withRoutesIncludePattern(ClasspathRoutes.includePattern());
        }
        main.configure().addConfiguration(new AgentBeans(config));
        main.addMainListener(new AgentStartup());
    }
}
