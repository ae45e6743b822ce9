package org.waldur.agent.sandbox.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A recording, stateful fake of sacctmgr 22.05, sacct and scancel, plus {@code id} and {@code mkhomedir_helper},
 * for tests and the {@code --sandbox} mode (src/main/resources/fake-slurm). Jobs do not run: tests seed them with {@link #addJob}.
 *
 * <p>{@link #binDir()} holds executable {@code sacctmgr}, {@code sacct}, {@code scancel}, {@code id} and
 * {@code mkhomedir_helper} wrappers with the state directory baked in, so the agent under test only needs {@code slurm_bin_path} pointed there: camel-exec cannot pass
 * per-test environment variables. Every invocation is appended to {@code calls.jsonl}; state lives in
 * {@code state.json}. Both are described in {@code fake_slurm.py}.
 *
 * <p>Exit codes besides sacctmgr's own: 2 = valid request the fake does not emulate, 3 = a write without
 * {@code --immediate}. A test that sees either has a bug, not SLURM.
 */
public final class FakeSlurm implements AutoCloseable {

    public static final String DEFAULT_CLUSTER = "waldur-test";
    private static final String SCRIPT_RESOURCE = "/fake-slurm/fake_slurm.py";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Set<String> PREFIX_FLAGS = java.util.Set.of("--parsable2", "--noheader", "--immediate");
    private static volatile String python;

    /** One recorded invocation. {@code argv.get(0)} is the path the program was started with. */
    public record Call(List<String> argv, int exitCode, boolean injected) {

        /** The arguments after argv[0] and sacctmgr's prefix flags, e.g. {@code [show, account, a1]}. */
        public List<String> command() {
            int i = 1;
            while (i < argv.size() && PREFIX_FLAGS.contains(argv.get(i))) {
                i++;
            }
            return argv.subList(i, argv.size());
        }

        /** The program name: {@code sacctmgr} or {@code scancel}. */
        public String program() {
            return Path.of(argv.get(0)).getFileName().toString();
        }
    }

    /** An account record; {@code parent} is null when the account has no association on the cluster. */
    public record Account(String name, String description, String organization, String parent) {
    }

    /** A user association; {@code partition} is "" for none. */
    public record Association(String account, String user, String partition) {
    }

    /** What a process printed and returned. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** A seeded job; {@code reqTres} as sacct prints ReqTRES with --noconvert, e.g. {@code billing=1,cpu=2,mem=100M,node=1}. */
    public record Job(String id, String account, String user, String reqTres, long elapsedSeconds, String state) {
    }

    /** One {@code mkhomedir_helper <user> <umask>} call that succeeded. */
    public record HomedirCall(String user, String umask) {
    }

    /** The job states sacct knows; {@code addJob} accepts these. */
    public static final Set<String> JOB_STATES = Set.of("BOOT_FAIL", "CANCELLED", "COMPLETED", "DEADLINE", "FAILED",
            "NODE_FAIL", "OUT_OF_MEMORY", "PENDING", "PREEMPTED", "RUNNING", "REQUEUED", "RESIZING", "REVOKED",
            "SUSPENDED", "TIMEOUT");

    private static final Map<String, String> LIMIT_FIELDS = Map.of(
            "grptresmins", "grp_tres_mins", "maxtresmins", "max_tres_mins", "grptres", "grp_tres");

    private final Path root;
    private final boolean ownsRoot;
    private final String cluster;
    private final Path script;
    private final Path binDir;
    private final Path stateDir;

    private FakeSlurm(Path root, boolean ownsRoot, String cluster) throws IOException {
        this.root = root;
        this.ownsRoot = ownsRoot;
        this.cluster = cluster.toLowerCase(Locale.ROOT);
        this.script = root.resolve("fake_slurm.py");
        this.binDir = root.resolve("bin");
        this.stateDir = root.resolve("state");
        Files.createDirectories(binDir);
        Files.createDirectories(stateDir);
        try (InputStream in = FakeSlurm.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + SCRIPT_RESOURCE);
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        for (String program : List.of("sacctmgr", "sacct", "scancel", "id", "mkhomedir_helper")) {
            writeWrapper(program);
        }
        reset();
    }

    /** A fake in a new temporary directory, deleted by {@link #close()}, with cluster {@value #DEFAULT_CLUSTER}. */
    public static FakeSlurm create() {
        try {
            return new FakeSlurm(Files.createTempDirectory("fake-slurm-"), true, DEFAULT_CLUSTER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fake inside {@code dir} (e.g. a JUnit {@code @TempDir}), left in place by {@link #close()}. */
    public static FakeSlurm create(Path dir, String clusterName) {
        try {
            return new FakeSlurm(dir, false, clusterName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory to use as {@code slurm_bin_path}. */
    public Path binDir() {
        return binDir;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The only cluster the fake knows; {@code cluster=<other>} finds nothing and writes to it fail. */
    public String clusterName() {
        return cluster;
    }

    /** Back to a fresh database (root account, TRES cpu…gres/gpu, QoS normal); forgets calls and pending failures. */
    public void reset() {
        Result r = run(List.of(python(), "-I", "-S", script.toString(), "--reset", stateDir.toString(), cluster));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("fake_slurm.py --reset failed: " + r);
        }
    }

    /** argv of every invocation so far, oldest first. */
    public List<List<String>> calls() {
        return callLog().stream().map(Call::argv).toList();
    }

    /** Every invocation so far with its exit code, oldest first. */
    public List<Call> callLog() {
        List<Call> calls = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(stateDir.resolve("calls.jsonl"), StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                List<String> argv = new ArrayList<>();
                node.get("argv").forEach(a -> argv.add(a.asText()));
                calls.add(new Call(List.copyOf(argv), node.get("rc").asInt(), node.path("injected").asBoolean(false)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(calls);
    }

    /** Invocations of one program ({@code sacct}, {@code id}, …) with exit codes, oldest first. */
    public List<Call> callLog(String program) {
        return callLog().stream().filter(c -> c.program().equals(program)).toList();
    }

    /** Account records by name, sorted. */
    public Map<String, Account> accounts() {
        JsonNode state = readState();
        Map<String, Account> accounts = new TreeMap<>();
        state.get("accounts").fields().forEachRemaining(e -> {
            JsonNode assoc = state.get("account_assocs").get(e.getKey());
            String parent = assoc == null || assoc.get("parent").isNull() ? null : assoc.get("parent").asText();
            accounts.put(e.getKey(), new Account(e.getKey(), e.getValue().get("description").asText(),
                    e.getValue().get("organization").asText(), parent));
        });
        return Collections.unmodifiableMap(accounts);
    }

    /** User associations, sorted by account, user, partition. */
    public List<Association> associations() {
        List<Association> list = new ArrayList<>();
        readState().get("user_assocs").forEach(a -> list.add(new Association(a.get("account").asText(),
                a.get("user").asText(), a.get("partition").asText())));
        list.sort(Comparator.comparing(Association::account).thenComparing(Association::user)
                .thenComparing(Association::partition));
        return List.copyOf(list);
    }

    /** GrpTRESMins of an account association in SLURM units (mem in MB); empty if none or no association. */
    public Map<String, Long> limits(String account) {
        JsonNode assoc = readState().get("account_assocs").get(account);
        Map<String, Long> limits = new TreeMap<>();
        if (assoc != null) {
            assoc.get("grp_tres_mins").fields().forEachRemaining(e -> limits.put(e.getKey(), e.getValue().asLong()));
        }
        return Collections.unmodifiableMap(limits);
    }

    /**
     * An account association's limits of one type ({@code GrpTRESMins}, {@code MaxTRESMins}, {@code GrpTRES}, any
     * case) in SLURM units (mem in MB); empty if none or no association.
     */
    public Map<String, Long> accountLimits(String account, String limitType) {
        String field = LIMIT_FIELDS.get(limitType.toLowerCase(Locale.ROOT));
        if (field == null) {
            throw new IllegalArgumentException("Unknown limit type " + limitType);
        }
        JsonNode assoc = readState().get("account_assocs").get(account);
        Map<String, Long> limits = new TreeMap<>();
        if (assoc != null && assoc.hasNonNull(field)) {
            assoc.get(field).fields().forEachRemaining(e -> limits.put(e.getKey(), e.getValue().asLong()));
        }
        return Collections.unmodifiableMap(limits);
    }

    /**
     * MaxTRESMins of every user association of {@code account}: user → TRES → value, users without limits mapped
     * to an empty map. A user with several partition associations shows the union (they are set alike).
     */
    public Map<String, Map<String, Long>> userLimits(String account) {
        Map<String, Map<String, Long>> limits = new TreeMap<>();
        readState().get("user_assocs").forEach(a -> {
            if (a.get("account").asText().equals(account)) {
                Map<String, Long> user = limits.computeIfAbsent(a.get("user").asText(), u -> new TreeMap<>());
                if (a.hasNonNull("max_tres_mins")) {
                    a.get("max_tres_mins").fields().forEachRemaining(e -> user.put(e.getKey(), e.getValue().asLong()));
                }
            }
        });
        Map<String, Map<String, Long>> copy = new TreeMap<>();
        limits.forEach((user, l) -> copy.put(user, Collections.unmodifiableMap(l)));
        return Collections.unmodifiableMap(copy);
    }

    /** The Fairshare of an account association as sacctmgr shows it ({@code 1}, {@code 500}, {@code parent}); null if none. */
    public String fairshare(String account) {
        JsonNode assoc = readState().get("account_assocs").get(account);
        return assoc == null ? null : assoc.get("share").asText();
    }

    /** How often {@code modify account <a> set RawUsage=0} ran for the account. */
    public int rawUsageResets(String account) {
        JsonNode assoc = readState().get("account_assocs").get(account);
        return assoc == null ? 0 : assoc.path("raw_usage_resets").asInt(0);
    }

    /** Seeded jobs in id order, with their current state (scancel sets CANCELLED). */
    public List<Job> jobs() {
        List<Job> jobs = new ArrayList<>();
        readState().path("jobs").forEach(j -> jobs.add(new Job(j.get("id").asText(), j.get("account").asText(),
                j.get("user").asText(), j.get("req_tres").asText(), j.get("elapsed").asLong(), j.get("state").asText())));
        return List.copyOf(jobs);
    }

    /**
     * Seeds a job as sacct would list it: {@code account} is lowercased like SLURM does, {@code user} is a Unix
     * user name and kept as is. The account need not exist (sacct also reports jobs of deleted accounts).
     *
     * @return the job id sacct prints
     */
    public String addJob(String account, String user, String reqTres, long elapsedSeconds, String state) {
        if (!JOB_STATES.contains(state)) {
            throw new IllegalArgumentException("Unknown job state " + state + "; one of " + new java.util.TreeSet<>(JOB_STATES));
        }
        if (elapsedSeconds < 0) {
            throw new IllegalArgumentException("elapsed seconds must not be negative");
        }
        String[] id = new String[1];
        updateState(s -> {
            long next = s.path("next_job_id").asLong(1001);
            id[0] = Long.toString(next);
            s.put("next_job_id", next + 1);
            ArrayNode jobs = s.has("jobs") ? (ArrayNode) s.get("jobs") : s.putArray("jobs");
            jobs.addObject().put("id", id[0]).put("account", account.toLowerCase(Locale.ROOT)).put("user", user)
                    .put("req_tres", reqTres).put("elapsed", elapsedSeconds).put("state", state);
        });
        return id[0];
    }

    /** Makes {@code name} a Unix user: {@code id -u} prints a uid, and sacct/scancel accept it. {@code root} is one from the start. */
    public FakeSlurm addUnixUser(String name) {
        updateState(s -> {
            ObjectNode users = s.has("unix_users") ? (ObjectNode) s.get("unix_users") : s.putObject("unix_users");
            if (!users.has(name)) {
                users.put(name, 1000 + users.size());
            }
        });
        return this;
    }

    /** Successful {@code mkhomedir_helper} calls, oldest first (failed ones are only in {@link #callLog(String)}). */
    public List<HomedirCall> homedirCalls() {
        List<HomedirCall> calls = new ArrayList<>();
        readState().path("homedir_calls").forEach(c -> calls.add(new HomedirCall(c.get("user").asText(), c.get("umask").asText())));
        return List.copyOf(calls);
    }

    /** The QoS list of an account association, sorted as sacctmgr prints it; empty if no association. */
    public List<String> qos(String account) {
        JsonNode assoc = readState().get("account_assocs").get(account);
        List<String> qos = new ArrayList<>();
        if (assoc != null) {
            assoc.get("qos").forEach(q -> qos.add(q.asText()));
        }
        return List.copyOf(qos);
    }

    /** Seeds an account (record and association) below {@code parent}, which must exist; not recorded as a call. */
    public FakeSlurm addAccount(String name, String description, String organization, String parent) {
        String account = name.toLowerCase(Locale.ROOT);
        String parentAccount = parent.toLowerCase(Locale.ROOT);
        updateState(state -> {
            ObjectNode assocs = (ObjectNode) state.get("account_assocs");
            if (!assocs.has(parentAccount)) {
                throw new IllegalArgumentException("Parent account " + parentAccount + " does not exist in the fake");
            }
            ((ObjectNode) state.get("accounts")).putObject(account)
                    .put("description", description.toLowerCase(Locale.ROOT))
                    .put("organization", organization.toLowerCase(Locale.ROOT));
            ObjectNode assoc = assocs.putObject(account);
            assoc.put("parent", parentAccount);
            assoc.putObject("grp_tres_mins");
            assoc.putObject("grp_tres");
            assoc.putObject("max_tres_mins");
            assoc.put("raw_usage_resets", 0);
            assoc.set("qos", assocs.get(parentAccount).get("qos").deepCopy());
            assoc.put("share", "1");
        });
        return this;
    }

    /** Seeds a user association (no partition); the account must exist. A new user gets it as default account. */
    public FakeSlurm addAssociation(String account, String user) {
        String a = account.toLowerCase(Locale.ROOT);
        String u = user.toLowerCase(Locale.ROOT);
        updateState(state -> {
            if (!state.get("account_assocs").has(a)) {
                throw new IllegalArgumentException("Account " + a + " does not exist in the fake");
            }
            ObjectNode assoc = ((ArrayNode) state.get("user_assocs")).addObject();
            assoc.put("account", a).put("user", u).put("partition", "").put("share", "1");
            assoc.putNull("qos");
            assoc.putNull("defqos");
            assoc.putObject("max_tres_mins");
            ObjectNode users = (ObjectNode) state.get("users");
            if (!users.has(u)) {
                users.putObject(u).put("default_account", a);
            }
        });
        return this;
    }

    /** Makes a QoS known, so {@code set qos=<name>} is accepted. */
    public FakeSlurm addQos(String name) {
        updateState(state -> ((ArrayNode) state.get("qos_names")).add(name.toLowerCase(Locale.ROOT)));
        return this;
    }

    /**
     * The next {@code times} invocations whose "program args…" line contains {@code match} print
     * {@code stderr} and exit with {@code rc}, changing nothing. Rules queue up in call order.
     */
    public FakeSlurm failNext(String match, int times, int rc, String stderr) {
        Path file = stateDir.resolve("fail-next.json");
        withLock(() -> {
            ArrayNode rules = Files.exists(file) ? asArray(JSON.readTree(file.toFile())) : JSON.createArrayNode();
            rules.addObject().put("match", match).put("times", times).put("rc", rc).put("stderr", stderr).put("stdout", "");
            JSON.writeValue(file.toFile(), rules);
        });
        return this;
    }

    /** Runs argv (stdin closed) and waits for it; for tests that drive the fake directly. */
    public static Result run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            String out = readAll(p.getInputStream());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("Timed out: " + argv);
            }
            return new Result(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (!ownsRoot) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeWrapper(String program) throws IOException {
        Path wrapper = binDir.resolve(program);
        String text = "#!/bin/sh\n"
                + "# " + program + " stand-in written by FakeSlurm; state in " + stateDir + "\n"
                + "exec " + shellQuote(python()) + " -I -S " + shellQuote(script.toString()) + " \"$0\" "
                + shellQuote(stateDir.toString()) + " \"$@\"\n";
        Files.writeString(wrapper, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * The real interpreter behind {@code python3}: version-manager shims (pyenv) add 100+ ms per call.
     * {@code -Dfake.slurm.python=/path} overrides.
     */
    private static String python() {
        String p = python;
        if (p == null) {
            p = System.getProperty("fake.slurm.python");
            if (p == null || p.isBlank()) {
                Result r = run(List.of("python3", "-c", "import sys; print(sys.executable)"));
                p = r.stdout().strip();
                if (r.exitCode() != 0 || p.isEmpty()) {
                    throw new IllegalStateException("python3 is needed by the fake sacctmgr: " + r);
                }
            }
            python = p;
        }
        return p;
    }

    private JsonNode readState() {
        JsonNode[] holder = new JsonNode[1];
        withLock(() -> holder[0] = JSON.readTree(stateDir.resolve("state.json").toFile()));
        return holder[0];
    }

    private interface StateChange {
        void apply(ObjectNode state);
    }

    private void updateState(StateChange change) {
        Path file = stateDir.resolve("state.json");
        withLock(() -> {
            ObjectNode state = (ObjectNode) JSON.readTree(file.toFile());
            change.apply(state);
            Path tmp = stateDir.resolve("state.json.java-tmp");
            JSON.writeValue(tmp.toFile(), state);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        });
    }

    private interface IoAction {
        void run() throws IOException;
    }

    // The same POSIX record lock fake_slurm.py takes (fcntl.lockf), so seeding never interleaves with a call.
    private void withLock(IoAction action) {
        try (FileChannel ch = FileChannel.open(stateDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
             FileLock ignored = ch.lock()) {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrayNode asArray(JsonNode node) {
        if (node.isArray()) {
            return (ArrayNode) node;
        }
        ArrayNode array = JSON.createArrayNode();
        array.add(node);
        return array;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("binDir", binDir);
        m.put("cluster", cluster);
        return "FakeSlurm" + m;
    }
}
