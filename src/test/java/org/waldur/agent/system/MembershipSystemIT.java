package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
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
import org.waldur.agent.sandbox.waldur.WaldurSubscription;
import org.waldur.agent.sandbox.waldur.WaldurTeamMember;

/**
 * Membership on real parts: the packaged jar with {@code membership_sync_backend: slurm}, Mosquitto (TLS
 * WebSocket, dynamic-security users per subscription) and a real slurmdbd. user_role and resource messages
 * and Update orders arrive over MQTT; what they did is read back with {@code sacctmgr show assoc}.
 * Each test has its own project, so a role message for one project cannot touch another test's account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MembershipSystemIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "sysmem_";
    private static final String QOS_PAUSED = PREFIX + "paused";
    private static final String QOS_DOWNSCALED = PREFIX + "downscaled";
    private static final String QOS_DEFAULT = "normal";
    private static final List<String> EVENT_TYPES = List.of("order", "user_role", "resource");

    private SlurmLocal slurm;
    private MosquittoBroker broker;
    private FakeWaldur waldur;
    private AgentProcess agent;
    private WaldurCustomer customer;
    private WaldurOffering offering;
    private String cluster;
    private final AtomicInteger sequence = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        slurm = SlurmLocal.get();
        slurm.assumeAvailable();
        cluster = slurm.clusterName();
        cleanSlurm();
        slurm.sacctmgr("-i", "add", "qos", QOS_PAUSED);
        slurm.sacctmgr("-i", "add", "qos", QOS_DOWNSCALED);
        assertThat(slurm.sacctmgr("show", "qos", "format=name")).contains(QOS_DEFAULT, QOS_PAUSED, QOS_DOWNSCALED);

        broker = MosquittoBroker.startNew();
        waldur = FakeWaldur.start();
        waldur.addSubscriptionListener(broker.provisioning(waldur));
        customer = waldur.addCustomer("Membership Customer", "cust");
        // the provider (the agent's token) sees offering users only with this plugin option
        offering = waldur.newOffering(customer).name("HPC").component("cpu", "limit", 60000).component("mem", "limit", 61440)
                .pluginOption("service_provider_can_create_offering_user", true).create();

        Path work = Files.createTempDirectory("agent-membership-system");
        Path config = work.resolve("waldur-site-agent-config.yaml");
        // no home directories: the test users are SLURM users only, and the test must not write to /home
        Files.writeString(config, """
                offerings:
                  - name: "Membership system test offering"
                    waldur_api_url: "%s"
                    waldur_api_token: "%s"
                    waldur_offering_uuid: "%s"
                    backend_type: slurm
                    order_processing_backend: slurm
                    membership_sync_backend: slurm
                    mqtt_enabled: true
                    websocket_use_tls: true
                    mqtt_broker_url: "%s"
                    backend_settings:
                      default_account: root
                      cluster_name: "%s"
                      customer_prefix: "%s"
                      project_prefix: "%s"
                      allocation_prefix: "%s"
                      qos_default: %s
                      qos_paused: %s
                      qos_downscaled: %s
                      enable_user_homedir_account_creation: false
                      slurm_bin_path: /usr/bin
                    backend_components:
                      cpu: {measured_unit: k-Hours, unit_factor: 60000, accounting_type: limit, label: CPU}
                      mem: {measured_unit: gb-Hours, unit_factor: 61440, accounting_type: limit, label: RAM}
                """.formatted(waldur.apiUrl(), waldur.token(), offering.uuid(), broker.wssUrl(), cluster,
                PREFIX, PREFIX, PREFIX, QOS_DEFAULT, QOS_PAUSED, QOS_DOWNSCALED));
        agent = AgentProcess.start(work, config, slurm.env(), List.of(
                "-Dagent.tls.trustStore=" + broker.trustStorePath(),
                "-Dagent.tls.trustStorePassword=" + broker.trustStorePassword(),
                "-Dagent.retry.redeliveryDelay=200"));
        for (String type : EVENT_TYPES) {
            Pattern listening = Pattern.compile("consumer mqtt-\\S+-" + type + " listens on wss://");
            await(type + " consumer subscribed").atMost(WAIT)
                    .until(() -> subscription(type) != null && listening.matcher(agent.log()).find());
        }
        // the start-up passes run right after subscribing; with nothing to do yet they must be over before
        // the tests, so that every change below is the work of the message the test sends
        await("start-up reconciliation").atMost(WAIT).until(() -> agent.log().contains("Reconciliation: 0 resource(s)")
                && agent.log().contains("Reconciliation: 0 pending order(s)"));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (agent != null) {
                int exit = agent.stop();
                assertThat(exit).as("exit code after SIGTERM").isIn(0, 143);
            }
        } finally {
            try {
                if (slurm != null && slurm.isAvailable()) {
                    cleanSlurm();
                }
            } finally {
                if (waldur != null) {
                    waldur.close();
                }
                if (broker != null) {
                    broker.close();
                }
            }
        }
    }

    @AfterEach
    void agentStaysHealthy() throws Exception {
        assertThat(agent.isAlive()).as("agent process alive").isTrue();
        assertThat(waldur.contractViolations()).isEmpty();
    }

    @Test
    void aGrantedRoleAddsTheAssociationAndARevokedRoleRemovesIt() throws Exception {
        WaldurProject project = waldur.addProject(customer, "Roles", "rolesp");
        WaldurResource resource = allocation(project, "roles", 10, 10);
        String account = PREFIX + "roles";
        String user = PREFIX + "alice";
        WaldurTeamMember alice = waldur.addTeamMember(resource, user, "Alice Example");
        assertThat(waldur.offeringUser(offering, alice.uuid())).map(u -> u.username()).contains(user);
        assertThat(associations(account)).as("only the account row before the role message").containsExactly(account + "|");

        publish("user_role", roleMessage(alice, project, true));

        await("association " + account + "|" + user).atMost(WAIT).until(() -> associations(account).contains(account + "|" + user));
        assertThat(associations(account)).containsExactly(account + "|", account + "|" + user);

        waldur.removeTeamMember(resource, user);
        publish("user_role", roleMessage(alice, project, false));

        await("association " + account + "|" + user + " removed").atMost(WAIT)
                .until(() -> !associations(account).contains(account + "|" + user));
        assertThat(associations(account)).as("the account itself stays").containsExactly(account + "|");
        // DefaultAccount=<default_account> (root here) made sacctmgr add a root|user association too, which a
        // revocation leaves in place; only the accounts the agent manages are checked
        assertThat(slurm.sacctmgr("show", "assoc", "where", "user=" + user, "cluster=" + cluster, "format=account"))
                .noneMatch(a -> a.startsWith(PREFIX));
    }

    /**
     * Waldur's role payload has no id or time, so the second grant is the same text as the first; it must
     * still be applied (only order messages are deduplicated).
     */
    @Test
    void aRoleGrantedAgainAfterARevocationAddsTheAssociationAgain() throws Exception {
        WaldurProject project = waldur.addProject(customer, "Regrant", "regrantp");
        WaldurResource resource = allocation(project, "regrant", 1, 1);
        String account = PREFIX + "regrant";
        String user = PREFIX + "carol";
        WaldurTeamMember carol = waldur.addTeamMember(resource, user, "Carol Example");

        publish("user_role", roleMessage(carol, project, true));
        await("first grant").atMost(WAIT).until(() -> associations(account).contains(account + "|" + user));
        waldur.removeTeamMember(resource, user);
        publish("user_role", roleMessage(carol, project, false));
        await("revoke").atMost(WAIT).until(() -> !associations(account).contains(account + "|" + user));

        // Waldur's role_granted message carries no id or time: the second grant is the same text as the first
        waldur.addTeamMember(resource, carol);
        publish("user_role", roleMessage(carol, project, true));
        await("second grant").atMost(WAIT).until(() -> associations(account).contains(account + "|" + user));
    }

    @Test
    void aPausedOrDownscaledResourceGetsItsQosAndLosesItWhenRestored() throws Exception {
        WaldurProject project = waldur.addProject(customer, "QoS", "qosp");
        WaldurResource resource = allocation(project, "qos", 10, 10);
        String account = PREFIX + "qos";
        String user = PREFIX + "bob";
        waldur.addTeamMember(resource, user, "Bob Example");
        assertThat(qos(account)).containsExactly(account + "||" + QOS_DEFAULT);

        // a resource message also brings the team in: the user row then has to follow the account's QoS
        waldur.updateResource(resource.uuid(), r -> r.paused(true));
        publish("resource", resourceMessage(resource.uuid()));

        await("paused QoS").atMost(WAIT).until(() -> qos(account).contains(account + "||" + QOS_PAUSED));
        await("user row with paused QoS").atMost(WAIT).until(() -> qos(account).contains(account + "|" + user + "|" + QOS_PAUSED));
        assertThat(qos(account)).containsExactlyInAnyOrder(account + "||" + QOS_PAUSED, account + "|" + user + "|" + QOS_PAUSED);
        await("Waldur learns the QoS").atMost(WAIT)
                .until(() -> QOS_PAUSED.equals(waldur.resource(resource.uuid()).backendMetadata().get("qos")));

        waldur.updateResource(resource.uuid(), r -> r.paused(false));
        publish("resource", resourceMessage(resource.uuid()));

        await("default QoS again").atMost(WAIT).until(() -> qos(account).equals(
                List.of(account + "||" + QOS_DEFAULT, account + "|" + user + "|" + QOS_DEFAULT)));

        waldur.updateResource(resource.uuid(), r -> r.downscaled(true));
        publish("resource", resourceMessage(resource.uuid()));

        await("downscaled QoS").atMost(WAIT).until(() -> qos(account).equals(
                List.of(account + "||" + QOS_DOWNSCALED, account + "|" + user + "|" + QOS_DOWNSCALED)));

        waldur.updateResource(resource.uuid(), r -> r.downscaled(false));
        publish("resource", resourceMessage(resource.uuid()));

        await("default QoS after downscaling").atMost(WAIT).until(() -> qos(account).equals(
                List.of(account + "||" + QOS_DEFAULT, account + "|" + user + "|" + QOS_DEFAULT)));
        await("Waldur learns the default QoS").atMost(WAIT)
                .until(() -> QOS_DEFAULT.equals(waldur.resource(resource.uuid()).backendMetadata().get("qos")));
    }

    @Test
    void anUpdateOrderSetsTheNewGrpTresMins() throws Exception {
        WaldurProject project = waldur.addProject(customer, "Limits", "limitsp");
        WaldurResource resource = allocation(project, "limits", 10, 10);
        String account = PREFIX + "limits";
        assertThat(limits(account)).containsExactly(account + "||cpu=600000,mem=600G");

        WaldurOrder update = waldur.newOrder(waldur.resource(resource.uuid())).type("Update").state("pending-provider")
                .limit("cpu", 20).limit("mem", 5).create();
        publish("order", orderMessage(update));

        await("update done").atMost(WAIT).until(() -> waldur.order(update.uuid()).state().equals("done"));
        // 20 k-hours × 60000, 5 GB-hours × 61440 MB-minutes = 307200M, printed by sacctmgr as 300G
        assertThat(limits(account)).containsExactly(account + "||cpu=1200000,mem=300G");
        assertThat(waldur.resource(resource.uuid()).limits()).isEqualTo(Map.of("cpu", 20, "mem", 5));

        // a later resource sync finds no drift: neither SLURM nor Waldur change
        Instant syncedBefore = waldur.resource(resource.uuid()).lastSync();
        publish("resource", resourceMessage(resource.uuid()));
        await("resource synced").atMost(WAIT).until(() -> waldur.resource(resource.uuid()).lastSync() != null
                && !waldur.resource(resource.uuid()).lastSync().equals(syncedBefore));
        assertThat(limits(account)).containsExactly(account + "||cpu=1200000,mem=300G");
        assertThat(waldur.resource(resource.uuid()).limits()).isEqualTo(Map.of("cpu", 20, "mem", 5));
    }

    /** A resource whose allocation account {@code sysmem_<slug>} the agent created for a Create order sent over MQTT. */
    private WaldurResource allocation(WaldurProject project, String slug, int cpu, int mem) throws Exception {
        WaldurResource resource = waldur.newResource(offering, project).name(slug).slug(slug)
                .limit("cpu", cpu).limit("mem", mem).create();
        WaldurOrder create = waldur.newOrder(resource).type("Create").state("pending-provider").create();
        publish("order", orderMessage(create));
        await("create order " + slug + " done").atMost(WAIT).until(() -> waldur.order(create.uuid()).state().equals("done"));
        WaldurResource created = waldur.resource(resource.uuid());
        assertThat(created.backendId()).isEqualTo(PREFIX + slug);
        assertThat(created.state()).isEqualTo("OK");
        assertThat(slurm.sacctmgr("show", "assoc", "where", "account=" + PREFIX + slug, "cluster=" + cluster,
                "format=account,parentname,user")).containsExactly(PREFIX + slug + "|" + PREFIX + project.slug() + "|");
        return created;
    }

    /** {@code account|user} rows of the account's associations. */
    private List<String> associations(String account) {
        return slurm.sacctmgr("show", "assoc", "where", "account=" + account, "cluster=" + cluster, "format=account,user");
    }

    /** {@code account|user|qos} rows, account row first. */
    private List<String> qos(String account) {
        return slurm.sacctmgr("show", "assoc", "where", "account=" + account, "cluster=" + cluster, "format=account,user,qos");
    }

    /** {@code account|user|grptresmins} rows. */
    private List<String> limits(String account) {
        return slurm.sacctmgr("show", "assoc", "where", "account=" + account, "cluster=" + cluster, "format=account,user,grptresmins");
    }

    private WaldurSubscription subscription(String type) {
        return waldur.subscriptions().stream().filter(s -> s.objectTypes().contains(type)).findFirst().orElse(null);
    }

    private void publish(String type, String payload) {
        WaldurSubscription s = subscription(type);
        assertThat(s).as("subscription for " + type).isNotNull();
        broker.publish("subscription/" + s.uuid() + "/offering/" + offering.uuid() + "/" + type, payload, 1);
    }

    /** Payloads as Waldur builds them: the object's fields plus {@code offering_uuid}. */
    private String orderMessage(WaldurOrder order) {
        return "{\"order_uuid\": \"" + order.uuid() + "\", \"order_state\": \"" + order.state()
                + "\", \"offering_uuid\": \"" + offering.uuid() + "\"}";
    }

    private String roleMessage(WaldurTeamMember member, WaldurProject project, boolean granted) {
        return "{\"user_uuid\": \"" + member.uuid() + "\", \"user_username\": \"" + member.username()
                + "\", \"project_uuid\": \"" + project.uuid() + "\", \"project_name\": \"" + project.name()
                + "\", \"role_name\": \"PROJECT.MEMBER\", \"granted\": " + granted
                + ", \"offering_uuid\": \"" + offering.uuid() + "\"}";
    }

    /**
     * What Waldur sends when paused / downscaled / restrict_member_access change; the agent re-reads the
     * resource. Current Waldur numbers these messages ({@code sequence_number}); without the number, the
     * restore after downscaling would be the same text as the restore after pausing, and the agent drops it
     * as a duplicate (see {@link #aRoleGrantedAgainAfterARevocationAddsTheAssociationAgain}).
     */
    private String resourceMessage(String resourceUuid) {
        WaldurResource r = waldur.resource(resourceUuid);
        return "{\"resource_uuid\": \"" + r.uuid() + "\", \"resource_backend_id\": \"" + r.backendId()
                + "\", \"downscaled\": " + r.downscaled() + ", \"restrict_member_access\": " + r.restrictMemberAccess()
                + ", \"paused\": " + r.paused() + ", \"sequence_number\": " + sequence.incrementAndGet()
                + ", \"offering_uuid\": \"" + offering.uuid() + "\"}";
    }

    /** Removes this test's accounts (with their users), leftover users and QoS; safe when there is nothing. */
    private void cleanSlurm() {
        slurm.cleanAccounts(PREFIX);
        List<String> users = slurm.sacctmgr("list", "user", "format=user").stream()
                .map(String::trim).filter(u -> u.startsWith(PREFIX)).toList();
        if (!users.isEmpty()) {
            slurm.sacctmgr("-i", "remove", "user", "where", "name=" + String.join(",", users));
        }
        List<String> qos = slurm.sacctmgr("show", "qos", "format=name").stream()
                .map(String::trim).filter(q -> q.startsWith(PREFIX)).toList();
        if (!qos.isEmpty()) {
            slurm.sacctmgr("-i", "remove", "qos", "where", "name=" + String.join(",", qos));
        }
    }
}
