package org.waldur.agent.testing.broker;

import org.waldur.agent.sandbox.FreePorts;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.SubscriptionListener;
import org.waldur.agent.sandbox.waldur.WaldurSubscription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A real Debian Mosquitto 2.0 broker for system tests, run as a child process on free loopback ports.
 *
 * <p>Listeners: plain MQTT over TCP (used by the built-in admin and publisher clients), {@code ws://}
 * and {@code wss://} websockets. Authentication and authorisation come from Mosquitto's
 * dynamic-security plugin, changed at run time through its {@code $CONTROL/dynamic-security/v1}
 * topic, so subscribers can be added and removed while a test runs.
 *
 * <p>Debian's Mosquitto 2.0.11 quirks this class works around (camel-stack.md §5): a websockets-only
 * configuration refuses to start (the TCP listener is also needed for that reason); without
 * {@code socket_domain ipv4} a websockets listener binds to all interfaces; started as root it drops
 * privileges to user {@code mosquitto}, which must be able to read the certificates and write the
 * dynsec and persistence files. The websocket path is not enforced by this broker.
 */
public final class MosquittoBroker implements AutoCloseable {

    public static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final Path STDBUF = Path.of("/usr/bin/stdbuf");
    public static final Path MOSQUITTO_CTRL = Path.of("/usr/bin/mosquitto_ctrl");
    public static final Path DYNSEC_PLUGIN = Path.of("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so");
    public static final String WS_PATH = "/rmqws";
    public static final String PUBLISHER_USERNAME = "waldur-publisher";
    /** What Waldur publishes under; the built-in publisher may write here and nowhere else. */
    public static final String PUBLISH_TOPIC_FILTER = "subscription/#";

    private static final String ADMIN_USERNAME = "dynsec-admin";
    private static final String PUBLISHER_ROLE = "waldur-publisher";
    private static final String CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
    private static final String CONTROL_RESPONSE_TOPIC = CONTROL_TOPIC + "/response";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);
    /** Paho's reason code for "Too many publishes in progress" (MqttClientException.REASON_CODE_MAX_INFLIGHT). */
    private static final int PAHO_MAX_INFLIGHT = 32202;
    private static final int PORT_ATTEMPTS = 3;
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path stateDir;
    private final Path logFile;
    private final Path confFile;
    private final Path dynsecFile;
    private final Path trustStore;
    private final String adminPassword = randomSecret();
    private final String publisherPassword = randomSecret();
    private final String trustStorePassword = randomSecret();
    private final Map<String, CompletableFuture<JsonNode>> pendingControl = new ConcurrentHashMap<>();
    private final AtomicInteger correlation = new AtomicInteger();
    private final Thread shutdownHook;
    private final int id = INSTANCES.incrementAndGet();

    private int tcpPort;
    private int wsPort;
    private int wssPort;
    private boolean everStarted;
    private Process process;
    private MqttAsyncClient admin;
    private MqttAsyncClient publisher;
    private long lastStartMillis;

    /** Creates the broker (certificates, truststore, dynsec file) without starting it; logs go to {@code target/mosquitto}. */
    public MosquittoBroker() {
        this(Path.of(System.getProperty("user.dir"), "target", "mosquitto"));
    }

    /** @param logRoot folder under which a per-broker folder holding {@code mosquitto.log} is created */
    public MosquittoBroker(Path logRoot) {
        requireExecutable(MOSQUITTO, "apt-get install mosquitto");
        requireExecutable(MOSQUITTO_CTRL, "apt-get install mosquitto-clients");
        if (!Files.isReadable(DYNSEC_PLUGIN)) {
            throw new IllegalStateException(DYNSEC_PLUGIN + " is missing (it ships with the mosquitto package)");
        }
        try {
            String name = "broker-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + "-" + id;
            Path logDir = Files.createDirectories(logRoot.resolve(name));
            logFile = logDir.resolve("mosquitto.log");
            // Not under target/: after the privilege drop the broker must reach these files, and a
            // checkout below a 0700 home directory (e.g. /root) would not be traversable for it.
            stateDir = Files.createTempDirectory("waldur-mosquitto-");
            confFile = stateDir.resolve("mosquitto.conf");
            dynsecFile = stateDir.resolve("dynamic-security.json");
            trustStore = logDir.resolve("truststore.p12");
            createCertificates();
            initDynsec();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        shutdownHook = new Thread(this::killQuietly, "mosquitto-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Creates and starts a broker in one call. */
    public static MosquittoBroker startNew() {
        MosquittoBroker broker = new MosquittoBroker();
        try {
            broker.start();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Starts the broker and waits until the admin client is connected and every listener accepts
     * connections. After {@link #stop()} it restarts on the same ports with the same users, so
     * clients with automatic reconnect find it again.
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        long t0 = System.nanoTime();
        int attempts = everStarted ? 1 : PORT_ATTEMPTS;
        for (int attempt = 1; ; attempt++) {
            if (!everStarted) {
                pickPorts();
            }
            writeConfig();
            try {
                launchAndAwaitReady();
                break;
            } catch (PortInUseException e) {
                // A free port can be taken between probing and binding; only a first start may move.
                if (attempt >= attempts) {
                    throw new IllegalStateException(e.getMessage() + logTail(), e);
                }
            }
        }
        if (!everStarted) {
            setUpPublisherRole();
            everStarted = true;
        }
        publisher = connectPublisher();
        lastStartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Stops the broker process (SIGTERM, so it saves sessions and dynsec state); ports are kept for {@link #start()}. */
    public synchronized void stop() {
        closeClient(publisher);
        publisher = null;
        closeClient(admin);
        admin = null;
        pendingControl.values().forEach(f -> f.completeExceptionally(new IllegalStateException("broker stopped")));
        pendingControl.clear();
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Stops the broker and deletes its state folder; the log under target/ is kept. */
    @Override
    public synchronized void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down; the hook will run anyway
        }
        deleteRecursively(stateDir);
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Wall time of the last {@link #start()}, readiness included. */
    public long lastStartMillis() {
        return lastStartMillis;
    }

    // ------------------------------------------------------------------ users

    /**
     * Creates a client that may subscribe to and receive only topics matching {@code readTopicFilter},
     * and publish nothing. Waldur's usernames look like {@code <user_uuid_hex>:<subscription_uuid_hex>}.
     *
     * @throws IllegalStateException if dynsec refuses (for example, the client already exists)
     */
    public void addSubscriber(String username, String password, String readTopicFilter) {
        String role = subscriberRole(username);
        control(List.of(
                Map.of("command", "createRole", "rolename", role,
                        "acls", List.of(
                                acl("subscribePattern", readTopicFilter),
                                acl("unsubscribePattern", readTopicFilter),
                                acl("publishClientReceive", readTopicFilter))),
                Map.of("command", "createClient", "username", username, "password", password,
                        "roles", List.of(Map.of("rolename", role)))));
    }

    /**
     * Deletes a client and its role, as when Waldur deletes the subscription. A connected session of
     * that user is kicked at once: MQTT 5 clients get DISCONNECT with reason 0x98 "administrative
     * action" (Paho: {@code disconnected()} with return code 152), then the socket is closed. Its
     * next connect is refused with CONNACK 0x87 "not authorized" (Mosquitto 2.0.11 uses 0x87, not
     * 0x86, for unknown users and bad passwords), so automatic reconnect keeps failing.
     */
    /**
     * Keeps the broker's dynamic-security clients in step with the fake Waldur's event subscriptions, as Waldur
     * provisions RabbitMQ: client {@code <user_uuid>:<subscription_uuid>}, password the API token, reading only
     * {@code subscription/<subscription_uuid>/#}.
     */
    public SubscriptionListener provisioning(FakeWaldur waldur) {
        return new SubscriptionListener() {
            @Override
            public void created(WaldurSubscription s) {
                addSubscriber(s.brokerUsername(), waldur.token(), "subscription/" + s.uuid() + "/#");
            }

            @Override
            public void deleted(WaldurSubscription s) {
                removeClient(s.brokerUsername());
            }
        };
    }

    public void removeClient(String username) {
        control(List.of(Map.of("command", "deleteClient", "username", username)));
        // A client that was never given a role by addSubscriber has none to delete.
        controlIgnoring("Role not found", List.of(Map.of("command", "deleteRole", "rolename", subscriberRole(username))));
    }

    /**
     * Publishes as the built-in publisher over the TCP listener and waits for the broker's acknowledgement (QoS > 0).
     *
     * <p>Paho counts a QoS 1 publish as in flight a moment after its token completed with the PUBACK, so back-to-back
     * publishes sometimes meet its in-flight window ("Too many publishes in progress"). Paho refuses those before
     * sending anything, so they are retried for up to {@code CONTROL_TIMEOUT}; nothing is lost or sent twice.
     */
    public void publish(String topic, byte[] payload, int qos) {
        MqttAsyncClient client;
        synchronized (this) {
            client = publisher;
        }
        if (client == null) {
            throw new IllegalStateException("broker is not running");
        }
        try {
            IMqttToken token = publishWithinWindow(client, topic, payload, qos);
            token.waitForCompletion(CONTROL_TIMEOUT.toMillis());
            int[] codes = token.getReasonCodes();
            // 0x10 "no matching subscribers" is a success; 0x80+ is a refusal such as not authorised.
            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                throw new IllegalStateException("broker refused PUBLISH to " + topic + ": reason code 0x"
                        + Integer.toHexString(codes[0]));
            }
        } catch (MqttException e) {
            throw new IllegalStateException("PUBLISH to " + topic + " failed: " + e, e);
        }
    }

    private static IMqttToken publishWithinWindow(MqttAsyncClient client, String topic, byte[] payload, int qos) throws MqttException {
        long deadline = System.nanoTime() + CONTROL_TIMEOUT.toNanos();
        while (true) {
            try {
                return client.publish(topic, payload, qos, false);
            } catch (MqttException e) {
                if (e.getReasonCode() != PAHO_MAX_INFLIGHT || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing to " + topic, e);
            }
        }
    }

    public void publish(String topic, String payload, int qos) {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos);
    }

    // ------------------------------------------------------------------ endpoints

    public String tcpUrl() {
        return "tcp://127.0.0.1:" + tcpPort;
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + wsPort + WS_PATH;
    }

    public String wssUrl() {
        return "wss://127.0.0.1:" + wssPort + WS_PATH;
    }

    public int tcpPort() {
        return tcpPort;
    }

    public int wsPort() {
        return wsPort;
    }

    public int wssPort() {
        return wssPort;
    }

    /** PKCS12 truststore holding only the test CA that signed the wss listener's certificate. */
    public Path trustStorePath() {
        return trustStore;
    }

    public String trustStorePassword() {
        return trustStorePassword;
    }

    /** A socket factory that trusts only the test CA, for Paho's {@code setSocketFactory}. */
    public SSLSocketFactory sslSocketFactory() {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, trustStorePassword.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot load " + trustStore, e);
        }
    }

    /** The same trust as {@link #sslSocketFactory()} as Paho {@code com.ibm.ssl.*} properties (camel's {@code sslClientProps}). */
    public Properties pahoSslClientProps() {
        Properties p = new Properties();
        p.setProperty("com.ibm.ssl.trustStore", trustStore.toString());
        p.setProperty("com.ibm.ssl.trustStorePassword", trustStorePassword);
        p.setProperty("com.ibm.ssl.trustStoreType", "PKCS12");
        return p;
    }

    public Path logFile() {
        return logFile;
    }

    // ------------------------------------------------------------------ start internals

    private void pickPorts() {
        try {
            tcpPort = FreePorts.onLoopback();
            wsPort = FreePorts.onLoopback();
            wssPort = FreePorts.onLoopback();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeConfig() {
        String conf = String.join("\n",
                "# generated by " + MosquittoBroker.class.getName(),
                "per_listener_settings false",
                "allow_anonymous false",
                "plugin " + DYNSEC_PLUGIN,
                "plugin_opt_config_file " + dynsecFile,
                // Persisted sessions make stop()/start() behave like a real broker restart.
                "persistence true",
                "persistence_location " + stateDir + "/",
                // Mosquitto's default (1000) drops QoS 1 messages beyond that many queued for one client,
                // with only a log line ("Outgoing messages are being dropped"): a burst of 10,000 messages
                // to an agent that acknowledges each one after processing it would lose most of them.
                // Waldur's RabbitMQ queues have no such small limit.
                "max_queued_messages 1000000",
                "log_dest stdout",
                "log_type all",
                "connection_messages true",
                "log_timestamp_format %Y-%m-%dT%H:%M:%S",
                "set_tcp_nodelay true",
                "listener " + tcpPort + " 127.0.0.1",
                "listener " + wsPort + " 127.0.0.1",
                "protocol websockets",
                "socket_domain ipv4",
                "listener " + wssPort + " 127.0.0.1",
                "protocol websockets",
                "socket_domain ipv4",
                "certfile " + stateDir.resolve("server.crt"),
                "keyfile " + stateDir.resolve("server.key"),
                "");
        try {
            Files.writeString(confFile, conf);
            handOverToBrokerUser();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launchAndAwaitReady() {
        long logOffset = sizeOf(logFile);
        try {
            List<String> command = new ArrayList<>();
            // Redirected to a file, mosquitto's stdout is block-buffered: without stdbuf the log
            // shows nothing until exit, and readiness (the "running" line) could not be seen.
            if (Files.isExecutable(STDBUF)) {
                command.addAll(List.of(STDBUF.toString(), "-oL", "-eL"));
            }
            command.addAll(List.of(MOSQUITTO.toString(), "-c", confFile.toString()));
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + MOSQUITTO, e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            String newLog = readFrom(logFile, logOffset);
            if (!process.isAlive()) {
                process = null;
                if (newLog.contains("Address already in use")) {
                    throw new PortInUseException("mosquitto could not bind its ports " + ports());
                }
                throw new IllegalStateException("mosquitto exited during start" + logTail());
            }
            // Until the broker logs that it runs, a connection could reach whoever else holds
            // the port (a listener that accepts and never answers would stall the probe).
            if (newLog.contains(" running")) {
                try {
                    if (admin == null) {
                        admin = connectAdmin();
                    }
                    probeListener(wsPort);
                    probeListener(wssPort);
                    return;
                } catch (Exception e) {
                    last = e;
                }
            }
            pause(Duration.ofMillis(20));
        }
        stop();
        throw new IllegalStateException("mosquitto not ready after " + START_TIMEOUT.toSeconds() + " s (last error: "
                + last + ")" + logTail());
    }

    private static void probeListener(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        }
    }

    private MqttAsyncClient connectAdmin() throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(tcpUrl(), "dynsec-admin-" + id, new MemoryPersistence());
        client.setCallback(new Callback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                onControlResponse(message.getPayload());
            }
        });
        try {
            client.connect(options(ADMIN_USERNAME, adminPassword)).waitForCompletion(CONTROL_TIMEOUT.toMillis());
            client.subscribe(CONTROL_RESPONSE_TOPIC, 1).waitForCompletion(CONTROL_TIMEOUT.toMillis());
            return client;
        } catch (MqttException e) {
            closeClient(client);
            throw e;
        }
    }

    private MqttAsyncClient connectPublisher() {
        try {
            MqttAsyncClient client = new MqttAsyncClient(tcpUrl(), PUBLISHER_USERNAME + "-" + id,
                    new MemoryPersistence());
            client.setCallback(new Callback());
            client.connect(options(PUBLISHER_USERNAME, publisherPassword)).waitForCompletion(CONTROL_TIMEOUT.toMillis());
            return client;
        } catch (MqttException e) {
            throw new IllegalStateException("publisher cannot connect: " + e + logTail(), e);
        }
    }

    private static MqttConnectionOptions options(String user, String password) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setCleanStart(true);
        o.setConnectionTimeout(5);
        o.setAutomaticReconnect(false);
        return o;
    }

    private void setUpPublisherRole() {
        control(List.of(
                // Receiving needs an explicit ACL; a role without one gets nothing delivered.
                Map.of("command", "setDefaultACLAccess", "acls", List.of(
                        Map.of("acltype", "publishClientReceive", "allow", false))),
                Map.of("command", "createRole", "rolename", PUBLISHER_ROLE,
                        "acls", List.of(acl("publishClientSend", PUBLISH_TOPIC_FILTER))),
                Map.of("command", "createClient", "username", PUBLISHER_USERNAME, "password", publisherPassword,
                        "roles", List.of(Map.of("rolename", PUBLISHER_ROLE)))));
    }

    // ------------------------------------------------------------------ dynsec control API

    /*
     * The $CONTROL topic is what mosquitto_ctrl itself talks to. It is used directly because
     * mosquitto_ctrl 2.0.11 exits with 0 even when a command fails ("Client already exists"),
     * and one round trip per batch avoids a process per command.
     */
    private void control(List<Map<String, Object>> commands) {
        List<String> errors = controlErrors(commands);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("dynsec refused: " + String.join("; ", errors));
        }
    }

    private void controlIgnoring(String tolerated, List<Map<String, Object>> commands) {
        List<String> errors = controlErrors(commands);
        errors.removeIf(e -> e.endsWith(": " + tolerated));
        if (!errors.isEmpty()) {
            throw new IllegalStateException("dynsec refused: " + String.join("; ", errors));
        }
    }

    private List<String> controlErrors(List<Map<String, Object>> commands) {
        MqttAsyncClient client;
        synchronized (this) {
            client = admin;
        }
        if (client == null) {
            throw new IllegalStateException("broker is not running");
        }
        List<Map<String, Object>> tagged = new ArrayList<>();
        List<CompletableFuture<JsonNode>> futures = new ArrayList<>();
        for (Map<String, Object> command : commands) {
            String id = "c" + correlation.incrementAndGet();
            Map<String, Object> copy = new LinkedHashMap<>(command);
            copy.put("correlationData", id);
            tagged.add(copy);
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pendingControl.put(id, f);
            futures.add(f);
        }
        try {
            byte[] body = JSON.writeValueAsBytes(Map.of("commands", tagged));
            client.publish(CONTROL_TOPIC, body, 1, false).waitForCompletion(CONTROL_TIMEOUT.toMillis());
            List<String> errors = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                JsonNode response = futures.get(i).get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (response.hasNonNull("error")) {
                    errors.add(commands.get(i).get("command") + ": " + response.get("error").asText());
                }
            }
            return errors;
        } catch (IOException | MqttException e) {
            throw new IllegalStateException("dynsec command failed: " + e, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("no dynsec response within " + CONTROL_TIMEOUT + ": " + e + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            tagged.forEach(c -> pendingControl.remove((String) c.get("correlationData")));
        }
    }

    private void onControlResponse(byte[] payload) {
        try {
            for (JsonNode r : JSON.readTree(payload).path("responses")) {
                CompletableFuture<JsonNode> f = pendingControl.get(r.path("correlationData").asText());
                if (f != null) {
                    f.complete(r);
                }
            }
        } catch (IOException e) {
            pendingControl.values().forEach(f -> f.completeExceptionally(e));
        }
    }

    private static Map<String, Object> acl(String type, String topic) {
        return Map.of("acltype", type, "topic", topic, "allow", true);
    }

    private static String subscriberRole(String username) {
        return "subscriber:" + username;
    }

    // ------------------------------------------------------------------ files

    private void createCertificates() throws IOException {
        Path caKey = stateDir.resolve("ca.key");
        Path caCrt = stateDir.resolve("ca.crt");
        Path key = stateDir.resolve("server.key");
        Path csr = stateDir.resolve("server.csr");
        Path crt = stateDir.resolve("server.crt");
        Path caCnf = stateDir.resolve("ca.cnf");
        Path ext = stateDir.resolve("server.ext");
        // Own config files, so the result does not depend on the system openssl.cnf defaults.
        Files.writeString(caCnf, String.join("\n",
                "[req]", "distinguished_name = dn", "prompt = no", "x509_extensions = v3_ca",
                "[dn]", "CN = waldur-agent system-test CA",
                "[v3_ca]", "basicConstraints = critical,CA:TRUE", "keyUsage = critical,keyCertSign,cRLSign",
                "subjectKeyIdentifier = hash", ""));
        Files.writeString(ext, String.join("\n",
                "basicConstraints = CA:FALSE", "keyUsage = critical,digitalSignature",
                "extendedKeyUsage = serverAuth", "subjectAltName = IP:127.0.0.1,DNS:localhost",
                "authorityKeyIdentifier = keyid", ""));
        // P-256 keys: generated in milliseconds, where RSA-2048 takes a few hundred.
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-sha256", "-days", "30",
                "-config", caCnf.toString(), "-keyout", caKey.toString(), "-out", caCrt.toString());
        run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-sha256", "-subj", "/CN=localhost",
                "-keyout", key.toString(), "-out", csr.toString());
        run("openssl", "x509", "-req", "-sha256", "-days", "30", "-in", csr.toString(), "-CA", caCrt.toString(),
                "-CAkey", caKey.toString(), "-set_serial", "0x" + HexFormat.of().formatHex(randomBytes(8)),
                "-extfile", ext.toString(), "-out", crt.toString());
        Files.delete(caKey);
        try (InputStream in = Files.newInputStream(caCrt); OutputStream out = Files.newOutputStream(trustStore)) {
            Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("waldur-test-ca", ca);
            ks.store(out, trustStorePassword.toCharArray());
        } catch (Exception e) {
            throw new IOException("cannot write truststore " + trustStore, e);
        }
    }

    private void initDynsec() throws IOException {
        // mosquitto_ctrl writes the admin's salted PBKDF2 hash in the format the plugin expects.
        runWithSecret(adminPassword, MOSQUITTO_CTRL.toString(), "dynsec", "init", dynsecFile.toString(), ADMIN_USERNAME,
                adminPassword);
    }

    /** After dropping root the broker runs as {@code mosquitto}; it must read the key and rewrite dynsec/persistence files. */
    private void handOverToBrokerUser() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        UserPrincipal user = stateDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("mosquitto");
        try (Stream<Path> files = Files.walk(stateDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.setOwner(p, user);
            }
        }
        Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwx------"));
    }

    private static void run(String... command) throws IOException {
        runWithSecret(null, command);
    }

    private static void runWithSecret(String secret, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                String shown = String.join(" ", command);
                throw new IOException((secret == null ? shown : shown.replace(secret, "***")) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return "\n--- tail of " + logFile + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "\n(no broker log at " + logFile + ")";
        }
    }

    private static String readFrom(Path file, long offset) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            if (length <= offset) {
                return "";
            }
            byte[] b = new byte[(int) (length - offset)];
            f.seek(offset);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover folder in /tmp is harmless
        }
    }

    // ------------------------------------------------------------------ misc

    private String ports() {
        return "tcp=" + tcpPort + " ws=" + wsPort + " wss=" + wssPort;
    }

    private void killQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private static void closeClient(MqttAsyncClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(2000);
            }
        } catch (MqttException ignored) {
            // the broker may already be gone
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // nothing left to release
        }
    }

    private static void requireExecutable(Path path, String hint) {
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(path + " is missing (" + hint + ")");
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String randomSecret() {
        return HexFormat.of().formatHex(randomBytes(16));
    }

    private static final class PortInUseException extends RuntimeException {
        PortInUseException(String message) {
            super(message);
        }
    }

    /** Paho needs every callback; the built-in clients only care about a few. */
    private static class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
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
    }
}
