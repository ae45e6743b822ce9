package org.waldur.agent.periodic;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.waldur.agent.errors.PermanentFailure;
import org.waldur.agent.events.Failures;
import org.waldur.agent.events.PeriodicLimitsEvent;
import org.waldur.agent.slurm.AccountLimitType;
import org.waldur.agent.slurm.SlurmCommand;
import org.waldur.agent.slurm.SlurmGateway;

/**
 * What the periodic-limits route (54-periodic-limits.camel.yaml) calls: the sacctmgr commands a
 * {@code resource_periodic_limits} message asks for, the log of command lines run (a List kept in the exchange
 * variable {@value #LOG}), and the body of {@code report-command-result} (SlurmCommandResultRequest).
 */
public final class PeriodicLimits {

    /** The exchange variable holding the command lines run for the current message. */
    public static final String LOG = "commandsExecuted";
    /** Waldur keeps error_message in a text field; keep it readable in the UI. */
    private static final int MAX_ERROR_MESSAGE = 2000;

    private final SlurmGateway slurm;

    public PeriodicLimits(SlurmGateway slurm) {
        this.slurm = slurm;
    }

    /** Starts an empty log of command lines in variable {@value #LOG}. */
    public void start(Exchange exchange) {
        exchange.setVariable(LOG, new ArrayList<String>());
    }

    /** Appends the command in the body to the log, before it runs: a command that fails was still executed. */
    @SuppressWarnings("unchecked")
    public void record(Exchange exchange) {
        SlurmCommand command = exchange.getMessage().getBody(SlurmCommand.class);
        List<String> log = exchange.getVariable(LOG, List.class);
        if (command == null || log == null) {
            throw new IllegalStateException("record needs a SlurmCommand body and variable " + LOG);
        }
        log.add(command.toString());
    }

    /**
     * The modifications, in order: fairshare (if given), one {@code set <limit_type>=<tres>=<value>} per TRES (limit
     * type from the message, else the offering's {@code periodic_limits.limit_type}, else GrpTRESMins), then
     * {@code RawUsage=0} when asked.
     */
    public List<SlurmCommand> commands(String offeringKey, PeriodicLimitsEvent event) {
        String account = event.getBackendId();
        List<SlurmCommand> commands = new ArrayList<>();
        if (event.getFairshare() != null) {
            commands.add(slurm.setFairshare(offeringKey, account, event.getFairshare()));
        }
        if (!event.getLimits().isEmpty()) {
            AccountLimitType type = event.getLimitType() != null ? event.getLimitType() : slurm.periodicLimitType(offeringKey);
            event.getLimits().forEach((tres, value) -> commands.add(slurm.setAccountLimit(offeringKey, account, type, tres, value)));
        }
        if (event.isResetRawUsage()) {
            commands.add(slurm.resetRawUsage(offeringKey, account));
        }
        return commands;
    }

    /** The {@code index}th of {@link #commands}, for the route's loop. */
    public SlurmCommand command(List<SlurmCommand> commands, int index) {
        return commands.get(index);
    }

    /**
     * The reason of the permanent failure being handled, for error_message: the message of the PermanentFailure
     * itself, also when Camel wrapped it.
     */
    public String failure(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (t == null) {
            t = exchange.getException();
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof PermanentFailure) {
                return limit(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
            }
        }
        return limit(Failures.reason(t));
    }

    /** The report-command-result body; {@code error} is ignored on success. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> report(Exchange exchange) {
        PeriodicLimitsEvent event = exchange.getVariable("periodic", PeriodicLimitsEvent.class);
        boolean success = Boolean.TRUE.equals(exchange.getVariable("periodicSuccess", Boolean.class));
        String error = exchange.getVariable("periodicError", String.class);
        List<String> log = exchange.getVariable(LOG, List.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resource_uuid", event.getResourceUuid());
        body.put("success", success);
        body.put("error_message", success || error == null ? "" : limit(error));
        body.put("mode", "production");
        body.put("commands_executed", log == null ? List.of() : List.copyOf(log));
        return body;
    }

    private static String limit(String message) {
        return message.length() > MAX_ERROR_MESSAGE ? message.substring(0, MAX_ERROR_MESSAGE) + "…" : message;
    }
}
