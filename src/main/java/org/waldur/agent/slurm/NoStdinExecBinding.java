package org.waldur.agent.slurm;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.component.exec.impl.DefaultExecBinding;

/**
 * camel-exec's binding for SLURM commands, which read nothing from stdin: everything as the default binding
 * does it (arguments, timeout, exit values from the endpoint and the headers), except that no stdin is offered.
 *
 * <p>Why: the default binding offers the message body as the command's stdin and asks the type converter for
 * an {@code InputStream} of it. The body here is a {@link SlurmCommand}; that conversion, and the fallback that
 * tries the message itself, miss the converter cache and scan the registry every time: a twentieth of the
 * agent's CPU in a burst of orders. And a stdin would cost commons-exec a pump thread per command.
 */
public final class NoStdinExecBinding extends DefaultExecBinding {

    /** Found by the type check before any conversion; never handed to a command. */
    private static final InputStream NOTHING = new ByteArrayInputStream(new byte[0]);

    @Override
    public ExecCommand readInput(Exchange exchange, ExecEndpoint endpoint) {
        Message in = exchange.getIn();
        Object body = in.getBody();
        in.setBody(NOTHING);
        ExecCommand command;
        try {
            command = super.readInput(exchange, endpoint);
        } finally {
            in.setBody(body);
        }
        return new ExecCommand(command.getExecutable(), command.getArgs(), command.getWorkingDir(), command.getTimeout(),
                command.getExitValues(), null, command.getOutFile(), command.isUseStderrOnEmptyStdout(),
                command.getCommandLogLevel());
    }
}
