package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecException;
import org.apache.camel.component.exec.ExecResult;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChildProcessExecutorTest {

    private final ExecutorService readers = Executors.newCachedThreadPool();
    private final ChildProcessExecutor executor = new ChildProcessExecutor(readers);

    @AfterEach
    void stopReaders() {
        readers.shutdownNow();
    }

    @Test
    void argumentsReachTheProgramAsTheyAreWithNoShellInBetween() throws Exception {
        ExecResult result = executor.execute(command("/bin/echo", List.of("a  b", "$(id)", "; ls", "*"), 10_000));

        assertThat(result.getExitValue()).isZero();
        assertThat(text(result.getStdout())).isEqualTo("a  b $(id) ; ls *\n");
        assertThat(result.getStderr()).isNull();
    }

    @Test
    void stdoutAndStderrAreKeptApartAndAFailingExitIsAResultNotAnException() throws Exception {
        ExecResult result = executor.execute(command("/bin/sh", List.of("-c", "echo out; echo err >&2; exit 3"), 10_000));

        assertThat(result.getExitValue()).isEqualTo(3);
        assertThat(text(result.getStdout())).isEqualTo("out\n");
        assertThat(text(result.getStderr())).isEqualTo("err\n");
    }

    @Test
    void anExitValueTheCommandDoesNotAcceptIsAnExecExceptionWithTheOutput() {
        ExecCommand command = new ExecCommand("/bin/sh", List.of("-c", "echo why >&2; exit 2"), null, 10_000L, Set.of(0),
                null, null, false, null);

        assertThatThrownBy(() -> executor.execute(command))
                .isInstanceOfSatisfying(ExecException.class, e -> {
                    assertThat(e.getExitValue()).isEqualTo(2);
                    assertThat(text(e.getStderr())).isEqualTo("why\n");
                });
    }

    @Test
    void aCommandThatReadsStdinGetsEndOfInput() throws Exception {
        // with an open stdin cat would wait until the timeout and end with 143
        ExecResult result = executor.execute(command("cat", List.of(), 60_000));

        assertThat(result.getExitValue()).isZero();
        assertThat(result.getStdout()).isNull();
    }

    @Test
    void aCommandStillRunningAtItsTimeoutIsTerminatedWithExitValue143() throws Exception {
        ExecResult result = executor.execute(command("sleep", List.of("600"), 300));

        assertThat(result.getExitValue()).isEqualTo(143);
    }

    @Test
    void aCommandThatIgnoresSigtermIsKilled() throws Exception {
        ExecResult result = executor.execute(command("/bin/sh", List.of("-c", "trap '' TERM; exec sleep 600"), 300));

        assertThat(result.getExitValue()).isEqualTo(137);
    }

    @Test
    void outputHeldOpenByABackgroundProcessIsAnExecExceptionNotAHang() {
        // the shell ends at once; the sleep it leaves behind keeps its stdout open
        ExecCommand command = command("/bin/sh", List.of("-c", "sleep 8 & echo started"), 10_000);

        assertThatThrownBy(() -> executor.execute(command))
                .isInstanceOf(ExecException.class)
                .hasMessageContaining("still open");
    }

    @Test
    void muchOutputOnBothStreamsDoesNotBlockTheProgram() throws Exception {
        // more than a pipe holds on each stream: a reader that waited for one stream before the other would hang
        String script = "head -c 300000 /dev/zero | tr '\\0' e >&2; head -c 300000 /dev/zero | tr '\\0' o";
        ExecResult result = executor.execute(command("/bin/sh", List.of("-c", script), 60_000));

        assertThat(result.getExitValue()).isZero();
        assertThat(result.getStdout().readAllBytes()).hasSize(300_000).containsOnly('o');
        assertThat(result.getStderr().readAllBytes()).hasSize(300_000).containsOnly('e');
    }

    @Test
    void aProgramThatCannotBeStartedIsAnExecException() {
        assertThatThrownBy(() -> executor.execute(command("/nonexistent/sacctmgr", List.of("show", "account"), 10_000)))
                .isInstanceOf(ExecException.class)
                .hasMessageContaining("/nonexistent/sacctmgr");
    }

    @Test
    void theExecEndpointUsesItAndGivesTheRoutesTheUsualHeaders() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("children", executor);
            context.start();
            Exchange exchange = context.createProducerTemplate().request("exec:/bin/sh?commandExecutor=#children&timeout=10000",
                    e -> e.getIn().setHeader(ExecBinding.EXEC_COMMAND_ARGS, List.of("-c", "echo listed; echo warned >&2; exit 1")));

            assertThat(exchange.getMessage().getHeader(ExecBinding.EXEC_EXIT_VALUE, Integer.class)).isEqualTo(1);
            assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("listed\n");
            assertThat(exchange.getMessage().getHeader(ExecBinding.EXEC_STDERR, String.class)).isEqualTo("warned\n");
        }
    }

    private static ExecCommand command(String executable, List<String> args, long timeoutMillis) {
        return new ExecCommand(executable, args, null, timeoutMillis, Set.of(), null, null, false, null);
    }

    private static String text(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
