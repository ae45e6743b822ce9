package org.waldur.agent.mqtt;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Configuration;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Persistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.persist.MqttDefaultFilePersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The Paho client of one consumer route, connected by the {@link SubscriptionManager} before the route starts.
 *
 * <p>Why not let the consumer connect: camel-paho-mqtt5 connects inside the route's start, which holds the
 * Camel context's lock, so consumers connected one after another; and a Paho 1.2.5 connect takes 0.3–0.6 s
 * whatever the network (its threads are started with 100 ms polling sleeps), so 250 subscriptions took minutes.
 * Connected here, on the subscription threads, they connect side by side, and the route's start only subscribes.
 *
 * <p>Why a subclass: a persistent session's queued messages arrive right after CONNACK, and Paho silently drops
 * a message that arrives while the client has no callback (not acknowledged either, so the broker only sends it
 * again after a reconnect). The stock consumer has that window between its connect and its setCallback; here it
 * would last until the route starts. So this client has a callback from before the connect on: it keeps what
 * arrives early and hands it, in order, to the callback the consumer sets, then relays everything to it.
 */
final class PreconnectedClient extends MqttClient {

    private final Object lock = new Object();
    private final List<Early> early = new ArrayList<>();
    private MqttCallback target;

    private record Early(String topic, MqttMessage message) {
    }

    private PreconnectedClient(String brokerUrl, String clientId, PahoMqtt5Configuration configuration) throws MqttException {
        super(brokerUrl, clientId, persistence(configuration));
        super.setCallback(new Relay());
        setManualAcks(configuration.isManualAcksEnabled());
    }

    /** As camel-paho-mqtt5 chooses it for a client it creates itself. */
    private static MqttClientPersistence persistence(PahoMqtt5Configuration configuration) {
        if (configuration.getPersistence() == PahoMqtt5Persistence.MEMORY) {
            return new MemoryPersistence();
        }
        return configuration.getFilePersistenceDirectory() != null
                ? new MqttDefaultFilePersistence(configuration.getFilePersistenceDirectory())
                : new MqttDefaultFilePersistence();
    }

    /** Creates the client of {@code endpoint} and connects it with the options the endpoint's consumer would use. */
    static PreconnectedClient connect(PahoMqtt5Endpoint endpoint) throws Exception {
        PahoMqtt5Configuration configuration = endpoint.getConfiguration();
        PreconnectedClient client = new PreconnectedClient(configuration.getBrokerUrl(), configuration.getClientId(), configuration);
        try {
            MqttConnectionOptions options = connectionOptions(endpoint);
            // Paho bounds only the TCP and TLS handshakes by the connection timeout and waits for the CONNACK for
            // ever: a broker (or a proxy before it) that accepts and never answers held a subscription thread and
            // left its consumer down for good. Bounded, the connect fails and subscribe() retries with backoff.
            // The same bound then applies to the consumer's SUBSCRIBE, for the same reason.
            if (options.getConnectionTimeout() > 0) {
                client.setTimeToWait(TimeUnit.SECONDS.toMillis(options.getConnectionTimeout()));
            }
            client.connect(options);
            return client;
        } catch (Exception e) {
            client.closeQuietly();
            throw e;
        }
    }

    /**
     * The endpoint's own options (credentials, session, keep-alive, reconnect, socket factory, …) from its
     * protected factory method, so they cannot drift from what the route's YAML configures.
     */
    private static MqttConnectionOptions connectionOptions(PahoMqtt5Endpoint endpoint) throws Exception {
        Method factory;
        try {
            factory = PahoMqtt5Endpoint.class.getDeclaredMethod("createMqttConnectionOptions");
            factory.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("camel-paho-mqtt5 has no createMqttConnectionOptions() any more: " + e, e);
        }
        try {
            return (MqttConnectionOptions) factory.invoke(endpoint);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The consumer's callback (or the shutdown's) takes over, after the messages that arrived before it. */
    @Override
    public void setCallback(MqttCallback callback) {
        synchronized (lock) {
            target = callback;
            if (callback == null) {
                return;
            }
            List<Early> waiting = List.copyOf(early);
            early.clear();
            for (Early e : waiting) {
                deliver(callback, e.topic(), e.message());
            }
        }
    }

    /** Messages that arrived before any callback was set and wait for one. */
    int waiting() {
        synchronized (lock) {
            return early.size();
        }
    }

    /** Disconnects (the broker keeps the session) and releases the client's threads; errors are irrelevant here. */
    void closeQuietly() {
        try {
            if (isConnected()) {
                disconnect();
            } else {
                // a connect that timed out is still in progress, and close() refuses such a client
                disconnectForcibly(0, 0, false);
            }
        } catch (Exception ignored) {
            // already gone
        }
        try {
            close(true);
        } catch (Exception ignored) {
            // a client that cannot close is dropped either way
        }
    }

    private static void deliver(MqttCallback callback, String topic, MqttMessage message) {
        try {
            callback.messageArrived(topic, message);
        } catch (Exception e) {
            // as for Paho's own callback thread: the consumer reports its failures itself
            callback.mqttErrorOccurred(new MqttException(e));
        }
    }

    private final class Relay implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            synchronized (lock) {
                if (target == null) {
                    early.add(new Early(topic, message));
                    return;
                }
                target.messageArrived(topic, message);
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            MqttCallback t = current();
            if (t != null) {
                t.disconnected(response);
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            MqttCallback t = current();
            if (t != null) {
                t.mqttErrorOccurred(exception);
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            MqttCallback t = current();
            if (t != null) {
                t.deliveryComplete(token);
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            MqttCallback t = current();
            if (t != null) {
                t.connectComplete(reconnect, serverUri);
            }
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            MqttCallback t = current();
            if (t != null) {
                t.authPacketArrived(reasonCode, properties);
            }
        }

        private MqttCallback current() {
            synchronized (lock) {
                return target;
            }
        }
    }
}
