package org.waldur.agent.sandbox.broker;

import org.waldur.agent.sandbox.FreePorts;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.SubscriptionListener;
import org.waldur.agent.sandbox.waldur.WaldurSubscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.config.impl.SecurityConfiguration;
import org.apache.activemq.artemis.core.postoffice.impl.LocalQueueBinding;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQJAASSecurityManager;
import org.apache.activemq.artemis.spi.core.security.jaas.InVMLoginModule;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * An MQTT 5 broker for route tests: ActiveMQ Artemis embedded, with a WebSocket listener and a TLS
 * WebSocket listener (self-signed certificate made at start), username/password authentication and
 * per-subscription read ACLs, like Waldur's RabbitMQ provides them. Users can be added and removed
 * while it runs (the fake Waldur does that when subscriptions are created or deleted).
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

    public static final String PUBLISHER = "publisher";
    public static final String PUBLISHER_PASSWORD = "publisher-secret";
    private static final String STORE_PASSWORD = "changeit";

    private final Path dir;
    private final int wsPort;
    private final int wssPort;
    private final SecurityConfiguration users = new SecurityConfiguration();
    private final List<String[]> acls = new ArrayList<>();
    private EmbeddedActiveMQ server;
    private MqttClient publisher;

    public EmbeddedMqttBroker() throws Exception {
        dir = Files.createTempDirectory("artemis-mqtt");
        wsPort = FreePorts.onLoopback();
        wssPort = FreePorts.onLoopback();
        makeCertificates();
        users.addUser(PUBLISHER, PUBLISHER_PASSWORD);
        users.addRole(PUBLISHER, "publisher");
    }

    /** Starts (or restarts on the same ports) the broker. */
    public synchronized EmbeddedMqttBroker start() throws Exception {
        ConfigurationImpl cfg = new ConfigurationImpl();
        cfg.setPersistenceEnabled(false);
        cfg.setSecurityEnabled(true);
        cfg.setJMXManagementEnabled(false);
        // removals must take effect at once, as a deleted RabbitMQ user does
        cfg.setAuthenticationCacheSize(0);
        cfg.setAuthorizationCacheSize(0);
        cfg.setSecurityInvalidationInterval(0);
        cfg.addAcceptorConfiguration("mqtt-ws", "tcp://127.0.0.1:" + wsPort + "?protocols=MQTT");
        cfg.addAcceptorConfiguration("mqtt-wss", "tcp://127.0.0.1:" + wssPort + "?protocols=MQTT;sslEnabled=true;keyStorePath="
                + dir.resolve("broker.p12") + ";keyStorePassword=" + STORE_PASSWORD + ";keyStoreType=PKCS12");
        Role publisherRole = new Role("publisher", true, false, false, false, false, false, false, false, true, false);
        cfg.putSecurityRoles("subscription.#", Set.of(publisherRole));
        for (String[] acl : acls) {
            cfg.putSecurityRoles(acl[0], Set.of(publisherRole, readerRole(acl[1])));
        }
        server = new EmbeddedActiveMQ().setConfiguration(cfg)
                .setSecurityManager(new ActiveMQJAASSecurityManager(InVMLoginModule.class.getName(), users));
        server.start();
        // a listener Artemis cannot bind fails its activation, yet start() returns and only a log line tells;
        // a test would then wait in vain for the agent to connect
        if (!server.getActiveMQServer().isActive()) {
            server.stop();
            server = null;
            throw new IllegalStateException("the embedded MQTT broker could not start: are 127.0.0.1 ports "
                    + wsPort + " and " + wssPort + " taken by another process? (its log has the cause)");
        }
        return this;
    }

    public synchronized void stop() throws Exception {
        if (publisher != null) {
            try {
                publisher.disconnectForcibly(100, 100);
                publisher.close(true);
            } catch (Exception ignored) {
                // the broker is going away anyway
            }
            publisher = null;
        }
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + wsPort + "/rmqws";
    }

    public String wssUrl() {
        return "wss://127.0.0.1:" + wssPort + "/rmqws";
    }

    public Path trustStore() {
        return dir.resolve("trust.p12");
    }

    public String trustStorePassword() {
        return STORE_PASSWORD;
    }

    /** A subscriber that may only receive under {@code subscription/<subscriptionUuid>/}, as Waldur's per-subscription vhost user. */
    public synchronized void addSubscriber(String username, String password, String subscriptionUuid) {
        String role = "reader-" + subscriptionUuid;
        users.addUser(username, password);
        users.addRole(username, role);
        String match = "subscription." + subscriptionUuid + ".#";
        acls.add(new String[] {match, role});
        if (server != null) {
            Role publisherRole = new Role("publisher", true, false, false, false, false, false, false, false, true, false);
            server.getActiveMQServer().getSecurityRepository().addMatch(match, Set.of(publisherRole, readerRole(role)));
        }
    }

    /** Waldur deleted the subscription: the user is gone and its live connections are dropped. */
    public synchronized void removeUser(String username) {
        users.removeUser(username);
        if (server != null) {
            for (ServerSession session : new ArrayList<>(server.getActiveMQServer().getSessions())) {
                if (username.equals(session.getUsername())) {
                    session.getRemotingConnection().fail(new org.apache.activemq.artemis.api.core.ActiveMQSecurityException("user removed"));
                }
            }
        }
    }

    /**
     * Messages the broker holds in a client's subscriptions (its persistent session): queued, or delivered
     * and not yet acknowledged.
     */
    public synchronized long heldMessages(String clientId) {
        if (server == null) {
            throw new IllegalStateException("broker not running");
        }
        return server.getActiveMQServer().getPostOffice().getAllBindings()
                .filter(b -> b instanceof LocalQueueBinding q && q.getQueue().getName().toString().startsWith(clientId + "."))
                .mapToLong(b -> ((LocalQueueBinding) b).getQueue().getMessageCount())
                .sum();
    }

    /** Whether a client with this MQTT client id is connected now. */
    public synchronized boolean isConnected(String clientId) {
        if (server == null) {
            throw new IllegalStateException("broker not running");
        }
        return server.getActiveMQServer().getRemotingService().getConnections().stream()
                .anyMatch(c -> clientId.equals(c.getClientID()));
    }

    /**
     * Keeps this broker's users in step with the simulator's event subscriptions, as Waldur provisions RabbitMQ:
     * user {@code <user_uuid>:<subscription_uuid>}, password the API token, reading only its subscription's topics.
     */
    public SubscriptionListener provisioning(FakeWaldur waldur) {
        return new SubscriptionListener() {
            @Override
            public void created(WaldurSubscription s) {
                addSubscriber(s.brokerUsername(), waldur.token(), s.uuid());
            }

            @Override
            public void deleted(WaldurSubscription s) {
                removeUser(s.brokerUsername());
            }
        };
    }

    public synchronized void publish(String topic, String payload) throws Exception {
        if (publisher == null || !publisher.isConnected()) {
            publisher = new MqttClient(wsUrl(), "test-publisher-" + UUID.randomUUID(), new MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName(PUBLISHER);
            options.setPassword(PUBLISHER_PASSWORD.getBytes(StandardCharsets.UTF_8));
            options.setCleanStart(true);
            publisher.connect(options);
        }
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        publisher.publish(topic, message);
    }

    private static Role readerRole(String name) {
        // Role(name, send, consume, createDurableQueue, deleteDurableQueue, createNonDurableQueue, deleteNonDurableQueue,
        //      manage, browse, createAddress, deleteAddress)
        return new Role(name, false, true, true, true, true, true, false, true, true, false);
    }

    private void makeCertificates() throws IOException, InterruptedException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", dir.resolve("broker.p12").toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        run(keytool, "-exportcert", "-alias", "broker", "-keystore", dir.resolve("broker.p12").toString(),
                "-storepass", STORE_PASSWORD, "-file", dir.resolve("broker.crt").toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "broker-ca", "-file", dir.resolve("broker.crt").toString(),
                "-keystore", trustStore().toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
