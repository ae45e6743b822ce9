package org.waldur.agent.system;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.waldur.agent.sandbox.FreePorts;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.WaldurCustomer;
import org.waldur.agent.sandbox.waldur.WaldurOffering;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurProject;
import org.waldur.agent.sandbox.waldur.WaldurResource;
import org.waldur.agent.testing.broker.MosquittoBroker;
import org.waldur.agent.testing.slurm.SlurmLocal;
import org.waldur.agent.waldur.WaldurJson;

/**
 * One site for the fault-injection tests: the packaged jar, real Mosquitto (TLS WebSocket, a dynamic-security
 * user per subscription), the real slurmdbd of slurm-local and the fake Waldur. SLURM programs are reached
 * through a recording pass-through wrapper in {@code slurm_bin_path}: it writes each argv and exit code to
 * {@link #slurmCalls()} and runs the real program from /usr/bin. Account names start with a prefix unique to
 * the test class; they are removed before and after.
 */
final class FaultSite implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(180);
    private static final char SEP = '\u001f';
    private static final List<String> WRAPPED = List.of("sacctmgr", "sacct", "scancel", "sreport", "sinfo");

    final SlurmLocal slurm;
    final MosquittoBroker broker;
    final FakeWaldur waldur;
    final WaldurOffering offering;
    final WaldurProject project;
    final String prefix;
    final Path work;
    final Path config;
    final Path callLog;
    final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String slurmSince;
    private int starts;

    FaultSite(String prefix) throws IOException {
        System.out.println("FAULTS sizes: " + FaultScale.describe());
        this.prefix = prefix;
        slurm = SlurmLocal.get();
        slurm.assumeAvailable();
        slurm.cleanAccounts(prefix);
        // slurmdbd keeps the transactions of earlier runs with the same prefix; count only from here on
        slurmSince = java.time.LocalDateTime.now().withNano(0).toString();
        broker = MosquittoBroker.startNew();
        waldur = FakeWaldur.start();
        waldur.addSubscriptionListener(broker.provisioning(waldur));
        WaldurCustomer customer = waldur.addCustomer("Fault Customer", "cust");
        project = waldur.addProject(customer, "Fault Project", "proj");
        offering = waldur.newOffering(customer).name("HPC").component("cpu", "limit", 60000).component("mem", "limit", 61440).create();
        work = Files.createTempDirectory("agent-faults-" + prefix);
        callLog = work.resolve("slurm-calls.log");
        Path bin = writeWrapper(work.resolve("slurm-bin"), callLog);
        managementPort = FreePorts.onLoopback();
        config = work.resolve("waldur-site-agent-config.yaml");
        Files.writeString(config, OrderSiteConfig.yaml("Fault injection offering", waldur, offering, broker.wssUrl(), prefix, bin.toString()));
    }

    /**
     * Starts the jar with the broker's trust store, a fixed management port and these JVM options (the agent's
     * own retry and reconnect settings unless a test overrides them). Each start logs to its own file.
     */
    AgentProcess start(List<String> jvmOptions) throws IOException {
        List<String> options = new ArrayList<>(List.of(
                "-Dagent.tls.trustStore=" + broker.trustStorePath(),
                "-Dagent.tls.trustStorePassword=" + broker.trustStorePassword(),
                "-Dagent.management.port=" + managementPort,
                "-Dagent.management.host=127.0.0.1"));
        options.addAll(jvmOptions);
        starts++;
        return AgentProcess.start(work, config, slurm.env(), options, "agent-" + starts + ".log");
    }

    /** Starts the agent and waits until it is subscribed, ready, and its start-up reconciliation found nothing to do. */
    AgentProcess startAndAwaitIdle(List<String> jvmOptions) throws IOException {
        AgentProcess agent = start(jvmOptions);
        await("agent subscribed and ready").atMost(WAIT).until(() -> {
            if (!agent.isAlive()) {
                throw new IllegalStateException("agent exited:\n" + agent.log());
            }
            return !waldur.subscriptions().isEmpty() && isReady();
        });
        await("start-up reconciliation").atMost(WAIT).until(() -> agent.log().contains("Reconciliation: 0 pending order(s)"));
        return agent;
    }

    /** {@code GET /observe/health/ready} answers 200: the MQTT consumer is connected and every route is started. */
    boolean isReady() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    WaldurOrder newCreateOrder(String slug) {
        WaldurResource resource = waldur.newResource(offering, project).name("Allocation " + slug).slug(slug)
                .limit("cpu", 1).limit("mem", 1).create();
        return waldur.newOrder(resource).type("Create").state("pending-provider").create();
    }

    /** {@code n} Create orders in {@code pending-provider}, slugs {@code <tag>0000} on; a list the caller may extend. */
    List<WaldurOrder> newCreateOrders(String tag, int n) {
        List<WaldurOrder> orders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            orders.add(newCreateOrder(String.format("%s%04d", tag, i)));
        }
        return orders;
    }

    boolean allFinished(List<WaldurOrder> orders) {
        return orders.stream().allMatch(o -> waldur.order(o.uuid()).isTerminal());
    }

    /** Waits, up to 5 minutes, until every order is done or erred. */
    void awaitAllFinished(List<WaldurOrder> orders) {
        await("every order finished").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> allFinished(orders));
    }

    /** Sleeps for what is left of an outage that began at {@code downNanos} ({@link System#nanoTime}). */
    static void sleepRestOfOutage(Duration outage, long downNanos) throws InterruptedException {
        long left = outage.toMillis() - Duration.ofNanos(System.nanoTime() - downNanos).toMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    String orderTopic() {
        return "subscription/" + waldur.subscriptions().get(0).uuid() + "/offering/" + offering.uuid() + "/order";
    }

    void publishOrder(WaldurOrder order) {
        broker.publish(orderTopic(), "{\"order_uuid\": \"" + order.uuid() + "\", \"order_state\": \"pending-provider\"}", 1);
    }

    long countInState(List<WaldurOrder> orders, String state) {
        return orders.stream().filter(o -> waldur.order(o.uuid()).state().equals(state)).count();
    }

    /** The pending-order listings of reconciliation passes so far (start-up or timer). */
    int reconciliationListings() {
        return (int) waldur.requests("GET", "/api/marketplace-orders/").stream()
                .filter(r -> r.queryParameters().containsKey("state")).count();
    }

    /** Lines of {@code <agent.dataDir>/dead-letter.jsonl}, parsed. */
    List<JsonNode> deadLetters() throws IOException {
        Path file = work.resolve("data/dead-letter.jsonl");
        if (!Files.exists(file)) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(WaldurJson.MAPPER.readTree(line));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ SLURM side

    /** One run of a SLURM program through the wrapper: argv without the program, and its exit code (null if unknown). */
    record SlurmCall(String program, List<String> args, Integer exitCode) {
        boolean isAddAccount() {
            return program.equals("sacctmgr") && positional().size() >= 2
                    && positional().get(0).equals("add") && positional().get(1).equals("account");
        }

        List<String> positional() {
            return args.stream().filter(a -> !a.startsWith("-")).collect(Collectors.toList());
        }

        String accountArgument() {
            return positional().get(2);
        }
    }

    /**
     * Every SLURM program run so far, in start order. A line that is neither a start nor an end record (an
     * argument with a newline in it) makes this throw: no such argument may ever reach a command.
     */
    List<SlurmCall> slurmCalls() throws IOException {
        if (!Files.exists(callLog)) {
            return List.of();
        }
        Map<String, List<String>> started = new HashMap<>();
        Map<String, Integer> ended = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (String line : Files.readAllLines(callLog, StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t", 3);
            if (parts.length == 3 && parts[1].equals("START")) {
                order.add(parts[0]);
                started.put(parts[0], Arrays.asList(parts[2].split(String.valueOf(SEP), -1)));
            } else if (parts.length == 3 && parts[1].equals("END")) {
                ended.put(parts[0], Integer.valueOf(parts[2]));
            } else {
                throw new IllegalStateException("unexpected line in " + callLog + ": " + line);
            }
        }
        List<SlurmCall> calls = new ArrayList<>();
        for (String id : order) {
            List<String> argv = started.get(id);
            String program = Path.of(argv.get(0)).getFileName().toString();
            calls.add(new SlurmCall(program, List.copyOf(argv.subList(1, argv.size())), ended.get(id)));
        }
        return calls;
    }

    /** Successful {@code sacctmgr add account} runs per account name. */
    Map<String, Integer> successfulAccountAdds() throws IOException {
        return accountAdds(rc -> rc != null && rc == 0);
    }

    /**
     * Accounts of {@code sacctmgr add account} runs that did not finish on their own: no exit code recorded, or
     * killed by a signal (128 + n; SIGPIPE when the agent that reads their output was killed).
     */
    Set<String> interruptedAccountAdds() throws IOException {
        return accountAdds(rc -> rc == null || rc >= 128).keySet();
    }

    /** {@code sacctmgr add account} runs per account name, of those whose exit code (null: none recorded) matches. */
    private Map<String, Integer> accountAdds(Predicate<Integer> exitCode) throws IOException {
        Map<String, Integer> adds = new TreeMap<>();
        for (SlurmCall c : slurmCalls()) {
            if (c.isAddAccount() && exitCode.test(c.exitCode())) {
                adds.merge(c.accountArgument(), 1, Integer::sum);
            }
        }
        return adds;
    }

    /** slurmdbd's own record: how often each of this class's accounts was added ({@code sacctmgr list transactions}). */
    Map<String, Integer> addAccountTransactions() {
        Map<String, Integer> adds = new TreeMap<>();
        for (String line : slurm.sacctmgr("list", "transactions", "action=Add Accounts", "format=Where", "start=" + slurmSince)) {
            String n = line.trim();
            if (n.startsWith(prefix)) {
                adds.merge(n, 1, Integer::sum);
            }
        }
        return adds;
    }

    /** Allocation accounts of this class in SLURM (those under the project account), with their parent. */
    Map<String, String> allocationAccounts() {
        Map<String, String> out = new TreeMap<>();
        for (String line : slurm.sacctmgr("show", "assoc", "format=account,parentname,user")) {
            String[] f = line.split("\\|", -1);
            if (f[0].startsWith(prefix) && f[1].equals(prefix + "proj") && f[2].isEmpty()) {
                out.put(f[0], f[1]);
            }
        }
        return out;
    }

    private static Path writeWrapper(Path bin, Path log) throws IOException {
        Files.createDirectories(bin);
        Path script = bin.resolve("record-and-run");
        // One START line (argv joined by 0x1f) before the real program runs, one END line with its exit code
        // after, each written by a single printf so that concurrent runs cannot interleave within a line
        // (O_APPEND). Not exec: the END line needs the wrapper.
        Files.writeString(script, """
                #!/bin/bash
                log=%s
                id="$$-$RANDOM$RANDOM"
                line="$id"$'\\t'START$'\\t'"$0"
                for a in "$@"; do line+=$'\\x1f'"$a"; done
                printf '%%s\\n' "$line" >> "$log"
                /usr/bin/"$(basename "$0")" "$@"
                rc=$?
                printf '%%s\\tEND\\t%%s\\n' "$id" "$rc" >> "$log"
                exit $rc
                """.formatted(log));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String program : WRAPPED) {
            Files.createSymbolicLink(bin.resolve(program), script.getFileName());
        }
        return bin;
    }

    @Override
    public void close() throws Exception {
        try {
            waldur.close();
        } finally {
            try {
                broker.close();
            } finally {
                if (slurm.isAvailable()) {
                    slurm.cleanAccounts(prefix);
                }
            }
        }
    }
}
