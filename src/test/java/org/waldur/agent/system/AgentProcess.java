package org.waldur.agent.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged agent ({@code target/waldur-camel-agent.jar}) as a separate process, as a site runs it. */
final class AgentProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java -jar <jar> -c <config>} in {@code workDir}. Without a routes/ folder there the
     * routes packaged in the jar are used, as in a plain deployment; with one (LiveReloadSystemIT copies the
     * project's) its files are used and reloaded when they change.
     */
    static AgentProcess start(Path workDir, Path config, Map<String, String> env, List<String> systemProperties) throws IOException {
        return start(workDir, config, env, systemProperties, "agent.log");
    }

    /** As {@link #start(Path, Path, Map, List)}, logging to {@code logName} in {@code workDir} (a restarted agent keeps the first log). */
    static AgentProcess start(Path workDir, Path config, Map<String, String> env, List<String> systemProperties,
            String logName) throws IOException {
        String jar = System.getProperty("agent.jar", "target/waldur-camel-agent.jar");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // a random free port for /observe/*, unless a test asks for one (a later -D wins)
        command.add("-Dagent.management.port=0");
        command.addAll(systemProperties);
        command.add("-jar");
        command.add(Path.of(jar).toAbsolutePath().toString());
        command.add("-c");
        command.add(config.toString());
        Path log = workDir.resolve(logName);
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new AgentProcess(pb.start(), log);
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /** {@code kill -9}: SIGKILL on Linux, no shutdown hook runs; waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("agent " + process.pid() + " still running 30 s after SIGKILL");
        }
    }

    long pid() {
        return process.pid();
    }

    /** Sends SIGTERM (what systemd and Kubernetes send) and returns the exit code. */
    int terminate(long seconds) throws InterruptedException {
        process.destroy();
        return waitFor(seconds);
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("agent still running after " + seconds + " s");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
