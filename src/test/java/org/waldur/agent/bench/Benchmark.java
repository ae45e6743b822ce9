package org.waldur.agent.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.waldur.agent.sandbox.FreePorts;
import org.waldur.agent.sandbox.slurm.FakeSlurm;
import org.waldur.agent.sandbox.waldur.BenchContracts;
import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.OpenApiContract;
import org.waldur.agent.sandbox.waldur.RecordedRequest;
import org.waldur.agent.sandbox.waldur.WaldurCustomer;
import org.waldur.agent.sandbox.waldur.WaldurOffering;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurProject;
import org.waldur.agent.sandbox.waldur.WaldurResource;
import org.waldur.agent.sandbox.waldur.WaldurSubscription;
import org.waldur.agent.sandbox.waldur.WaldurTeamMember;
import org.waldur.agent.testing.broker.MosquittoBroker;
import org.waldur.agent.testing.slurm.SlurmLocal;

/**
 * The benchmark of issue 5 (run by {@code bench/run.sh}; not a test). The packaged agent jar runs as a separate
 * process against real Mosquitto (TLS WebSocket, dynamic-security users) and the fake Waldur in this process;
 * SLURM is a stub program (C, compiled by run.sh), the recording fake, or the real local slurmdbd. Every figure
 * is measured next to its floor on the same machine in the same run, then written to {@code bench/results.md}
 * and {@code bench/latency.png}.
 *
 * <p>System properties: {@code bench.out} (folder, default {@code bench}), {@code bench.stub} (the compiled stub),
 * {@code bench.latency} (sequential orders, 500), {@code bench.warmup} (50), {@code bench.burst} (orders in the
 * throughput burst, 2000), {@code bench.burst50} (burst over 50 offerings, 1000), {@code bench.slurm} (orders on
 * the real slurmdbd, 50; 0 skips), {@code bench.agentJvmOpts} (JVM options of the agent under test, space separated;
 * default: the image's, see {@link #imageJvmOptions}), {@code bench.cds} (false: the image's options without the archive),
 * {@code bench.label} (free text for the results file), {@code bench.compareWith} (earlier results files whose summary
 * is appended), {@code bench.oneOnly} / {@code bench.fiftyOnly} / {@code bench.realOnly} (only the one-offering agent /
 * only the 50-offering agent / only the real slurmdbd part, printed, no results file), {@code bench.starts} (starts of
 * the one-offering agent, 3), {@code bench.startOnly} (with {@code bench.oneOnly}: start → ready and idle RSS only),
 * {@code bench.nmt}.
 */
public final class Benchmark {

    private static final Path JAR = Path.of("target/waldur-camel-agent.jar").toAbsolutePath();
    private static final Pattern ORDER_FINISHED = Pattern.compile("/api/marketplace-orders/([0-9a-f]+)/set_state_(done|erred)/");
    private static final Pattern FIRST_ACCOUNT = Pattern.compile("b_[cpa](\\d{6})\\b");
    private static final String PREFIX = "b_";
    private static final String SLURM_PREFIX = "wbench_";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(300);
    /** Orders published and not yet done during a burst, at most. */
    private static final int WINDOW = 500;

    private final Path out = Path.of(System.getProperty("bench.out", "bench")).toAbsolutePath();
    private final Path stub = Path.of(System.getProperty("bench.stub", "target/bench/stub/sacctmgr")).toAbsolutePath();
    private final int latencyN = Integer.getInteger("bench.latency", 500);
    private final int warmupN = Integer.getInteger("bench.warmup", 50);
    private final int burstN = Integer.getInteger("bench.burst", 2000);
    private final int burst50N = Integer.getInteger("bench.burst50", 1000);
    private final int projectBurstN = Integer.getInteger("bench.projectBurst", 1000);
    private final int slurmN = Integer.getInteger("bench.slurm", 50);
    private final List<String> agentJvmOpts = System.getProperty("bench.agentJvmOpts") != null
            ? splitOpts(System.getProperty("bench.agentJvmOpts")) : imageJvmOptions(Boolean.parseBoolean(System.getProperty("bench.cds", "true")));
    private final Path work;
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final StringBuilder notes = new StringBuilder();
    private final AtomicLong uniq = new AtomicLong();

    private MosquittoBroker broker;
    private Percentiles pahoConnect = new Percentiles(List.of());

    private Benchmark() throws IOException {
        work = Files.createDirectories(Path.of("target/bench/run-" + System.currentTimeMillis()).toAbsolutePath());
    }

