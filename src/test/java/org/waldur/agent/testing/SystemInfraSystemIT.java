package org.waldur.agent.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.testing.broker.MosquittoBroker;
import org.waldur.agent.testing.slurm.SlurmLocal;

/**
 * Proves the system-test infrastructure against the real parts: Debian's Mosquitto with the
 * dynamic-security plugin, and a real slurmdbd driven by sacctmgr. Later system tests rely on
 * exactly these behaviours.
 */
class SystemInfraSystemIT {

    private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(10);

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Mosquitto {

        private MosquittoBroker broker;
        private final List<Probe> probes = new java.util.ArrayList<>();

        @BeforeAll
        void startBroker() {
            broker = MosquittoBroker.startNew();
            System.out.printf("mosquitto started in %d ms (%s, %s)%n", broker.lastStartMillis(), broker.wsUrl(),
                    broker.wssUrl());
        }

        @AfterAll
        void stopBroker() {
            if (broker != null) {
                broker.close();
            }
        }

        @AfterEach
        void closeProbes() {
            probes.forEach(Probe::close);
            probes.clear();
        }

        @Test
        void colonUsernameSubscriberReceivesQos1OverWebSocket() throws Exception {
            Subscription s = newSubscription();
            Probe probe = connect(broker.wsUrl(), s.username, s.token, null);
            assertThat(probe.subscribe(s.topicFilter(), 1)).isEqualTo(1);

            broker.publish(s.topic("order"), "over-ws", 1);

            Received m = probe.next();
            assertThat(m.topic).isEqualTo(s.topic("order"));
            assertThat(m.payload).isEqualTo("over-ws");
            assertThat(m.qos).isEqualTo(1);
        }

        @Test
        void colonUsernameSubscriberReceivesQos1OverTlsWebSocketWithTruststore() throws Exception {
            Subscription s = newSubscription();
            Probe probe = connect(broker.wssUrl(), s.username, s.token,
                    o -> o.setSocketFactory(broker.sslSocketFactory()));
            assertThat(probe.subscribe(s.topicFilter(), 1)).isEqualTo(1);

            broker.publish(s.topic("order"), "over-wss", 1);

            Received m = probe.next();
            assertThat(m.payload).isEqualTo("over-wss");
            assertThat(m.qos).isEqualTo(1);
        }

        @Test
        void tlsWebSocketWithoutTheTestCaFailsCertificateVerification() {
            Subscription s = newSubscription();

            // No socket factory: Paho falls back to the JVM's default trust, which lacks the test CA.
            assertThatThrownBy(() -> connect(broker.wssUrl(), s.username, s.token, null))
                    .isInstanceOf(MqttException.class)
                    .hasRootCauseInstanceOf(CertPathBuilderException.class);
        }

        @Test
        void subscriberGetsNothingFromAnotherSubscriptionsTopic() throws Exception {
            Subscription mine = newSubscription();
            Subscription other = newSubscription();
            Probe me = connect(broker.wsUrl(), mine.username, mine.token, null);
            Probe them = connect(broker.wsUrl(), other.username, other.token, null);
            assertThat(me.subscribe(mine.topicFilter(), 1)).isEqualTo(1);
            assertThat(them.subscribe(other.topicFilter(), 1)).isEqualTo(1);
            // dynsec checks SUBSCRIBE at once (unlike acl_file, which filters only at delivery).
            assertThat(me.subscribe(other.topicFilter(), 1)).isEqualTo(0x87);
            assertThat(me.subscribe("subscription/#", 1)).isEqualTo(0x87);

            broker.publish(other.topic("order"), "not-for-me", 1);
            broker.publish(mine.topic("order"), "for-me", 1);

            assertThat(them.next().payload).isEqualTo("not-for-me");
            // Delivery to one session is in publish order, so the foreign message would come first.
            assertThat(me.next().payload).isEqualTo("for-me");
            assertThat(me.messages).isEmpty();
        }

        @Test
        void subscriberCannotPublishEvenToItsOwnTopic() throws Exception {
            Subscription s = newSubscription();
            Probe listener = connect(broker.wsUrl(), s.username, s.token, null);
            assertThat(listener.subscribe(s.topicFilter(), 1)).isEqualTo(1);
            Probe writer = connect(broker.wsUrl(), s.username, s.token, null);

            IMqttToken token = writer.client.getTopic(s.topic("forged")).publish(
                    message("forged", 1));
            token.waitForCompletion(RECEIVE_TIMEOUT.toMillis());
            broker.publish(s.topic("order"), "genuine", 1);

            assertThat(token.getReasonCodes()).containsExactly(0x87);
            assertThat(listener.next().payload).isEqualTo("genuine");
            assertThat(listener.messages).isEmpty();
        }

        @Test
        void builtInPublisherIsLimitedToTheSubscriptionTree() {
            assertThatThrownBy(() -> broker.publish("elsewhere/topic", "x", 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("0x87");
        }

        @Test
        void wrongPasswordIsRefused() {
            Subscription s = newSubscription();

            assertThatThrownBy(() -> connect(broker.wsUrl(), s.username, "not-" + s.token, null))
                    .isInstanceOfSatisfying(MqttException.class,
                            // mosquitto 2.0.11 answers a bad password with 0x87 "not authorized", not 0x86
                            e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        }

        @Test
        void removedClientIsDisconnectedAndRefusedOnReconnect() throws Exception {
            Subscription s = newSubscription();
            Probe probe = connect(broker.wsUrl(), s.username, s.token, null);
            assertThat(probe.subscribe(s.topicFilter(), 1)).isEqualTo(1);

            broker.removeClient(s.username);

            // dynsec kicks the live session of a deleted client right away, not only at its next connect.
            await().atMost(RECEIVE_TIMEOUT).until(() -> !probe.client.isConnected());
            // MQTT 5 DISCONNECT 0x98 "administrative action", sent by the broker before it closes the socket
            assertThat(probe.disconnects).extracting(MqttDisconnectResponse::getReturnCode).containsExactly(0x98);
            assertThatThrownBy(() -> connect(broker.wsUrl(), s.username, s.token, null))
                    .isInstanceOfSatisfying(MqttException.class,
                            e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
            assertThatThrownBy(() -> broker.removeClient(s.username))
                    .hasMessageContaining("Client not found");
        }

        @Test
        void persistentSessionGetsMessagePublishedWhileOffline() throws Exception {
            Subscription s = newSubscription();
            String clientId = "persistent-" + UUID.randomUUID();
            Consumer<MqttConnectionOptions> persistent = o -> {
                o.setCleanStart(false);
                o.setSessionExpiryInterval(300L);
            };
            Probe first = connect(broker.wsUrl(), s.username, s.token, persistent, clientId);
            assertThat(first.subscribe(s.topicFilter(), 1)).isEqualTo(1);
            first.client.disconnect();

            broker.publish(s.topic("order"), "while-offline", 1);

            // Same clientId and no new SUBSCRIBE: only the stored session can deliver this.
            Probe second = connect(broker.wsUrl(), s.username, s.token, persistent, clientId);
            assertThat(second.sessionPresent).isTrue();
            Received m = second.next();
            assertThat(m.payload).isEqualTo("while-offline");
            assertThat(m.qos).isEqualTo(1);
        }

        @Test
        void restartKeepsPortsClientsAndPersistentSessions() throws Exception {
            Subscription s = newSubscription();
            String clientId = "restart-" + UUID.randomUUID();
            Consumer<MqttConnectionOptions> persistent = o -> {
                o.setCleanStart(false);
                o.setSessionExpiryInterval(300L);
            };
            Probe first = connect(broker.wsUrl(), s.username, s.token, persistent, clientId);
            assertThat(first.subscribe(s.topicFilter(), 1)).isEqualTo(1);
            first.client.disconnect();
            broker.publish(s.topic("order"), "before-restart", 1);
            String wsUrl = broker.wsUrl();
            String wssUrl = broker.wssUrl();

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            assertThatThrownBy(() -> connect(wsUrl, s.username, s.token, null))
                    .isInstanceOf(MqttException.class);
            broker.start();
            System.out.printf("mosquitto restarted in %d ms%n", broker.lastStartMillis());

            assertThat(broker.wsUrl()).isEqualTo(wsUrl);
            assertThat(broker.wssUrl()).isEqualTo(wssUrl);
            Probe second = connect(wssUrl, s.username, s.token,
                    persistent.andThen(o -> o.setSocketFactory(broker.sslSocketFactory())), clientId);
            assertThat(second.sessionPresent).isTrue();
            assertThat(second.next().payload).isEqualTo("before-restart");
            broker.publish(s.topic("order"), "after-restart", 1);
            assertThat(second.next().payload).isEqualTo("after-restart");
        }

        @Test
        void restartOnAPortTakenDuringTheOutageFailsWithTheBrokerLog() throws Exception {
            try (MosquittoBroker other = MosquittoBroker.startNew()) {
                int port = other.tcpPort();
                other.stop();

                try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    assertThatThrownBy(other::start)
                            .isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("could not bind")
                            .hasMessageContaining("--- tail of " + other.logFile())
                            .hasMessageContaining("Address already in use");
                }
                assertThat(other.isRunning()).isFalse();

                other.start();
                assertThat(other.tcpPort()).isEqualTo(port);
                assertThat(other.isRunning()).isTrue();
            }
        }

        // ---------------------------------------------------------------- helpers

        private Subscription newSubscription() {
            String user = hex();
            String sub = hex();
            Subscription s = new Subscription(user + ":" + sub, "token-" + hex(), sub);
            broker.addSubscriber(s.username, s.token, s.topicFilter());
            return s;
        }

        private Probe connect(String url, String user, String password, Consumer<MqttConnectionOptions> tweak)
                throws MqttException {
            return connect(url, user, password, tweak, "probe-" + UUID.randomUUID());
        }

        private Probe connect(String url, String user, String password, Consumer<MqttConnectionOptions> tweak,
                String clientId) throws MqttException {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName(user);
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
            o.setConnectionTimeout(5);
            o.setAutomaticReconnect(false);
            if (tweak != null) {
                tweak.accept(o);
            }
            Probe probe = new Probe(new MqttClient(url, clientId, new MemoryPersistence()));
            try {
                IMqttToken token = probe.client.connectWithResult(o);
                probe.sessionPresent = token.getSessionPresent();
            } catch (MqttException e) {
                probe.close();
                throw e;
            }
            probes.add(probe);
            return probe;
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Slurm {

        private SlurmLocal slurm;
        private String prefix;

        @BeforeAll
        void startSlurm() {
            slurm = SlurmLocal.get();
            System.out.printf("slurm-local: %s in %d ms%n", slurm.isAvailable() ? "up" : "unavailable",
                    slurm.startMillis());
        }

        @BeforeEach
        void requireSlurm() {
            slurm.assumeAvailable();
            prefix = "sit" + hex().substring(0, 6) + "_";
        }

        @AfterEach
        void clean() {
            if (slurm.isAvailable()) {
                slurm.cleanAccounts(prefix);
            }
        }

        @Test
        void environmentPointsSacctmgrAtTheLocalCluster() {
            assertThat(slurm.env()).containsKey("SLURM_CONF");
            assertThat(slurm.sacctmgr("list", "cluster", "format=cluster")).contains(slurm.clusterName());
        }

        @Test
        void accountHierarchyWithLimitsAndUserRoundTrips() {
            String customer = prefix + "cust";
            String project = prefix + "proj";
            String allocation = prefix + "alloc";
            String user = prefix + "user";

            slurm.sacctmgr("-i", "add", "account", customer, "description=\"Customer A\"", "organization=" + customer,
                    "parent=root");
            slurm.sacctmgr("-i", "add", "account", project, "description=\"Project A\"", "organization=" + project,
                    "parent=" + customer);
            slurm.sacctmgr("-i", "add", "account", allocation, "description=\"Allocation A\"",
                    "organization=" + project, "parent=" + project);
            slurm.sacctmgr("-i", "modify", "account", allocation, "set", "GrpTRESMins=cpu=600000,mem=614400");
            slurm.sacctmgr("-i", "add", "user", user, "account=" + allocation);

            assertThat(slurm.sacctmgr("show", "assoc", "where", "account=" + allocation,
                    "format=account,user,grptresmins"))
                    // sacctmgr prints memory with a unit: 614400 MB-minutes = 600G
                    .containsExactlyInAnyOrder(allocation + "||cpu=600000,mem=600G", allocation + "|" + user + "|");
            assertThat(slurm.sacctmgr("show", "assoc", "where", "account=" + customer + "," + project + "," + allocation,
                    "format=account,parentname,user"))
                    .contains(customer + "|root|", project + "|" + customer + "|", allocation + "|" + project + "|");

            assertThat(slurm.cleanAccounts(prefix)).containsExactlyInAnyOrder(customer, project, allocation);

            assertThat(slurm.sacctmgr("list", "account", "format=account")).noneMatch(a -> a.startsWith(prefix));
            assertThat(slurm.sacctmgr("list", "user", "format=user")).doesNotContain(user);
        }

        @Test
        void writesWithoutImmediateAreRejectedBeforeSacctmgrCanHang() {
            assertThatThrownBy(() -> slurm.sacctmgr("add", "account", prefix + "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-i");
            assertThat(slurm.sacctmgr("list", "account", "format=account")).doesNotContain(prefix + "x");
        }

        @Test
        void failingCommandReportsExitCodeAndOutput() {
            SlurmLocal.Result r = slurm.sacctmgrUnchecked("-i", "modify", "account", prefix + "missing", "set",
                    "GrpTRESMins=cpu=1");
            assertThat(r.exitCode()).isNotZero();
            assertThatThrownBy(() -> slurm.sacctmgr("-i", "remove", "account", "where", "name=" + prefix + "missing"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with");
        }
    }

    // -------------------------------------------------------------------- shared helpers

    private static String hex() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static MqttMessage message(String payload, int qos) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        return m;
    }

    private record Subscription(String username, String token, String subscriptionUuid) {
        String topicFilter() {
            return "subscription/" + subscriptionUuid + "/#";
        }

        String topic(String event) {
            return "subscription/" + subscriptionUuid + "/" + event;
        }
    }

    private record Received(String topic, String payload, int qos) {
    }

    /** A plain Paho v5 client that records what reaches it. */
    private static final class Probe implements MqttCallback, AutoCloseable {
        final MqttClient client;
        final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<MqttDisconnectResponse> disconnects = new LinkedBlockingQueue<>();
        volatile boolean sessionPresent;

        Probe(MqttClient client) {
            this.client = client;
            client.setCallback(this);
        }

        /** @return the SUBACK reason code (granted QoS, or 0x80+ when refused) */
        int subscribe(String filter, int qos) throws MqttException {
            IMqttToken token = client.subscribe(filter, qos);
            return token.getReasonCodes()[0];
        }

        Received next() throws InterruptedException {
            Received m = messages.poll(RECEIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(m).as("a message within %s", RECEIVE_TIMEOUT).isNotNull();
            return m;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            messages.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos()));
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            disconnects.add(response);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        @Override
        public void close() {
            try {
                if (client.isConnected()) {
                    client.disconnect(1000);
                }
            } catch (MqttException ignored) {
                // already gone
            }
            try {
                client.close(true);
            } catch (MqttException ignored) {
                // nothing to release
            }
        }
    }
}
