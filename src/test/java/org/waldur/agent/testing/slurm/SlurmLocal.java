package org.waldur.agent.testing.slurm;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * The real SLURM accounting stack (munged, MariaDB, slurmdbd, slurmctld) of
 * {@code shared/tools/slurm-local}, for system tests that run {@code sacctmgr}.
 *
 * <p>The stack is started once per JVM by {@code start-slurmdbd.sh}, which is idempotent and
 * reuses daemons that are already up. It is deliberately left running afterwards: a restart costs
 * seconds per test class, and {@code .ci/run} stops it once at the end.
 *
 * <p>When the stack cannot start (not root, no apt, script missing) the tests are skipped through
 * {@link #assumeAvailable()}, except when {@code -Dslurm.local.required=true} or {@code CI=true}:
 * there a skipped system test would hide a broken CI machine, so it fails instead.
 */
public final class SlurmLocal {

    public static final Path SACCTMGR = Path.of("/usr/bin/sacctmgr");
    // apt-get may install ~30 packages on a fresh machine
    private static final Duration START_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern EXPORT = Pattern.compile("^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$");
    private static final Set<String> WRITE_VERBS = Set.of("add", "create", "modify", "update", "delete", "remove");
    private static SlurmLocal instance;

    private final Map<String, String> env;
    private final String unavailableReason;
    private final long startMillis;

    private SlurmLocal(Map<String, String> env, String unavailableReason, long startMillis) {
        this.env = env;
        this.unavailableReason = unavailableReason;
        this.startMillis = startMillis;
    }

    /** Starts the stack on first use in this JVM (or finds it running) and returns the shared handle; never throws. */
    public static synchronized SlurmLocal get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    /** The folder holding {@code start-slurmdbd.sh}: {@code -Dslurm.local.tools}, else {@code ../shared/tools/slurm-local} beside the project. */
    public static Path toolsDir() {
        String configured = System.getProperty("slurm.local.tools");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        Path projectRoot = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        return projectRoot.resolveSibling("shared").resolve("tools").resolve("slurm-local").normalize();
    }

    private static SlurmLocal start() {
        long t0 = System.nanoTime();
        Path script = toolsDir().resolve("start-slurmdbd.sh");
        if (!Files.isRegularFile(script)) {
            return unavailable("no " + script + " (set -Dslurm.local.tools=<folder with start-slurmdbd.sh>)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return unavailable(script + " must run as root (it starts munged, MariaDB and slurmdbd as their users)");
        }
        Path log = startLog();
        Path stdout = log.resolveSibling("start-slurmdbd.out");
        try {
            String failure = runStartScript(script, ProcessBuilder.Redirect.to(stdout.toFile()), log);
            if (failure != null) {
                return unavailable(failure);
            }
            String out = Files.readString(stdout);
            Map<String, String> env = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                Matcher m = EXPORT.matcher(line.trim());
                if (m.matches()) {
                    env.put(m.group(1), m.group(2));
                }
            }
            if (!env.containsKey("SLURM_CONF")) {
                return unavailable(script + " printed no SLURM_CONF:\n" + out);
            }
            return new SlurmLocal(Map.copyOf(env), null, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (IOException e) {
            return unavailable("cannot run " + script + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted while starting slurm-local");
        }
    }

    private static SlurmLocal unavailable(String reason) {
        return new SlurmLocal(Map.of(), reason, 0);
    }

    public boolean isAvailable() {
        return unavailableReason == null;
    }

    /** Why the stack is not available, or null. */
    public String unavailableReason() {
        return unavailableReason;
    }

    /** Skips the calling test when the stack is down; fails it instead when slurm-local is required (CI). */
    public void assumeAvailable() {
        if (isAvailable()) {
            return;
        }
        String message = "real SLURM stack (slurm-local) is not available: " + unavailableReason;
        if (isRequired()) {
            throw new IllegalStateException(message + "\n(required because slurm.local.required=true or CI=true)");
        }
        Assumptions.assumeTrue(false, message);
    }

    static boolean isRequired() {
        String prop = System.getProperty("slurm.local.required");
        return prop != null ? Boolean.parseBoolean(prop) : "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Environment to give child processes that run SLURM commands (SLURM_CONF, SLURM_LOCAL_DIR, SLURM_LOCAL_CLUSTER). */
    public Map<String, String> env() {
        requireAvailable();
        return env;
    }

    public String clusterName() {
        return env().get("SLURM_LOCAL_CLUSTER");
    }

    /** Wall time of the start script in this JVM (0.1–0.2 s when the stack was already up). */
    public long startMillis() {
        return startMillis;
    }

    /**
     * Runs {@code sacctmgr --parsable2 --noheader <args>} and returns its non-empty stdout lines.
     * Writes need {@code -i}: without it sacctmgr 22.05 waits for a confirmation and, with stdin at
     * EOF, never returns.
     *
     * @throws IllegalStateException on a non-zero exit code, with stdout and stderr in the message
     */
    public List<String> sacctmgr(String... args) {
        Result r = sacctmgrUnchecked(args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("sacctmgr " + String.join(" ", args) + " exited with " + r.exitCode()
                    + "\nstdout: " + String.join("\n", r.stdout()) + "\nstderr: " + r.stderr());
        }
        return r.stdout();
    }

    /** Like {@link #sacctmgr} but returns the exit code and output instead of throwing, for asserting refusals. */
    public Result sacctmgrUnchecked(String... args) {
        requireAvailable();
        requireImmediateForWrites(args);
        List<String> command = new ArrayList<>(List.of(SACCTMGR.toString(), "--parsable2", "--noheader"));
        command.addAll(Arrays.asList(args));
        try {
            Path stdout = Files.createTempFile("sacctmgr-", ".out");
            Path stderr = Files.createTempFile("sacctmgr-", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
                }
                List<String> lines = Files.readString(stdout).lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
                return new Result(p.exitValue(), lines, Files.readString(stderr).trim());
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Removes every account whose name starts with {@code prefix}, with the user associations inside
     * them. Users are unassigned first: removing an account only drops its associations, and a user
     * left without any is then kept by SLURM as an orphan record, while removing a user's last
     * association deletes the user too.
     *
     * @return the accounts removed
     */
    public List<String> cleanAccounts(String prefix) {
        // SLURM stores names in lower case; a short prefix could hit accounts nobody meant (root).
        String p = prefix.toLowerCase(Locale.ROOT);
        if (!p.matches("[a-z0-9][a-z0-9_-]{2,}")) {
            throw new IllegalArgumentException("prefix must be at least 3 characters of [a-z0-9_-]: " + prefix);
        }
        List<String> accounts = sacctmgr("list", "account", "format=account").stream()
                .map(String::trim)
                .filter(a -> a.startsWith(p))
                .collect(Collectors.toList());
        if (accounts.isEmpty()) {
            return accounts;
        }
        String csv = String.join(",", accounts);
        Result users = sacctmgrUnchecked("-i", "remove", "user", "where", "account=" + csv);
        if (users.exitCode() != 0 && !users.mentions("Nothing deleted")) {
            throw new IllegalStateException("cannot remove users of " + csv + ": " + users);
        }
        sacctmgr("-i", "remove", "account", "where", "name=" + csv);
        return accounts;
    }

    /**
     * Stops slurmdbd (SIGTERM through its pid file, then SIGKILL after 30 s) and waits until it is gone, for
     * outage tests. The stack is shared by every test in the JVM: the caller must {@link #restartMissing()} in
     * a finally block.
     *
     * @return the pid that was stopped
     */
    public long stopSlurmdbd() throws IOException, InterruptedException {
        requireAvailable();
        Path pidFile = Path.of(env.getOrDefault("SLURM_LOCAL_DIR", "/tmp/slurm-local"), "run", "slurmdbd.pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("slurmdbd " + pid + " is not running"));
        handle.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (handle.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (handle.isAlive()) {
            handle.destroyForcibly();
            Thread.sleep(1000);
        }
        if (handle.isAlive()) {
            throw new IllegalStateException("slurmdbd " + pid + " did not stop");
        }
        return pid;
    }

    /** Re-runs {@code start-slurmdbd.sh}, which starts whatever daemon of the stack is not running; throws if it fails. */
    public void restartMissing() throws IOException, InterruptedException {
        String failure = runStartScript(toolsDir().resolve("start-slurmdbd.sh"), ProcessBuilder.Redirect.DISCARD, startLog());
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    private static Path startLog() {
        return Path.of(System.getProperty("user.dir"), "target", "slurm-local", "start-slurmdbd.log");
    }

    /** Runs {@code start-slurmdbd.sh} (idempotent); null when it succeeded, else why not, with the log's tail. */
    private static String runStartScript(Path script, ProcessBuilder.Redirect stdout, Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        // Files, not pipes: a daemon that keeps an inherited pipe open would block reading it.
        Process p = new ProcessBuilder("bash", script.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (!p.waitFor(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            return script + " did not finish within " + START_TIMEOUT + tail(log);
        }
        return p.exitValue() == 0 ? null : script + " failed with exit code " + p.exitValue() + tail(log);
    }

    private static void requireImmediateForWrites(String[] args) {
        boolean immediate = Arrays.stream(args).anyMatch(a -> a.equals("-i") || a.equals("--immediate"));
        String verb = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        if (!immediate && WRITE_VERBS.contains(verb.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("sacctmgr " + verb + " needs -i: without it sacctmgr waits for a"
                    + " confirmation on stdin and spins at EOF");
        }
    }

    private void requireAvailable() {
        if (!isAvailable()) {
            throw new IllegalStateException("slurm-local is not available: " + unavailableReason);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n--- tail of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Exit code and output of one sacctmgr run; stdout without blank lines. */
    public record Result(int exitCode, List<String> stdout, String stderr) {
        public boolean mentions(String text) {
            return stderr.contains(text) || stdout.stream().anyMatch(l -> l.contains(text));
        }
    }

}
