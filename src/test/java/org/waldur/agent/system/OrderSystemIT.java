package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.testing.broker.MosquittoBroker;
import org.waldur.agent.testing.slurm.SlurmLocal;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.SubscriptionListener;
import org.waldur.agent.sandbox.waldur.WaldurCustomer;
import org.waldur.agent.sandbox.waldur.WaldurOffering;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurProject;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/**
 * The packaged jar on real parts: Mosquitto (TLS WebSocket listener, dynamic-security users with Waldur's
 * colon usernames, an ACL that lets the agent read only its subscription's topics) and a real slurmdbd.
 * Waldur is the schema-checking fake.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderSystemIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "sysit_";

    private SlurmLocal slurm;
    private MosquittoBroker broker;
    private FakeWaldur waldur;
    private AgentProcess agent;
    private WaldurOffering offering;
    private WaldurProject project;
    private Path work;

    @BeforeAll
    void start() throws Exception {
        slurm = SlurmLocal.get();
        slurm.assumeAvailable();
        slurm.cleanAccounts(PREFIX);
        broker = MosquittoBroker.startNew();
        waldur = FakeWaldur.start();
        waldur.addSubscriptionListener(broker.provisioning(waldur));
        WaldurCustomer customer = waldur.addCustomer("System Test Customer", "cust");
        project = waldur.addProject(customer, "System Test Project", "proj");
        offering = waldur.newOffering(customer).name("HPC").component("cpu", "limit", 60000).component("mem", "limit", 61440).create();

        work = Files.createTempDirectory("agent-system");
        Path config = work.resolve("waldur-site-agent-config.yaml");
        Files.writeString(config, OrderSiteConfig.yaml("System test offering", waldur, offering, broker.wssUrl(), PREFIX, "/usr/bin"));
        agent = AgentProcess.start(work, config, slurm.env(), List.of(
                "-Dagent.tls.trustStore=" + broker.trustStorePath(),
                "-Dagent.tls.trustStorePassword=" + broker.trustStorePassword(),
                "-Dagent.retry.redeliveryDelay=200"));
        await("agent subscribed").atMost(WAIT).until(() -> !waldur.subscriptions().isEmpty() && agent.log().contains("listens on wss://"));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (agent != null) {
                int exit = agent.stop();
                assertThat(exit).as("exit code after SIGTERM").isIn(0, 143);
            }
        } finally {
            if (slurm != null && slurm.isAvailable()) {
                slurm.cleanAccounts(PREFIX);
            }
            if (waldur != null) {
                waldur.close();
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void createThenTerminateOnRealSlurm() throws Exception {
        WaldurResource resource = waldur.newResource(offering, project).name("Allocation").slug("alloc")
                .limit("cpu", 10).limit("mem", 10).create();
        WaldurOrder create = waldur.newOrder(resource).type("Create").state("pending-provider").create();

        publish("{\"order_uuid\": \"" + create.uuid() + "\", \"order_state\": \"pending-provider\"}");

        await("create done").atMost(WAIT).until(() -> waldur.order(create.uuid()).state().equals("done"));
        List<String> assoc = slurm.sacctmgr("show", "assoc", "where", "account=" + PREFIX + "alloc", "format=account,parentname,user,grptresmins");
        assertThat(assoc).contains(PREFIX + "alloc|" + PREFIX + "proj||cpu=600000,mem=600G");
        assertThat(slurm.sacctmgr("show", "assoc", "where", "account=" + PREFIX + "proj", "format=account,parentname,user"))
                .contains(PREFIX + "proj|" + PREFIX + "cust|");
        assertThat(waldur.resource(resource.uuid()).backendId()).isEqualTo(PREFIX + "alloc");
        assertThat(waldur.contractViolations()).isEmpty();

        WaldurOrder terminate = waldur.newOrder(waldur.resource(resource.uuid())).type("Terminate").state("pending-provider").create();
        publish("{\"order_uuid\": \"" + terminate.uuid() + "\", \"order_state\": \"pending-provider\"}");

        await("terminate done").atMost(WAIT).until(() -> waldur.order(terminate.uuid()).state().equals("done"));
        assertThat(slurm.sacctmgr("show", "account", PREFIX + "alloc")).isEmpty();
        assertThat(slurm.sacctmgr("show", "account", PREFIX + "proj")).isEmpty();
        assertThat(slurm.sacctmgr("show", "account", PREFIX + "cust")).isNotEmpty();
        assertThat(agent.log()).doesNotContain(waldur.token());
        // one JSON object per line; the lines about this order carry its offering and UUID
        List<com.fasterxml.jackson.databind.JsonNode> lines = new java.util.ArrayList<>();
        for (String line : agent.log().split("\n")) {
            if (!line.isBlank()) {
                lines.add(org.waldur.agent.waldur.WaldurJson.MAPPER.readTree(line));
            }
        }
        assertThat(lines).allSatisfy(l -> assertThat(l.has("timestamp") && l.has("level") && l.has("loggerName") && l.has("message")).isTrue());
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("message").asText()).isEqualTo("Order " + create.uuid() + " done");
            assertThat(l.get("contextMap").get("offering").asText()).isEqualTo(offering.uuid());
            assertThat(l.get("contextMap").get("subject").asText()).isEqualTo(create.uuid());
            assertThat(l.get("contextMap").get("object_type").asText()).isEqualTo("order");
        });
    }

    @Test
    void theAgentCannotReadAnotherSubscriptionsTopic() throws Exception {
        // an order announced on a topic of a subscription the agent does not own is never seen
        WaldurResource resource = waldur.newResource(offering, project).name("Foreign").slug("foreign").limit("cpu", 1).create();
        WaldurOrder order = waldur.newOrder(resource).type("Create").state("pending-provider").create();
        String foreign = "subscription/00000000000000000000000000000000/offering/" + offering.uuid() + "/order";
        broker.publish(foreign, "{\"order_uuid\": \"" + order.uuid() + "\"}", 1);
        // a message on the agent's own topic after it shows the agent is processing; the foreign one stays untouched
        WaldurResource own = waldur.newResource(offering, project).name("Own").slug("own").limit("cpu", 1).create();
        WaldurOrder ownOrder = waldur.newOrder(own).type("Create").state("pending-provider").create();
        publish("{\"order_uuid\": \"" + ownOrder.uuid() + "\"}");

        await().atMost(WAIT).until(() -> waldur.order(ownOrder.uuid()).state().equals("done"));
        assertThat(waldur.order(order.uuid()).state()).isEqualTo("pending-provider");
        assertThat(waldur.requests("*", ".*" + order.uuid() + ".*")).isEmpty();
    }

    private void publish(String payload) {
        String subscription = waldur.subscriptions().get(0).uuid();
        broker.publish("subscription/" + subscription + "/offering/" + offering.uuid() + "/order", payload, 1);
    }

}
