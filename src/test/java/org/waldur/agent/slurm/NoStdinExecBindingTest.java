package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.component.exec.ExecResult;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class NoStdinExecBindingTest {

    @Test
    void theCommandIsTheDefaultBindingsWithoutStdinAndTheBodyIsLeftAsItWas() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            ExecEndpoint endpoint = context.getEndpoint("exec:/usr/bin/sacctmgr?timeout=5000", ExecEndpoint.class);
            Exchange exchange = new DefaultExchange(context);
            Object body = new Object();
            exchange.getIn().setBody(body);
            exchange.getIn().setHeader(ExecBinding.EXEC_COMMAND_ARGS, List.of("show", "account", "hpc_a"));

            ExecCommand command = new NoStdinExecBinding().readInput(exchange, endpoint);

            assertThat(command.getExecutable()).isEqualTo("/usr/bin/sacctmgr");
            assertThat(command.getArgs()).containsExactly("show", "account", "hpc_a");
            assertThat(command.getTimeout()).isEqualTo(5000);
            assertThat(command.getInput()).isNull();
            assertThat(exchange.getIn().getBody()).isSameAs(body);
        }
    }

    @Test
    void aCommandThatReadsStdinGetsEndOfInputNotTheBody() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("noStdin", new NoStdinExecBinding());
            context.start();
            Exchange exchange = context.createProducerTemplate().request("exec:cat?binding=#noStdin&timeout=10000",
                    e -> e.getIn().setBody("the body, which must not reach the command"));
            ExecResult result = exchange.getMessage().getBody(ExecResult.class);
            assertThat(result.getExitValue()).isZero();
            // camel-exec gives no stdout at all when the command printed nothing
            String stdout = result.getStdout() == null ? "" : context.getTypeConverter().convertTo(String.class, result.getStdout());
            assertThat(stdout).isEmpty();
        }
    }
}