    /** CPU seconds of this harness JVM (fake Waldur, publisher, samplers) so far. */
    private static double harnessCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    public static void main(String[] args) throws Exception {
        Benchmark b = new Benchmark();
        try {
            b.run();
        } finally {
            b.shutdown();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        Instant started = Instant.now();
        String machine = machine();
        String loadBefore = loadAverage();
        log("agent JVM options: " + (agentJvmOpts.isEmpty() ? "(none)" : String.join(" ", agentJvmOpts)));
        broker = MosquittoBroker.startNew();

        // ---- floors
        if (Boolean.getBoolean("bench.realOnly")) {
            log("real slurmdbd only: " + realSlurm(slurmN));
            log(notes.toString());
            return;
        }
        if (Boolean.getBoolean("bench.oneOnly")) {
            stubAgent(1, burstN, true);
            return;
        }
        if (Boolean.getBoolean("bench.fiftyOnly")) {
            stubAgent(50, burst50N, false);
            return;
        }
        log("floor: fork+exec of /bin/true");
        double forkSeqMs = forkExecMs(1, 700);
        double forkParMs = forkExecMs(2, 700);
        log("floor: bare Paho subscriber on the same broker (wss)");
        Percentiles pahoFloor = pahoFloor(warmupN, latencyN);

        // ---- per event type counts with the recording fake SLURM
        Map<String, int[]> counts = eventCounts();
        // ---- 1 offering, stub SLURM
        Map<String, Object> one = stubAgent(1, burstN, true);
        // ---- 50 offerings, stub SLURM
        Map<String, Object> fifty = stubAgent(50, burst50N, false);
        // ---- real slurmdbd
        Map<String, Object> real = slurmN > 0 ? realSlurm(slurmN) : Map.of();

        String loadAfter = loadAverage();
        write(started, machine, loadBefore, loadAfter, forkSeqMs, forkParMs, pahoFloor, one, fifty, counts, real);
    }

    // ------------------------------------------------------------------------------------------ floors

    /** Mean wall time of one fork+exec+wait of /bin/true from Java (ProcessBuilder, as camel-exec), on {@code threads} threads. */
    private double forkExecMs(int threads, int total) throws Exception {
        for (int i = 0; i < 50; i++) {
            new ProcessBuilder("/bin/true").start().waitFor();
        }
        CountDownLatch done = new CountDownLatch(threads);
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < total / threads; i++) {
                        Process p = new ProcessBuilder("/bin/true").redirectErrorStream(true).start();
                        p.getInputStream().readAllBytes();
                        p.waitFor();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.countDown();
                }
            });
            th.start();
        }
        done.await(120, TimeUnit.SECONDS);
        double perCommand = (System.nanoTime() - t0) / 1e6 / ((total / threads) * threads);
        log(String.format(Locale.ROOT, "  %d thread(s): %.3f ms per command (wall / commands)", threads, perCommand));
        return perCommand;
    }

    /** publish (as Waldur, QoS 1, over TCP) → a bare Paho MQTT 5 client receives it over wss, one message at a time. */
    private Percentiles pahoFloor(int warmup, int n) throws Exception {
        String user = "bench-floor-" + uniq.incrementAndGet();
        String password = "floor-" + System.nanoTime();
        String topicBase = "subscription/" + user + "/floor";
        broker.addSubscriber(user, password, topicBase + "/#");
        Map<String, Long> received = new ConcurrentHashMap<>();
        // the floor of a subscription's start: a Paho MQTT 5 connect (TLS, WebSocket, CONNECT/CONNACK) from a warm JVM
        List<Double> connects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            MqttAsyncClient c = new MqttAsyncClient(broker.wssUrl(), user + "-c" + i, new MemoryPersistence());
            MqttConnectionOptions co = new MqttConnectionOptions();
            co.setUserName(user);
            co.setPassword(password.getBytes(StandardCharsets.UTF_8));
            co.setSocketFactory(broker.sslSocketFactory());
            long c0 = System.nanoTime();
            c.connect(co).waitForCompletion(10_000);
            connects.add((System.nanoTime() - c0) / 1e6);
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
        pahoConnect = new Percentiles(connects);
        log(String.format(Locale.ROOT, "  Paho wss connect (warm JVM): %s ms", connects.stream().map(d -> fmt("%.0f", d)).toList()));
        MqttAsyncClient client = new MqttAsyncClient(broker.wssUrl(), user, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                long now = nowNanos();
                received.put(new String(message.getPayload(), StandardCharsets.UTF_8), now);
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
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setSocketFactory(broker.sslSocketFactory());
        o.setCleanStart(true);
        client.connect(o).waitForCompletion(10_000);
        client.subscribe(topicBase + "/#", 1).waitForCompletion(10_000);
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < warmup + n; i++) {
            String payload = "{\"n\": " + i + "}";
            long t0 = nowNanos();
            broker.publish(topicBase + "/order", payload, 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!received.containsKey(payload) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Long t1 = received.get(payload);
            if (t1 != null && i >= warmup) {
                samples.add((t1 - t0) / 1e6);
            }
            Thread.sleep(2);
        }
        client.disconnect().waitForCompletion(5_000);
        client.close();
        Percentiles p = new Percentiles(samples);
        log(String.format(Locale.ROOT, "  Paho receive: n=%d p50 %.2f p95 %.2f p99 %.2f ms", p.count(), p.at(50), p.at(95), p.at(99)));
        return p;
    }

    // ------------------------------------------------------------------------------------------ agent with stub SLURM

    private Map<String, Object> stubAgent(int offerings, int burst, boolean sequential) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        String tag = offerings + "-offering" + (offerings == 1 ? "" : "s");
        log("agent with " + tag + ", stub SLURM");
        try (FakeWaldur waldur = FakeWaldur.builder().contract(BenchContracts.none()).threads(8).seed(100 + offerings).start()) {
            waldur.addSubscriptionListener(broker.provisioning(waldur));
            WaldurCustomer owner = waldur.addCustomer("Provider", "provider");
            List<WaldurOffering> offs = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < offerings; i++) {
                offs.add(waldur.newOffering(owner).name("HPC " + i).component("cpu", "limit", 60000)
                        .component("mem", "limit", 61440).create());
                names.add(String.format(Locale.ROOT, "bench-%02d", i));
            }
            Path dir = Files.createDirectories(work.resolve("agent-" + tag));
            Path stubLog = dir.resolve("stub.log");
            Files.writeString(stubLog, "");
            // the accounts the stub's `add account` made, which its `show account` lists
            Path stubState = Files.createDirectories(dir.resolve("stub-accounts"));
            Path config = dir.resolve("waldur-site-agent-config.yaml");
            Files.writeString(config, config(waldur, offs, names, stub.getParent(), PREFIX));
            // start → ready, measured three times for the one-offering agent (the last run stays up)
            List<Double> readies = new ArrayList<>();
            Agent agent = null;
            int starts = offerings == 1 ? Integer.getInteger("bench.starts", 3) : 1;
            // a Waldur farther away than loopback: every answer during the starts comes this much later
            waldur.delayResponses(Duration.ofMillis(Integer.getInteger("bench.waldurDelayMs", 0)));
            for (int s = 0; s < starts; s++) {
                if (agent != null) {
                    agent.close();
                }
                agent = Agent.start(dir, config, Map.of("BENCH_STUB_LOG", stubLog.toString(), "BENCH_STUB_STATE", stubState.toString()),
                        agentOptions());
                readies.add(agent.awaitReadyOrStop());
                log(String.format(Locale.ROOT, "  start → ready %.0f ms (agent CPU until then: %.1f s)", readies.get(readies.size() - 1),
                        agent.cpuSeconds()));
            }
            waldur.delayResponses(Duration.ZERO);
            r.put("readyMs", readies);
            r.put("consumerSpacingMs", agent.consumerSpacingMs());
            log(String.format(Locale.ROOT, "  MQTT consumers started every %.0f ms", agent.consumerSpacingMs()));
            try (Agent a = agent) {
                Thread.sleep(10_000);
                r.put("rssIdle10sKb", a.rssKb());
                log("  RSS idle (10 s after ready): " + a.rssKb() / 1024 + " MB");
                Thread.sleep(20_000);
                r.put("rssIdleKb", a.rssKb());
                log("  RSS idle (30 s after ready): " + a.rssKb() / 1024 + " MB");
                if (Boolean.getBoolean("bench.nmt")) {
                    // the native memory summary needs -XX:NativeMemoryTracking=summary in bench.agentJvmOpts; then the heap's largest classes
                    for (List<String> cmd : List.of(List.of("VM.native_memory", "summary"), List.of("GC.class_histogram"))) {
                        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                                String.valueOf(a.pid())));
                        command.addAll(cmd);
                        Process j = new ProcessBuilder(command).redirectErrorStream(true).start();
                        log(new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().limit(60)
                                .collect(java.util.stream.Collectors.joining("\n")));
                        j.waitFor(30, TimeUnit.SECONDS);
                    }
                }
                if (Boolean.getBoolean("bench.startOnly")) {
                    return r;
                }
                Map<String, String> topics = new HashMap<>();
                for (int i = 0; i < offerings; i++) {
                    topics.put(offs.get(i).uuid(), topic(waldur, names.get(i), offs.get(i), "order"));
                }
                WaldurProject[] project = new WaldurProject[1];
                int[] next = {0};
                java.util.function.Supplier<Object[]> newOrder = () -> {
                    int idx = next[0]++;
                    String num = String.format(Locale.ROOT, "%06d", idx);
                    WaldurCustomer c = waldur.addCustomer("Customer " + num, "c" + num);
                    WaldurProject p = waldur.addProject(c, "Project " + num, "p" + num);
                    project[0] = p;
                    WaldurOffering off = offs.get(idx % offs.size());
                    return createOrder(waldur, off, p, idx, topics.get(off.uuid()));
                };
                if (sequential) {
                    log("  latency: " + warmupN + " warm-up + " + latencyN + " orders, one at a time");
                    List<Double> lat = new ArrayList<>();
                    List<Double> doneLat = new ArrayList<>();
                    for (int i = 0; i < warmupN + latencyN; i++) {
                        Object[] o = newOrder.get();
                        WaldurOrder order = (WaldurOrder) o[0];
                        long offset = Files.size(stubLog);
                        long t0 = nowNanos();
                        broker.publish((String) o[1], orderPayload(order), 1);
                        boolean ok = await(Duration.ofSeconds(30), () -> "done".equals(waldur.order(order.uuid()).state()));
                        if (!ok) {
                            throw new IllegalStateException("order " + order.uuid() + " not done: " + waldur.order(order.uuid()).state()
                                    + "\n" + tail(a.log()));
                        }
                        long t1 = firstStubLineAfter(stubLog, offset);
                        if (i >= warmupN) {
                            lat.add((t1 - t0) / 1e6);
                            Instant doneAt = lastDone(waldur, order.uuid());
                            doneLat.add((doneAt.getEpochSecond() * 1_000_000_000L + doneAt.getNano() - t0) / 1e6);
                        }
                        Thread.sleep(5);
                    }
                    Percentiles p = new Percentiles(lat);
                    Percentiles d = new Percentiles(doneLat);
                    r.put("latency", p);
                    r.put("doneLatency", d);
                    log(String.format(Locale.ROOT, "  publish → first sacctmgr: p50 %.2f p95 %.2f p99 %.2f max %.2f ms",
                            p.at(50), p.at(95), p.at(99), p.max()));
                    log(String.format(Locale.ROOT, "  publish → order done:     p50 %.2f p95 %.2f p99 %.2f ms", d.at(50), d.at(95), d.at(99)));
                    r.put("commandsPerOrder", commandsPerOrder(stubLog, 0, warmupN + latencyN));
                }
                // ---- throughput: every order with its own customer and project (4 SLURM commands each)
                log("  burst: " + burst + " Create orders, each with its own customer and project, published back to back");
                List<Object[]> orders = new ArrayList<>();
                for (int i = 0; i < burst; i++) {
                    orders.add(newOrder.get());
                }
                r.putAll(burst(a, waldur, stubLog, orders));
                if (offerings == 1 && projectBurstN > 0) {
                    // ---- throughput: a project with many resources, its customer and project accounts added by its first order
                    log("  burst: " + projectBurstN + " Create orders in one project, published back to back");
                    WaldurCustomer c = waldur.addCustomer("Big Customer", "cbig");
                    WaldurProject p = waldur.addProject(c, "Big Project", "pbig");
                    List<Object[]> inProject = new ArrayList<>();
                    for (int i = 0; i < projectBurstN; i++) {
                        inProject.add(createOrder(waldur, offs.get(0), p, next[0]++, topics.get(offs.get(0).uuid())));
                    }
                    long offset = Files.size(stubLog);
                    Map<String, Object> pb = burst(a, waldur, stubLog, inProject);
                    pb.put("commandsPerOrder", commandsPerOrder(stubLog, offset, projectBurstN));
                    pb.put("cpuSeconds", a.cpuSeconds());
                    r.put("projectBurst", pb);
                }
                Thread.sleep(10_000);
                r.put("rssAfterKb", a.rssKb());
                log("  RSS 10 s after the burst: " + a.rssKb() / 1024 + " MB");
                r.put("cpuSeconds", a.cpuSeconds());
            }
        }
        return r;
    }

    /** A pending Create order for a new allocation {@code a<idx>} in {@code project}: {order, its topic, idx}. */
    private static Object[] createOrder(FakeWaldur waldur, WaldurOffering offering, WaldurProject project, int idx, String topic) {
        String num = String.format(Locale.ROOT, "%06d", idx);
        WaldurResource res = waldur.newResource(offering, project).name("Alloc " + num).slug("a" + num)
                .limit("cpu", 10).limit("mem", 10).create();
        WaldurOrder o = waldur.newOrder(res).type("Create").state("pending-provider").create();
        return new Object[] {o, topic, idx};
    }

    /**
     * Publishes {@code orders} (created in the fake Waldur, not yet announced) back to back and measures until
     * all are done: orders/s, RSS, CPU per order, publish → first sacctmgr under load.
     */
    private Map<String, Object> burst(Agent a, FakeWaldur waldur, Path stubLog, List<Object[]> orders) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        int burst = orders.size();
        Set<String> uuids = orders.stream().map(o -> ((WaldurOrder) o[0]).uuid()).collect(Collectors.toSet());
        // counted as the fake Waldur answers: polling its request list would copy it (16 000 requests) every
        // millisecond, under the lock its handlers take, and take CPU and time from the agent being measured
        AtomicInteger doneCalls = new AtomicInteger();
        Set<String> finished = ConcurrentHashMap.newKeySet();
        Consumer<RecordedRequest> counter = req -> {
            Matcher m = ORDER_FINISHED.matcher(req.path());
            if (req.method().equals("POST") && m.matches() && uuids.contains(m.group(1))) {
                finished.add(m.group(1));
                if (m.group(2).equals("done")) {
                    doneCalls.incrementAndGet();
                }
            }
        };
        waldur.resetRequests();
        waldur.addRequestListener(counter);
        long stubOffset = Files.size(stubLog);
        RssSampler sampler = new RssSampler(a);
        sampler.start();
        Map<Integer, Long> publishedAt = new HashMap<>();
        double agentCpu0 = a.cpuSeconds();
        double harnessCpu0 = harnessCpuSeconds();
        long t0 = nowNanos();
        int published = 0;
        for (Object[] o : orders) {
            // Mosquitto queues at most 1000 messages per client (max_queued_messages) and drops QoS 1 messages
            // beyond: keep at most WINDOW orders published and not yet done, so the agent's queue never runs dry
            // and the broker never drops
            if (published % 50 == 0) {
                int p = published;
                await(Duration.ofSeconds(60), () -> p - doneCalls.get() < WINDOW);
            }
            publishedAt.put((Integer) o[2], nowNanos());
            broker.publish((String) o[1], orderPayload((WaldurOrder) o[0]), 1);
            published++;
        }
        long tPublished = nowNanos();
        boolean ok = await(Duration.ofSeconds(Math.max(120, burst / 10)), () -> finished.size() == uuids.size());
        sampler.stop();
        waldur.removeRequestListener(counter);
        long doneCount = waldur.orders().stream().filter(o -> uuids.contains(o.uuid()) && "done".equals(o.state())).count();
        Instant last = waldur.requests("POST", ".*/set_state_done/").stream().map(RecordedRequest::at)
                .max(Instant::compareTo).orElseThrow();
        double seconds = (last.getEpochSecond() * 1_000_000_000L + last.getNano() - t0) / 1e9;
        double rate = doneCount / seconds;
        r.put("burstDone", doneCount);
        r.put("burstComplete", ok);
        r.put("burstSeconds", seconds);
        r.put("publishSeconds", (tPublished - t0) / 1e9);
        r.put("ordersPerSecond", rate);
        r.put("rssLoadKb", sampler.maxKb());
        r.put("hwmKb", a.hwmKb());
        r.put("restPerOrder", waldur.requests().size() / (double) burst);
        // publish → first sacctmgr under load, from the stub log
        Map<Integer, Long> first = firstLinePerOrder(stubLog, stubOffset);
        List<Double> underLoad = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : publishedAt.entrySet()) {
            Long t1 = first.get(e.getKey());
            if (t1 != null) {
                underLoad.add((t1 - e.getValue()) / 1e6);
            }
        }
        r.put("burstLatency", new Percentiles(underLoad));
        double agentCpuMs = (a.cpuSeconds() - agentCpu0) * 1000 / doneCount;
        double harnessCpuMs = (harnessCpuSeconds() - harnessCpu0) * 1000 / doneCount;
        r.put("agentCpuMsPerOrder", agentCpuMs);
        r.put("harnessCpuMsPerOrder", harnessCpuMs);
        log(String.format(Locale.ROOT, "  %d/%d done in %.2f s (published in %.2f s): %.0f orders/s; RSS max %d MB, VmHWM %d MB",
                doneCount, burst, seconds, (tPublished - t0) / 1e9, rate, sampler.maxKb() / 1024, a.hwmKb() / 1024));
        log(String.format(Locale.ROOT, "  CPU per order during the burst: agent %.1f ms, harness (fake Waldur, publisher) %.1f ms",
                agentCpuMs, harnessCpuMs));
        return r;
    }

    // ------------------------------------------------------------------------------------------ counts per event type

    private Map<String, int[]> eventCounts() throws Exception {
        log("REST calls and SLURM commands per event type (recording fake SLURM, OpenAPI-checked fake Waldur)");
        Map<String, int[]> counts = new LinkedHashMap<>();
        try (FakeSlurm slurm = FakeSlurm.create();
                FakeWaldur waldur = FakeWaldur.builder().contract(OpenApiContract.sharedIfPresent()).seed(300).start()) {
            waldur.addSubscriptionListener(broker.provisioning(waldur));
            slurm.addQos("paused");
            WaldurCustomer customer = waldur.addCustomer("Count Customer", "ccust");
            WaldurProject project = waldur.addProject(customer, "Count Project", "cproj");
            // offering users are visible to the provider only where it may create them (as in Waldur)
            WaldurOffering offering = waldur.newOffering(customer).name("HPC").component("cpu", "limit", 60000)
                    .component("mem", "limit", 61440).pluginOption("service_provider_can_create_offering_user", true).create();
            Path dir = Files.createDirectories(work.resolve("agent-counts"));
            Path config = dir.resolve("waldur-site-agent-config.yaml");
            Files.writeString(config, config(waldur, List.of(offering), List.of("bench-count"), slurm.binDir(), "k_"));
            List<String> opts = new ArrayList<>(agentOptions());
            opts.add("-Dagent.unix.idCommand=" + slurm.binDir().resolve("id"));
            opts.add("-Dagent.unix.mkhomedirHelper=" + slurm.binDir().resolve("mkhomedir_helper"));
            try (Agent a = Agent.start(dir, config, Map.of(), opts)) {
                a.awaitReadyOrStop();
                settle(waldur, slurm);
                String orderTopic = topic(waldur, "bench-count", offering, "order");
                WaldurResource resource = waldur.newResource(offering, project).name("Alloc").slug("alloc")
                        .limit("cpu", 10).limit("mem", 10).create();
                WaldurOrder create = waldur.newOrder(resource).type("Create").state("pending-provider").create();
                counts.put("Create order (new customer, project and allocation)", measure(waldur, slurm,
                        () -> broker.publish(orderTopic, orderPayload(create), 1),
                        () -> "done".equals(waldur.order(create.uuid()).state())));
                WaldurOrder update = waldur.newOrder(waldur.resource(resource.uuid())).type("Update").state("pending-provider")
                        .limit("cpu", 20).limit("mem", 20).create();
                counts.put("Update order (new limits)", measure(waldur, slurm,
                        () -> broker.publish(orderTopic, orderPayload(update), 1),
                        () -> "done".equals(waldur.order(update.uuid()).state())));
                WaldurTeamMember alice = waldur.addTeamMember(waldur.resource(resource.uuid()), "alice", "Alice Example");
                slurm.addUnixUser("alice");
                String roleTopic = topic(waldur, "bench-count", offering, "user_role");
                String account = waldur.resource(resource.uuid()).backendId();
                counts.put("user_role granted (one allocation in the project)", measure(waldur, slurm,
                        () -> broker.publish(roleTopic, "{\"user_uuid\": \"" + alice.uuid() + "\", \"user_username\": \"alice\", "
                                + "\"project_uuid\": \"" + project.uuid() + "\", \"project_name\": \"" + project.name()
                                + "\", \"role_name\": \"PROJECT.MEMBER\", \"granted\": true}", 1),
                        () -> slurm.associations().stream().anyMatch(x -> x.account().equals(account) && x.user().equals("alice"))));
                String resourceTopic = topic(waldur, "bench-count", offering, "resource");
                counts.put("resource (no changes)", measure(waldur, slurm,
                        () -> broker.publish(resourceTopic, "{\"resource_uuid\": \"" + resource.uuid() + "\"}", 1),
                        () -> waldur.count("POST", ".*/refresh_last_sync/") > 0));
                waldur.updateResource(resource.uuid(), x -> x.paused(true));
                counts.put("resource (paused: QoS changed)", measure(waldur, slurm,
                        () -> broker.publish(resourceTopic, "{\"resource_uuid\": \"" + resource.uuid() + "\", \"paused\": true}", 1),
                        () -> slurm.qos(account).equals(List.of("paused"))));
                WaldurOrder terminate = waldur.newOrder(waldur.resource(resource.uuid())).type("Terminate").state("pending-provider")
                        .create();
                counts.put("Terminate order (one user, project account left empty)", measure(waldur, slurm,
                        () -> broker.publish(orderTopic, orderPayload(terminate), 1),
                        () -> "done".equals(waldur.order(terminate.uuid()).state())));
                counts.put("order message for a done order (duplicate state)", measure(waldur, slurm,
                        () -> broker.publish(orderTopic, "{\"order_uuid\": \"" + terminate.uuid() + "\", \"order_state\": \"done\"}", 1),
                        () -> true));
                log("  contract violations: " + waldur.contractViolations().size());
                notes.append("- Per event type: OpenAPI contract violations in the agent's requests: ")
                        .append(waldur.contract().isAvailable() ? String.valueOf(waldur.contractViolations().size()) : "not checked (schema absent)")
                        .append(".\n");
            }
        }
        counts.forEach((k, v) -> log(String.format(Locale.ROOT, "  %-55s REST %d, sacctmgr %d, SLURM commands %d", k, v[0], v[1], v[2])));
        return counts;
    }

    private int[] measure(FakeWaldur waldur, FakeSlurm slurm, Runnable publish, BooleanSupplier reached) throws Exception {
        settle(waldur, slurm);
        waldur.resetRequests();
        int before = slurm.callLog().size();
        publish.run();
        boolean ok = await(Duration.ofSeconds(20), reached);
        settle(waldur, slurm);
        List<FakeSlurm.Call> calls = slurm.callLog();
        List<FakeSlurm.Call> mine = calls.subList(before, calls.size());
        int sacctmgr = (int) mine.stream().filter(c -> c.program().equals("sacctmgr")).count();
        if (!ok) {
            log("  expected outcome not reached within 20 s; counted what happened");
        }
        return new int[] {waldur.requests().size(), sacctmgr, mine.size(), ok ? 1 : 0};
    }

    /** Waits until neither the fake Waldur nor the fake SLURM saw a new call for 1.5 s (bounded: 30 s). */
    private static void settle(FakeWaldur waldur, FakeSlurm slurm) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int lastW = -1;
        int lastS = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int w = waldur.requests().size();
            int s = slurm.callLog().size();
            if (w != lastW || s != lastS) {
                lastW = w;
                lastS = s;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(1500)) {
                return;
            }
            Thread.sleep(100);
        }
    }

    // ------------------------------------------------------------------------------------------ real slurmdbd

    private Map<String, Object> realSlurm(int n) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        log("agent with the real slurmdbd: " + n + " Create orders back to back");
        SlurmLocal slurm = SlurmLocal.get();
        if (!slurm.isAvailable()) {
            log("  skipped: " + slurm.unavailableReason());
            r.put("skipped", slurm.unavailableReason());
            return r;
        }
        slurm.cleanAccounts(SLURM_PREFIX);
        // one sacctmgr read and one write, timed, for the floor
        long t0 = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            slurm.sacctmgr("show", "account", SLURM_PREFIX + "none", "format=account", "-P", "-n");
        }
        double readMs = (System.nanoTime() - t0) / 1e6 / 10;
        r.put("sacctmgrReadMs", readMs);
        try (FakeWaldur waldur = FakeWaldur.builder().contract(BenchContracts.none()).seed(400).start()) {
            waldur.addSubscriptionListener(broker.provisioning(waldur));
            WaldurCustomer owner = waldur.addCustomer("Provider", "provider");
            WaldurOffering offering = waldur.newOffering(owner).name("HPC").component("cpu", "limit", 60000)
                    .component("mem", "limit", 61440).create();
            Path dir = Files.createDirectories(work.resolve("agent-slurmdbd"));
            Path config = dir.resolve("waldur-site-agent-config.yaml");
            Files.writeString(config, config(waldur, List.of(offering), List.of("bench-slurm"), Path.of("/usr/bin"), SLURM_PREFIX)
                    .replace("slurm_bin_path: \"/usr/bin\"", "slurm_bin_path: \"/usr/bin\"\n      cluster_name: \"" + slurm.clusterName() + "\""));
            try (Agent a = Agent.start(dir, config, slurm.env(), agentOptions())) {
                a.awaitReadyOrStop();
                Thread.sleep(2000);
                String topic = topic(waldur, "bench-slurm", offering, "order");
                List<WaldurOrder> orders = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String num = String.format(Locale.ROOT, "%04d", i);
                    WaldurCustomer c = waldur.addCustomer("Customer " + num, "c" + num);
                    WaldurProject p = waldur.addProject(c, "Project " + num, "p" + num);
                    WaldurResource res = waldur.newResource(offering, p).name("Alloc " + num).slug("a" + num)
                            .limit("cpu", 10).limit("mem", 10).create();
                    orders.add(waldur.newOrder(res).type("Create").state("pending-provider").create());
                }
                waldur.resetRequests();
                long start = nowNanos();
                for (WaldurOrder o : orders) {
                    broker.publish(topic, orderPayload(o), 1);
                }
                Set<String> uuids = orders.stream().map(WaldurOrder::uuid).collect(Collectors.toSet());
                boolean ok = await(Duration.ofSeconds(300), () -> waldur.orders().stream()
                        .filter(o -> uuids.contains(o.uuid()) && o.isTerminal()).count() == uuids.size());
                long done = waldur.orders().stream().filter(o -> uuids.contains(o.uuid()) && "done".equals(o.state())).count();
                Instant last = waldur.requests("POST", ".*/set_state_done/").stream().map(RecordedRequest::at)
                        .max(Instant::compareTo).orElseThrow();
                double seconds = (last.getEpochSecond() * 1_000_000_000L + last.getNano() - start) / 1e9;
                r.put("done", done);
                r.put("orders", n);
                r.put("complete", ok);
                r.put("seconds", seconds);
                r.put("ordersPerSecond", done / seconds);
                Map<String, Long> reasons = waldur.orders().stream().filter(o -> uuids.contains(o.uuid()) && !"done".equals(o.state()))
                        .collect(Collectors.groupingBy(o -> o.state() + ": " + String.valueOf(o.errorMessage()).replaceAll("wbench_[a-z0-9]+", "<account>")
                                .replaceAll("\\s+", " "), TreeMap::new, Collectors.counting()));
                reasons.forEach((k, v) -> notes.append("- Real slurmdbd: ").append(v).append(" order(s) ").append(k).append('\n'));
                log(String.format(Locale.ROOT, "  %d/%d done in %.2f s: %.1f orders/s (sacctmgr read alone: %.1f ms)", done, n, seconds,
                        done / seconds, readMs));
            }
        } finally {
            List<String> removed = slurm.cleanAccounts(SLURM_PREFIX);
            log("  cleaned up " + removed.size() + " SLURM accounts with prefix " + SLURM_PREFIX);
        }
        return r;
    }

    // ------------------------------------------------------------------------------------------ results

    @SuppressWarnings("unchecked")
    private void write(Instant started, String machine, String loadBefore, String loadAfter, double forkSeqMs, double forkParMs,
            Percentiles paho, Map<String, Object> one, Map<String, Object> fifty, Map<String, int[]> counts,
            Map<String, Object> real) throws IOException {
        Files.createDirectories(out);
        Percentiles lat = (Percentiles) one.get("latency");
        Percentiles done = (Percentiles) one.get("doneLatency");
        Percentiles burstLat = (Percentiles) one.get("burstLatency");
        int commands = (Integer) one.get("commandsPerOrder");
        double ceilingSeq = 1000.0 / (forkSeqMs * commands);
        double ceilingPar = 1000.0 / (forkParMs * commands);
        List<Double> readies = (List<Double>) one.get("readyMs");
        double readyMedian = new Percentiles(readies).at(50);
        String f1 = "%.1f";
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Written by `bench/run.sh` (harness `src/test/java/org/waldur/agent/bench/Benchmark.java`); do not edit by hand.\n\n");
        md.append("- Date: ").append(DateTimeFormatter.ISO_INSTANT.format(started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
                .append(" (run took ").append(Duration.between(started, Instant.now()).toSeconds()).append(" s)\n");
        md.append("- Machine: ").append(machine).append('\n');
        md.append("- Loopback: ").append(loopbackQuickack()).append('\n');
        md.append("- Load average (1, 5, 15 min) before / after: ").append(loadBefore).append(" / ").append(loadAfter).append('\n');
        md.append("- Label: ").append(System.getProperty("bench.label", "-")).append('\n');
        md.append("- Agent: `target/waldur-camel-agent.jar` as a separate process, JVM options: `")
                .append(agentJvmOpts.isEmpty() ? "(none)" : String.join(" ", agentJvmOpts)).append("`, default `application.properties` (")
                .append("agent.workers 4, log level INFO, JSON log to a file)\n");
        md.append("- Broker: Debian Mosquitto ").append(mosquittoVersion()).append(", the agent on its TLS WebSocket listener (wss), ")
                .append("one dynamic-security user per subscription; the harness publishes as Waldur over TCP, QoS 1\n");
        md.append("- Waldur: the fake Waldur (`FakeWaldur`) in the harness JVM; OpenAPI checks off except for the counts per event type\n");
        md.append("- SLURM: stub `sacctmgr` (C, `bench/stub-slurm.c`: logs its start time and argv, prints nothing, exits 0); ")
                .append("the recording fake (Python) for the counts; the local slurmdbd (`shared/tools/slurm-local`) for the real run\n\n");

        md.append("## Summary: goals and floors\n\n");
        md.append("| figure | measured | goal | floor (same machine, same run) |\n| --- | --- | --- | --- |\n");
        md.append(row("publish → first `sacctmgr`, p50 / p95 / p99 (stub SLURM, one order at a time)",
                fmt(f1, lat.at(50)) + " / " + fmt(f1, lat.at(95)) + " / " + fmt(f1, lat.at(99)) + " ms " + goal(lat.at(99) <= 50),
                "p99 ≤ 50 ms",
                "bare Paho subscriber receive: " + fmt("%.2f", paho.at(50)) + " / " + fmt("%.2f", paho.at(95)) + " / "
                        + fmt("%.2f", paho.at(99)) + " ms"));
        md.append(row("sustained Create orders/s, stub SLURM, 1 offering (" + one.get("burstDone") + " orders back to back)",
                fmt("%.0f", (Double) one.get("ordersPerSecond")) + " orders/s " + goal((Double) one.get("ordersPerSecond") >= 200),
                "≥ 200 orders/s on 2 cores",
                String.format(Locale.ROOT, "fork+exec of /bin/true × %d commands per order: %.0f orders/s on 1 thread (%.2f ms each), %.0f on 2 threads (%.2f ms each)",
                        commands, ceilingSeq, forkSeqMs, ceilingPar, forkParMs)));
        if (one.get("projectBurst") instanceof Map<?, ?> pb) {
            int k = ((Number) pb.get("commandsPerOrder")).intValue();
            md.append(row("sustained Create orders/s, stub SLURM, 1 offering, " + pb.get("burstDone")
                            + " orders in one project (a project with many resources: its customer and project accounts exist after the first order)",
                    fmt("%.0f", (Double) pb.get("ordersPerSecond")) + " orders/s " + goal((Double) pb.get("ordersPerSecond") >= 200),
                    "≥ 200 orders/s on 2 cores",
                    String.format(Locale.ROOT, "fork+exec of /bin/true × %d commands per order: %.0f orders/s on 1 thread, %.0f on 2 threads",
                            k, 1000 / (forkSeqMs * k), 1000 / (forkParMs * k))));
        }
        md.append(row("sustained Create orders/s, stub SLURM, 50 offerings (" + fifty.get("burstDone") + " orders)",
                fmt("%.0f", (Double) fifty.get("ordersPerSecond")) + " orders/s", "–", "as above"));
        if (real.containsKey("ordersPerSecond")) {
            double rd = (Double) real.get("sacctmgrReadMs");
            md.append(row("sustained Create orders/s, real slurmdbd (" + real.get("done") + " of " + real.get("orders") + " orders done"
                    + (((Number) real.get("done")).intValue() < ((Number) real.get("orders")).intValue() ? ", the others erred: see Notes" : "") + ")",
                    fmt(f1, (Double) real.get("ordersPerSecond")) + " orders/s", "–",
                    String.format(Locale.ROOT, "one `sacctmgr show account` alone: %.1f ms → ≤ %.0f orders/s at %d commands in sequence per order", rd,
                            1000 / (rd * commands), commands)));
        } else {
            md.append(row("sustained Create orders/s, real slurmdbd", "not run: " + real.getOrDefault("skipped", "bench.slurm=0"), "–", "–"));
        }
        md.append(row("RSS idle, 1 offering (30 s after ready)", mb((Long) one.get("rssIdleKb")) + " " + goal((Long) one.get("rssIdleKb") <= 160 * 1024),
                "≤ 160 MB", "–"));
        md.append(row("RSS under load, 1 offering (max during the burst)", mb((Long) one.get("rssLoadKb")), "–", "–"));
        md.append(row("RSS idle, 50 offerings", mb((Long) fifty.get("rssIdleKb")), "–", "–"));
        md.append(row("RSS under load, 50 offerings", mb((Long) fifty.get("rssLoadKb")), "–", "–"));
        md.append(row("start → ready (`/observe/health/ready` 200), 1 offering, median of " + readies.size(),
                fmt("%.2f", readyMedian / 1000) + " s " + goal(readyMedian <= 3000), "≤ 3 s",
                "JVM start alone: " + fmt("%.2f", javaVersionMs() / 1000) + " s (`java -version`)"));
        md.append(row("MQTT consumer start in the agent (1 offering: mean spacing of the \"listens on\" log lines)",
                fmt("%.0f", (Double) one.get("consumerSpacingMs")) + " ms apart", "–",
                "bare Paho client in a warm JVM, median of " + pahoConnect.count() + ": " + fmt("%.0f", pahoConnect.at(50)) + " ms"));
        md.append(row("start → ready, 50 offerings", fmt("%.2f", ((List<Double>) fifty.get("readyMs")).get(0) / 1000) + " s", "–", "–"));
        md.append('\n');

        md.append("## Latency: publish → first `sacctmgr` start\n\n");
        md.append("Publish time: the harness clock just before the QoS 1 PUBLISH; start time: `CLOCK_REALTIME` in the stub's `main`. ")
                .append("Both on this machine's clock. ").append(warmupN).append(" warm-up orders not counted.\n\n");
        md.append("| series | n | p50 | p95 | p99 | max | mean |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        md.append(pRow("floor: bare Paho MQTT 5 subscriber, wss, receive", paho));
        md.append(pRow("agent: publish → first sacctmgr, one order at a time", lat));
        md.append(pRow("agent: publish → order done in Waldur (set_state_done received), one at a time", done));
        md.append(pRow("agent: publish → first sacctmgr during the burst (queueing included)", burstLat));
        md.append(pRow("agent, 50 offerings: publish → first sacctmgr during the burst", (Percentiles) fifty.get("burstLatency")));
        md.append("\n![latency distribution](latency.png)\n\n");

        md.append("## Throughput\n\n");
        md.append("Orders are created in the fake Waldur first (each with its own customer, project and allocation; in the "
                + "\"one project\" run all in one customer's project), then their ")
                .append("`order` messages are published back to back; the time runs from the first publish to the last ")
                .append("`set_state_done` the fake Waldur received.\n\n");
        md.append("| run | orders done | seconds | orders/s | publishing took | REST calls per order | agent CPU time (whole run) | CPU per order during the burst: agent / harness |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        md.append(tRow("stub SLURM, 1 offering", one));
        if (one.get("projectBurst") instanceof Map<?, ?> pb) {
            md.append(tRow("stub SLURM, 1 offering, one project", (Map<String, Object>) pb));
        }
        md.append(tRow("stub SLURM, 50 offerings", fifty));
        if (real.containsKey("ordersPerSecond")) {
            md.append(String.format(Locale.ROOT, "| real slurmdbd, 1 offering | %d | %.2f | %.1f | – | – | – | – |\n", real.get("done"),
                    real.get("seconds"), real.get("ordersPerSecond")));
        }
        md.append(String.format(Locale.ROOT, "%nFloor: a Create order runs %d SLURM commands (counted in the stub log). fork+exec+wait of `/bin/true` from Java "
                + "takes %.2f ms on one thread and %.2f ms per command with 2 threads, so commands alone allow at most %.0f (1 thread) / %.0f (2 threads) orders/s.%n%n",
                commands, forkSeqMs, forkParMs, ceilingSeq, ceilingPar));

        md.append("## REST calls and SLURM commands per event type\n\n");
        md.append("The same agent jar with the recording fake SLURM (`FakeSlurm`, stateful) and the OpenAPI-checking fake Waldur; ")
                .append("counted from the publish until nothing more happened for 1.5 s.\n\n");
        md.append("| event | Waldur REST calls | `sacctmgr` runs | SLURM commands in all |\n| --- | --- | --- | --- |\n");
        counts.forEach((k, v) -> md.append("| ").append(k).append(v[3] == 1 ? "" : " (**expected outcome not reached**, see Notes)").append(" | ").append(v[0]).append(" | ").append(v[1]).append(" | ").append(v[2]).append(" |\n"));
        md.append('\n');

        md.append("## Memory and start-up\n\n");
        md.append("RSS is `VmRSS` of the agent's java process from `/proc/<pid>/status`; under load it is the maximum sampled every 100 ms.\n\n");
        md.append("| agent | start → ready | RSS 10 s after ready | RSS 30 s after ready | RSS max under load | VmHWM | RSS 10 s after the burst |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        md.append(mRow("1 offering (5 subscriptions)", one));
        md.append(mRow("50 offerings (250 subscriptions)", fifty));
        md.append("\nStart → ready, every start of the 1-offering agent: ")
                .append(readies.stream().map(d -> fmt("%.2f", d / 1000) + " s").collect(Collectors.joining(", "))).append(".\n\n");
        if (!notes.isEmpty()) {
            md.append("## Notes\n\n").append(notes).append('\n');
        }
        for (String other : System.getProperty("bench.compareWith", "").split(",")) {
            // the summary of earlier runs (e.g. the first of two, or one without the recommended JVM options), verbatim
            if (!other.isBlank() && Files.isRegularFile(Path.of(other.trim()))) {
                String text = Files.readString(Path.of(other.trim()));
                int from = text.indexOf("## Summary");
                int to = text.indexOf("\n## ", from + 3);
                String head = text.lines().filter(l -> l.startsWith("- Date:") || l.startsWith("- Label:") || l.startsWith("- Load")
                        || l.startsWith("- Agent:")).collect(Collectors.joining("\n"));
                md.append("## Earlier run: ").append(other.trim()).append("\n\n").append(head).append("\n\n")
                        .append(text, from + "## Summary: goals and floors".length(), to < 0 ? text.length() : to).append('\n');
            }
        }
        Files.writeString(out.resolve("results.md"), md.toString());
        LatencyChart.write(out.resolve("latency.png"), "publish -> first sacctmgr start (stub SLURM), cumulative distribution, " + machineShort(),
                LatencyChart.series(List.of("floor: bare Paho subscriber receive", "agent, one order at a time",
                        "agent, during the " + one.get("burstDone") + "-order burst"), List.of(paho, lat, burstLat)), 50);
        log("wrote " + out.resolve("results.md") + " and " + out.resolve("latency.png"));
    }

    private static String row(String a, String b, String c, String d) {
        return "| " + a + " | " + b + " | " + c + " | " + d + " |\n";
    }

    private static String goal(boolean met) {
        return met ? "(met)" : "(**missed**)";
    }

    private static String pRow(String name, Percentiles p) {
        return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |%n", name, p.count(), p.at(50), p.at(95), p.at(99),
                p.max(), p.mean());
    }

    private static String tRow(String name, Map<String, Object> r) {
        return String.format(Locale.ROOT, "| %s | %d | %.2f | %.0f | %.2f s | %.1f | %.1f s | %.1f / %.1f ms |%n", name, r.get("burstDone"),
                r.get("burstSeconds"), r.get("ordersPerSecond"), r.get("publishSeconds"), r.get("restPerOrder"), r.get("cpuSeconds"),
                r.get("agentCpuMsPerOrder"), r.get("harnessCpuMsPerOrder"));
    }

    @SuppressWarnings("unchecked")
    private static String mRow(String name, Map<String, Object> r) {
        List<Double> readies = (List<Double>) r.get("readyMs");
        return String.format(Locale.ROOT, "| %s | %.2f s | %s | %s | %s | %s | %s |%n", name, readies.get(readies.size() - 1) / 1000,
                mb((Long) r.get("rssIdle10sKb")), mb((Long) r.get("rssIdleKb")), mb((Long) r.get("rssLoadKb")), mb((Long) r.get("hwmKb")),
                mb((Long) r.get("rssAfterKb")));
    }

    private static String mb(long kb) {
        return String.format(Locale.ROOT, "%.0f MB", kb / 1024.0);
    }

    private static String fmt(String f, double v) {
        return String.format(Locale.ROOT, f, v);
    }

    // ------------------------------------------------------------------------------------------ helpers

    /**
     * The JVM options the image runs the agent with (the Containerfile's JAVA_OPTS), for a process outside a
     * container: a fixed heap bound instead of the share of a memory limit, and the archive that run.sh makes
     * with bin/create-cds-archive.sh for target/waldur-camel-agent.jar (none with {@code cds} false).
     */
    static List<String> imageJvmOptions(boolean cds) {
        String containerfile;
        try {
            containerfile = Files.readString(Path.of("Containerfile"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher m = Pattern.compile("JAVA_OPTS=\"([^\"]*)\"").matcher(containerfile);
        if (!m.find()) {
            throw new IllegalStateException("no JAVA_OPTS=\"...\" in the Containerfile");
        }
        List<String> opts = new ArrayList<>(List.of("-Xms24m", "-Xmx256m"));
        for (String o : splitOpts(m.group(1))) {
            if (o.startsWith("-XX:SharedArchiveFile=")) {
                if (cds) {
                    opts.add("-XX:SharedArchiveFile=" + Path.of("target/waldur-camel-agent.jsa").toAbsolutePath());
                }
            } else if (!o.startsWith("-XX:MaxRAMPercentage=")) {
                opts.add(o);
            }
        }
        return opts;
    }

    private List<String> agentOptions() {
        List<String> o = new ArrayList<>(agentJvmOpts);
        o.add("-Dagent.tls.trustStore=" + broker.trustStorePath());
        o.add("-Dagent.tls.trustStorePassword=" + broker.trustStorePassword());
        return o;
    }

    private String config(FakeWaldur waldur, List<WaldurOffering> offerings, List<String> names, Path bin, String prefix) {
        StringBuilder y = new StringBuilder("offerings:\n");
        for (int i = 0; i < offerings.size(); i++) {
            y.append("""
                      - name: "%s"
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
                          customer_prefix: "%s"
                          project_prefix: "%s"
                          allocation_prefix: "%s"
                          qos_paused: paused
                          slurm_bin_path: "%s"
                        backend_components:
                          cpu: {measured_unit: k-Hours, unit_factor: 60000, accounting_type: limit, label: CPU}
                          mem: {measured_unit: gb-Hours, unit_factor: 61440, accounting_type: limit, label: RAM}
                    """.formatted(names.get(i), waldur.apiUrl(), waldur.token(), offerings.get(i).uuid(), broker.wssUrl(), prefix, prefix, prefix, bin));
        }
        return y.toString();
    }

    private String topic(FakeWaldur waldur, String name, WaldurOffering offering, String type) {
        WaldurSubscription s = waldur.subscriptions().stream()
                .filter(x -> x.description().contains("offering " + name + ", observable") && x.objectTypes().contains(type))
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + type + " subscription for " + name));
        return "subscription/" + s.uuid() + "/offering/" + offering.uuid() + "/" + type;
    }

    private static String orderPayload(WaldurOrder o) {
        return "{\"order_uuid\": \"" + o.uuid() + "\", \"order_state\": \"" + o.state() + "\"}";
    }

    /** When the fake Waldur received the order's set_state_done (it records a request after answering it). */
    private static Instant lastDone(FakeWaldur waldur, String orderUuid) throws InterruptedException {
        String path = ".*/" + orderUuid + "/set_state_done/";
        await(Duration.ofSeconds(5), () -> waldur.count("POST", path) > 0);
        return waldur.requests("POST", path).stream().map(RecordedRequest::at).max(Instant::compareTo).orElseThrow();
    }

    private static long firstStubLineAfter(Path log, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            f.seek(offset);
            String line = f.readLine();
            if (line == null) {
                throw new IllegalStateException("no stub command after offset " + offset);
            }
            return Long.parseLong(line.substring(0, line.indexOf(' ')));
        }
    }

    /** Lines per order in the stub log from {@code offset}, by the order number in its allocation account's name. */
    private static int commandsPerOrder(Path log, long offset, int orders) throws IOException {
        Map<String, Integer> perOrder = new TreeMap<>();
        for (String line : linesFrom(log, offset)) {
            Matcher m = FIRST_ACCOUNT.matcher(line);
            if (m.find()) {
                perOrder.merge(m.group(1), 1, Integer::sum);
            }
        }
        Map<Integer, Long> histogram = perOrder.values().stream().collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()));
        log("  stub commands per order (commands → orders): " + histogram + " over " + orders + " orders");
        return histogram.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static Map<Integer, Long> firstLinePerOrder(Path log, long offset) throws IOException {
        Map<Integer, Long> first = new HashMap<>();
        for (String line : linesFrom(log, offset)) {
            Matcher m = FIRST_ACCOUNT.matcher(line);
            if (m.find()) {
                first.putIfAbsent(Integer.parseInt(m.group(1)), Long.parseLong(line.substring(0, line.indexOf(' '))));
            }
        }
        return first;
    }

    /** The stub log's lines from byte {@code offset} on (where a phase began). */
    private static List<String> linesFrom(Path log, long offset) throws IOException {
        List<String> lines = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            f.seek(offset);
            for (String line = f.readLine(); line != null; line = f.readLine()) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(1);
        }
        return condition.getAsBoolean();
    }

    static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static List<String> splitOpts(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    private static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    /** Whether 127.0.0.1 has the quickack route (shared/tools/slurm-local sets it): it hides delayed-ACK waits. */
    private static String loopbackQuickack() {
        try {
            Process p = new ProcessBuilder("ip", "route", "show", "table", "local", "127.0.0.1").redirectErrorStream(true).start();
            String route = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return route.contains("quickack 1") ? "route to 127.0.0.1 with `quickack 1` (set by slurm-local)"
                    : "plain (no quickack route)";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException ignored) {
            // leave "?"
        }
        long memMb = 0;
        try {
            memMb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(0L);
        } catch (IOException ignored) {
            // 0
        }
        return String.format(Locale.ROOT, "%d CPUs (%s), %d MB RAM, %s %s, Java %s (%s)", Runtime.getRuntime().availableProcessors(), cpu,
                memMb, System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
    }

    private static String machineShort() {
        return Runtime.getRuntime().availableProcessors() + " CPUs, " + DateTimeFormatter.ISO_LOCAL_DATE.format(Instant.now().atZone(ZoneOffset.UTC));
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String mosquittoVersion() {
        try {
            Process p = new ProcessBuilder(MosquittoBroker.MOSQUITTO.toString(), "-h").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("version (\\S+)").matcher(text);
            return m.find() ? m.group(1) : "?";
        } catch (Exception e) {
            return "?";
        }
    }

    private static double javaVersionMs() {
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
            return (System.nanoTime() - t0) / 1e6;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private static void log(String s) {
        System.out.println("[bench " + DateTimeFormatter.ISO_LOCAL_TIME.format(Instant.now().atZone(ZoneOffset.UTC)).substring(0, 8) + "] " + s);
    }

    private void shutdown() {
        if (broker != null) {
            broker.close();
        }
    }

    // ------------------------------------------------------------------------------------------ the agent process

    /** The packaged jar as its own process, with a free management port on 127.0.0.1 for the readiness probe. */
    static final class Agent implements AutoCloseable {
        /** Every agent started, so that none outlives the harness (a shutdown hook kills what is left). */
        private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(p -> {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }), "bench-agents-shutdown"));
        }

        private final Process process;
        private final Path log;
        private final int port;
        private final long startNanos;

        private Agent(Process process, Path log, int port, long startNanos) {
            this.process = process;
            this.log = log;
            this.port = port;
            this.startNanos = startNanos;
        }

        static Agent start(Path dir, Path config, Map<String, String> env, List<String> options) throws IOException {
            int port = FreePorts.onLoopback();
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(options);
            cmd.add("-Dagent.management.port=" + port);
            cmd.add("-Dagent.management.host=127.0.0.1");
            cmd.add("-jar");
            cmd.add(JAR.toString());
            cmd.add("-c");
            cmd.add(config.toString());
            Path log = dir.resolve("agent-" + System.currentTimeMillis() + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            STARTED.add(p);
            return new Agent(p, log, port, t0);
        }

        /** {@link #awaitReady()}, stopping the process when it fails. */
        double awaitReadyOrStop() throws Exception {
            try {
                return awaitReady();
            } catch (Exception | Error e) {
                close();
                throw e;
            }
        }

        /** Polls /observe/health/ready every 20 ms; returns ms from process start to the first 200. */
        double awaitReady() throws Exception {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            long deadline = startNanos + READY_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("agent exited " + process.exitValue() + ":\n" + tail(log()));
                }
                try {
                    if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return (System.nanoTime() - startNanos) / 1e6;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("agent not ready after " + READY_TIMEOUT + ":\n" + tail(log()));
        }

        /** Mean time between consecutive "consumer … listens on" log lines: how long one MQTT consumer start takes. */
        double consumerSpacingMs() throws IOException {
            Pattern instant = Pattern.compile("\"epochSecond\":(\\d+),\"nanoOfSecond\":(\\d+)");
            List<Long> times = new ArrayList<>();
            for (String line : log().split("\n")) {
                if (line.contains("listens on")) {
                    Matcher m = instant.matcher(line);
                    if (m.find()) {
                        times.add(Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(m.group(2)));
                    }
                }
            }
            return times.size() < 2 ? Double.NaN : (times.get(times.size() - 1) - times.get(0)) / 1e6 / (times.size() - 1);
        }

        long pid() {
            return process.pid();
        }

        long rssKb() {
            return status("VmRSS:");
        }

        long hwmKb() {
            return status("VmHWM:");
        }

        /** user + system CPU seconds of the agent process so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
        double cpuSeconds() {
            try {
                String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
            } catch (IOException e) {
                return Double.NaN;
            }
        }

        private long status(String key) {
            try {
                return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream().filter(l -> l.startsWith(key))
                        .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
            } catch (IOException e) {
                return -1;
            }
        }

        String log() throws IOException {
            return Files.exists(log) ? Files.readString(log) : "";
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Samples the agent's RSS every 100 ms and keeps the maximum. */
    static final class RssSampler {
        private final Agent agent;
        private final AtomicLong max = new AtomicLong();
        private volatile boolean running = true;
        private Thread thread;

        RssSampler(Agent agent) {
            this.agent = agent;
        }

        void start() {
            thread = new Thread(() -> {
                while (running) {
                    max.accumulateAndGet(agent.rssKb(), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(1000);
            max.accumulateAndGet(agent.rssKb(), Math::max);
        }

        long maxKb() {
            return max.get();
        }
    }

}
