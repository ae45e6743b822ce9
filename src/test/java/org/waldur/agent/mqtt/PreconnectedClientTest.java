package org.waldur.agent.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.CamelContext;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.apache.camel.impl.DefaultCamelContext;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.waldur.agent.sandbox.broker.EmbeddedMqttBroker;

class PreconnectedClientTest {

    private static final String SUBSCRIPTION = "5d3c0e8e-4a47-4d5c-9a59-0d6a3c1e2f10";
    private static final String TOPIC = "subscription/" + SUBSCRIPTION + "/offering/o1/order";
    private static EmbeddedMqttBroker broker;
    private static CamelContext context;

    @BeforeAll
    static void start() throws Exception {
        broker = new EmbeddedMqttBroker().start();
        broker.addSubscriber("agent", "agent-secret", SUBSCRIPTION);
        context = new DefaultCamelContext();
        context.start();
    }

    @AfterAll
    static void stop() throws Exception {
        context.close();
        broker.close();
    }

    private static PahoMqtt5Endpoint endpoint(String clientId, String password) {
        return context.getEndpoint("paho-mqtt5:" + TOPIC + "?brokerUrl=" + broker.wsUrl() + "&clientId=" + clientId
                + "&userName=agent&password=RAW(" + password + ")&qos=1&cleanStart=false&sessionExpiryInterval=3600"
                + "&manualAcksEnabled=true", PahoMqtt5Endpoint.class);
    }

    /** A persistent session subscribed to the topic, then left: what is published now waits for the client id. */
    private static void leaveSession(String clientId) throws Exception {
        MqttClient c = new MqttClient(broker.wsUrl(), clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName("agent");
        o.setPassword("agent-secret".getBytes(StandardCharsets.UTF_8));
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        c.connect(o);
        c.subscribe(TOPIC, 1);
        c.disconnect();
        c.close();
    }

    @Test
    void messagesQueuedInTheSessionArriveBeforeTheConsumerAndAreHandedToItInOrder() throws Exception {
        leaveSession("early-1");
        for (int i = 1; i <= 3; i++) {
            broker.publish(TOPIC, "{\"n\": " + i + "}");
        }
        PreconnectedClient client = PreconnectedClient.connect(endpoint("early-1", "agent-secret"));
        try {
            // the broker sends the session's messages right after CONNACK; nobody takes them yet
            await().atMost(Duration.ofSeconds(10)).until(() -> client.waiting() == 3);

            Recording consumer = new Recording(client);
            client.setCallback(consumer);
            assertThat(consumer.payloads).containsExactly("{\"n\": 1}", "{\"n\": 2}", "{\"n\": 3}");
            assertThat(client.waiting()).isZero();

            broker.publish(TOPIC, "{\"n\": 4}");
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.payloads.size() == 4);
            assertThat(consumer.payloads.get(3)).isEqualTo("{\"n\": 4}");
        } finally {
            client.closeQuietly();
        }
        // every message was acknowledged by the consumer (manual acks): the session holds none any more
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.heldMessages("early-1") == 0);
    }

    @Test
    void aClosedClientLeavesNoThreadOfItsOwnBehind() throws Exception {
        PreconnectedClient client = PreconnectedClient.connect(endpoint("threads-1", "agent-secret"));
        assertThat(threadsNamedAfter("threads-1")).as("Paho names its threads after the client id").isNotEmpty();
        client.closeQuietly();
        await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamedAfter("threads-1").isEmpty());
    }

    private static List<String> threadsNamedAfter(String clientId) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.contains(clientId)).toList();
    }

    @Test
    void refusedCredentialsFailTheConnectAndLeaveNoClientBehind() {
        assertThatThrownBy(() -> PreconnectedClient.connect(endpoint("refused-1", "wrong-secret")))
                .isInstanceOf(MqttException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamedAfter("refused-1").isEmpty());
    }

    @Test
    void aBrokerThatAcceptsTheConnectionButNeverAnswersFailsTheConnectAfterTheConnectionTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            PahoMqtt5Endpoint endpoint = context.getEndpoint("paho-mqtt5:" + TOPIC + "?brokerUrl=tcp://127.0.0.1:"
                    + silent.getLocalPort() + "&clientId=silent-1&userName=agent&password=RAW(agent-secret)"
                    + "&connectionTimeout=1&automaticReconnect=false", PahoMqtt5Endpoint.class);
            // without a bound Paho waits for the CONNACK for ever and the subscription thread with it
            CompletableFuture<PreconnectedClient> connect = CompletableFuture.supplyAsync(() -> {
                try {
                    return PreconnectedClient.connect(endpoint);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            assertThatThrownBy(() -> connect.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasRootCauseInstanceOf(MqttException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamedAfter("silent-1").isEmpty());
        }
    }

    /** The consumer's callback: records payloads and acknowledges each, as the route does when it is done. */
    private static final class Recording implements MqttCallback {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        private final MqttClient client;

        Recording(MqttClient client) {
            this.client = client;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            payloads.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            client.messageArrivedComplete(message.getId(), message.getQos());
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
