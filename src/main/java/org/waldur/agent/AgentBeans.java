package org.waldur.agent;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.OfferingConfig;
import org.waldur.agent.events.EventKeys;
import org.waldur.agent.events.Failures;
import org.waldur.agent.events.ProcessedEvents;
import org.waldur.agent.waldur.WaldurRequests;
import org.waldur.agent.waldur.WaldurPages;
import org.waldur.agent.waldur.OfferingCache;
import org.waldur.agent.membership.Membership;
import org.waldur.agent.usage.UsageReports;
import org.waldur.agent.reconcile.Reconciliation;
import org.waldur.agent.tls.TlsContexts;
import javax.net.ssl.SSLContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.waldur.agent.mqtt.MqttSocketFactories;
import org.waldur.agent.mqtt.SubscriptionManager;
import org.waldur.agent.mqtt.SubscriptionStore;
import org.waldur.agent.slurm.SlurmGateway;
import org.waldur.agent.waldur.WaldurEndpoints;
import org.waldur.agent.waldur.WaldurJson;
import org.waldur.agent.health.AgentRoutesHealthCheck;
import org.waldur.agent.health.MqttConsumersHealthCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.waldur.agent.metrics.AgentMetrics;
import org.waldur.agent.metrics.CallMetricsNotifier;
import org.waldur.agent.metrics.EventMetricsPolicy;

/** The beans the YAML routes refer to by name. Per-offering beans are suffixed with the offering's key. */
public final class AgentBeans implements CamelConfiguration {

    private final AgentConfig config;

    public AgentBeans(AgentConfig config) {
        this.config = config;
    }

    /** camel-http takes SSLContextParameters; this wraps an SSLContext we built ourselves. */
    private static SSLContextParameters sslParameters(SSLContext ctx) {
        return new SSLContextParameters() {
            @Override
            public SSLContext createSSLContext(CamelContext camelContext) {
                return ctx;
            }
        };
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        PropertiesComponent props = context.getPropertiesComponent();
        Path dataDir = Path.of(props.resolveProperty("agent.dataDir").orElse("data"));
        Files.createDirectories(dataDir);
        Registry registry = context.getRegistry();

        registry.bind("agentConfig", config);
        registry.bind("waldurJson", WaldurJson.MAPPER);
        registry.bind("eventKeys", new EventKeys(Integer.parseInt(props.resolveProperty("agent.workers").orElse("4"))));
        int cacheSize = Integer.parseInt(props.resolveProperty("agent.idempotency.cacheSize").orElse("10000"));
        // survives restarts, so a message redelivered after a crash has no second effect
        registry.bind("processedEvents", new ProcessedEvents(new File(dataDir.toFile(), "processed-events.dat"), cacheSize));

        WaldurEndpoints endpoints = new WaldurEndpoints(config, props);
        registry.bind("waldurEndpoints", endpoints);
        registry.bind(WaldurEndpoints.RESPONSE_HEADERS_BEAN, new org.waldur.agent.waldur.WaldurResponseHeaders());
        registry.bind("waldurRequests", new WaldurRequests(endpoints));
        registry.bind("failures", new Failures());
        registry.bind("managementServerVertxOptions", org.waldur.agent.health.ManagementServerThreads.vertxOptions());
        registry.bind("logContext", new org.waldur.agent.events.LogContext());
        registry.bind("resourceLocks", new org.waldur.agent.events.ResourceLocks());
        // built once: loading a PKCS12 trust store (MAC check with 10 000 PBKDF2 iterations) costs about 0.2 s
        // on 2 cores, and it used to be done again for every offering's MQTT socket factory
        SSLContext verifying = TlsContexts.verifying(props);
        registry.bind("verifyingSslContext", sslParameters(verifying));
        if (config.offerings().stream().anyMatch(o -> !o.verifySsl())) {
            registry.bind("insecureSslContext", sslParameters(TlsContexts.nonVerifying()));
            registry.bind("noopHostnameVerifier", NoopHostnameVerifier.INSTANCE);
        }
        for (OfferingConfig o : config.offerings()) {
            registry.bind(WaldurEndpoints.configurerBeanName(o), endpoints.httpClientConfigurer(o));
            registry.bind(MqttSocketFactories.beanName(o), MqttSocketFactories.forOffering(o, verifying));
        }
        SlurmGateway slurm = new SlurmGateway(config,
                props.resolveProperty("agent.unix.idCommand").orElse("id"),
                props.resolveProperty("agent.unix.mkhomedirHelper").orElse("/sbin/mkhomedir_helper"));
        registry.bind("slurm", slurm);
        registry.bind("noStdinExecBinding", new org.waldur.agent.slurm.NoStdinExecBinding());
        registry.bind("childProcessExecutor", new org.waldur.agent.slurm.ChildProcessExecutor(
                context.getExecutorServiceManager().newCachedThreadPool(slurm, "CommandOutput")));
        registry.bind("periodicLimits", new org.waldur.agent.periodic.PeriodicLimits(slurm));
        registry.bind("usageReports", new UsageReports(config, slurm, java.time.Clock.systemUTC()));
        SubscriptionStore store = new SubscriptionStore(dataDir.resolve("subscriptions.json"));
        SubscriptionManager subscriptions = new SubscriptionManager(config, store);
        registry.bind("subscriptionManager", subscriptions);
        healthChecks(context, subscriptions);
        metrics(context, subscriptions);
        registry.bind("reconciliation", new Reconciliation(config, subscriptions));
        registry.bind("waldurPages", new WaldurPages());
        registry.bind("membership", new Membership(config));
        registry.bind("usernames", new org.waldur.agent.usernames.Usernames(config));
        registry.bind("offeringCache", new OfferingCache(
                java.time.Duration.ofMillis(org.apache.camel.util.TimeUtils.toMilliSeconds(props.resolveProperty("agent.cache.ttl").orElse("1h"))),
                java.time.Clock.systemUTC()));
    }

    /** Readiness checks, found by Camel's health registry among the beans. See README.md, Operations: Health and metrics. */
    private void healthChecks(CamelContext context, SubscriptionManager subscriptions) {
        Registry registry = context.getRegistry();
        MqttConsumersHealthCheck consumers = new MqttConsumersHealthCheck(config, subscriptions);
        consumers.setCamelContext(context);
        registry.bind("mqttConsumersHealthCheck", consumers);
        AgentRoutesHealthCheck routes = new AgentRoutesHealthCheck();
        routes.setCamelContext(context);
        registry.bind("agentRoutesHealthCheck", routes);
    }

    /**
     * The agent's metrics, in the Prometheus registry that camel-micrometer-prometheus serves at /observe/metrics
     * (it takes the {@code metricsRegistry} bean when there is one, so Camel's and ours share it).
     */
    private void metrics(CamelContext context, SubscriptionManager subscriptions) {
        Registry registry = context.getRegistry();
        PrometheusMeterRegistry meters = registry.lookupByNameAndType(
                MicrometerConstants.METRICS_REGISTRY_NAME, PrometheusMeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, meters);
        }
        AgentMetrics metrics = new AgentMetrics(meters);
        metrics.registerConsumerGauges(config, subscriptions);
        // the dead-letter route's step (routes/90-errors.camel.yaml)
        registry.bind("agentMetrics", metrics);
        // the event workers' route policy (routes/30-dispatch.camel.yaml)
        registry.bind("eventMetrics", new EventMetricsPolicy(metrics));
        context.getManagementStrategy().addEventNotifier(new CallMetricsNotifier(metrics));
    }
}
