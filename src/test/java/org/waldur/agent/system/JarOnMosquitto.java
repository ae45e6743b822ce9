package org.waldur.agent.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.waldur.agent.testing.broker.MosquittoBroker;
import org.waldur.agent.sandbox.slurm.FakeSlurm;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.SubscriptionListener;
import org.waldur.agent.sandbox.waldur.WaldurCustomer;
import org.waldur.agent.sandbox.waldur.WaldurOffering;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurProject;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/**
 * The packaged jar with real Mosquitto (TLS WebSocket, a dynamic-security user per subscription), the fake
 * Waldur and the recording fake sacctmgr, for system tests about operating the agent (reload, shutdown),
 * which need neither a real slurmdbd nor root. One offering, order events only.
 */
final class JarOnMosquitto implements AutoCloseable {

    private static final Pattern CONNECT = Pattern.compile("New client connected from \\S+ as (waldur-camel-agent-[0-9a-f]+)");

    final MosquittoBroker broker;
    final FakeWaldur waldur;
    final FakeSlurm slurm;
    final WaldurOffering offering;
    final WaldurProject project;
    final Path work;
    final Path config;

    JarOnMosquitto() throws IOException {
        slurm = FakeSlurm.create();
        broker = MosquittoBroker.startNew();
        waldur = FakeWaldur.start();
        waldur.addSubscriptionListener(broker.provisioning(waldur));
        WaldurCustomer customer = waldur.addCustomer("Ops Customer", "opscust");
        project = waldur.addProject(customer, "Ops Project", "opsproj");
        offering = waldur.newOffering(customer).name("HPC").component("cpu", "limit", 60000).component("mem", "limit", 61440).create();
        work = Files.createTempDirectory("agent-ops");
        config = work.resolve("waldur-site-agent-config.yaml");
        Files.writeString(config, OrderSiteConfig.yaml("Ops test offering", waldur, offering, broker.wssUrl(), "ops_", slurm.binDir().toString()));
    }

    /** Starts the jar in {@link #work} with the broker's trust store and these extra JVM options. */
    AgentProcess start(List<String> jvmOptions) throws IOException {
        List<String> options = new ArrayList<>(List.of(
                "-Dagent.tls.trustStore=" + broker.trustStorePath(),
                "-Dagent.tls.trustStorePassword=" + broker.trustStorePassword(),
                "-Dagent.retry.redeliveryDelay=200"));
        options.addAll(jvmOptions);
        return AgentProcess.start(work, config, Map.of(), options);
    }

    String orderRouteId() {
        return "mqtt-" + offering.uuid() + "-order";
    }

    WaldurOrder newCreateOrder(String slug) {
        WaldurResource resource = waldur.newResource(offering, project).name("Allocation " + slug).slug(slug)
                .limit("cpu", 1).limit("mem", 1).create();
        return waldur.newOrder(resource).type("Create").state("pending-provider").create();
    }

    void publishOrder(WaldurOrder order) {
        String subscription = waldur.subscriptions().get(0).uuid();
        broker.publish("subscription/" + subscription + "/offering/" + offering.uuid() + "/order",
                "{\"order_uuid\": \"" + order.uuid() + "\", \"order_state\": \"" + order.state() + "\"}", 1);
    }

    /** How often an agent client connected to Mosquitto, by client id, from the broker's log. */
    Map<String, Integer> agentConnects() throws IOException {
        Map<String, Integer> connects = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(broker.logFile())) {
            Matcher m = CONNECT.matcher(line);
            if (m.find()) {
                connects.merge(m.group(1), 1, Integer::sum);
            }
        }
        return connects;
    }

    @Override
    public void close() throws Exception {
        try {
            waldur.close();
        } finally {
            try {
                broker.close();
            } finally {
                slurm.close();
            }
        }
    }
}
