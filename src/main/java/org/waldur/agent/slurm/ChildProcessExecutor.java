package org.waldur.agent.slurm;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecCommandExecutor;
import org.apache.camel.component.exec.ExecException;
import org.apache.camel.component.exec.ExecResult;

/**
 * camel-exec's command executor for the SLURM and Unix commands: starts the program with its argument list (no
 * shell), reads stdout and stderr on pooled threads, and ends it with SIGTERM at the command's timeout.
 *
 * <p>Why not camel-exec's default (commons-exec): it starts three to four threads for every command (two stream
 * pumps, a timeout watchdog, and the shutdown hook it adds and removes around each run), which in a burst of
 * orders cost more CPU than starting the program itself (README, Performance). The results are the same: exit
 * value 143 after a timeout (137 if SIGTERM did not end it), no exception for a non-zero exit unless the command lists its exit values, empty
 * output as {@code null}, and an {@link ExecException} when the program cannot be started.
 *
 * <p>Unlike commons-exec no shutdown hook kills running commands when the agent's JVM ends: Camel's graceful
 * shutdown waits for them, and a SLURM write half done by a killed {@code sacctmgr} is worse than one finished.
 */
public final class ChildProcessExecutor implements ExecCommandExecutor {

    /** How long the output may stay open after the program ended (a child it started may hold the pipe). */
    private static final long DRAIN_MILLIS = 5_000;
    /** How long a program may take to end after SIGTERM at its timeout before it gets SIGKILL. */
    private static final long KILL_GRACE_MILLIS = 5_000;
    private static final File NO_INPUT = new File("/dev/null");

    private final ExecutorService readers;

    /** @param readers threads for reading the output, two per running command; a cached pool reuses them */
    public ChildProcessExecutor(ExecutorService readers) {
        this.readers = readers;
    }

    @Override
    public ExecResult execute(ExecCommand command) throws ExecException, IOException {
        if (command.getInput() != null || command.getOutFile() != null) {
            throw new ExecException("stdin and outFile are not supported for " + command, null, null, -1, null);
        }
        List<String> argv = new ArrayList<>(command.getArgs().size() + 1);
        argv.add(command.getExecutable());
        argv.addAll(command.getArgs());
        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(NO_INPUT);
        if (command.getWorkingDir() != null) {
            builder.directory(new File(command.getWorkingDir()).getAbsoluteFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ExecException("Unable to execute command " + command, null, null, -1, e);
        }
        Future<byte[]> stdout = readers.submit(() -> process.getInputStream().readAllBytes());
        Future<byte[]> stderr = readers.submit(() -> process.getErrorStream().readAllBytes());
        int exit = waitFor(process, command.getTimeout());
        ExecResult result = new ExecResult(command, drained(stdout, process), drained(stderr, process), exit);
        if (!command.getExitValues().isEmpty() && !command.getExitValues().contains(exit)) {
            throw new ExecException("Process exited with an error: " + exit + " (Exit value: " + exit + ")",
                    result.getStdout(), result.getStderr(), exit, null);
        }
        return result;
    }

    private static int waitFor(Process process, long timeoutMillis) throws IOException {
        try {
            if (timeoutMillis <= 0 || timeoutMillis == Long.MAX_VALUE) {
                return process.waitFor();
            }
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.destroy();
                // a program that ignores SIGTERM must not hold a worker for ever (SlurmCommandResult: 137 is transient too)
                if (!process.waitFor(KILL_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            }
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + process.info().command().orElse("a command"), e);
        }
    }

    /** What a reader got: null when nothing, as camel-exec's default executor answers. */
    private static InputStream drained(Future<byte[]> reader, Process process) throws IOException {
        byte[] bytes;
        try {
            bytes = reader.get(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // a process it started in the background still writes there: its output cannot be trusted
            reader.cancel(true);
            throw new ExecException("the output of pid " + process.pid() + " was still open " + DRAIN_MILLIS
                    + " ms after it ended (a process it left running holds it)", null, null, process.exitValue(), e);
        } catch (ExecutionException e) {
            throw new IOException("cannot read the output of pid " + process.pid(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the output of pid " + process.pid(), e);
        }
        return bytes.length == 0 ? null : new ByteArrayInputStream(bytes);
    }
}
