package org.waldur.agent.metrics;

import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Times every Waldur REST call (camel-http) and every program run (camel-exec: sacctmgr, sacct, scancel, id, …) from
 * Camel's "exchange sent" events, so no route needs a metrics step.
 *
 * <p>Camel's own per-endpoint timers (camel.metrics.enableExchangeEventNotifier) are turned off instead: they
 * are labelled with the endpoint URI, and the REST URIs carry order and resource UUIDs, one time series per
 * order. Here the path is labelled with its ids replaced by {id}.
 */
public final class CallMetricsNotifier extends EventNotifierSupport {

    /** A path segment kept as it is: words such as marketplace-orders or set_state_done. */
    private static final Pattern WORD = Pattern.compile("[a-z][a-z_-]*");
    /** …unless it could be an id written in hex (a UUID without dashes may have no digit). */
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f-]{8,}");

    private final AgentMetrics metrics;

    public CallMetricsNotifier(AgentMetrics metrics) {
        this.metrics = metrics;
        // only "sent" events are counted; skipping the others keeps this off every other hot path. "Sending"
        // events must stay enabled: Camel times a send, and emits "sent", only when a notifier took "sending".
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeSendingEvent || event instanceof ExchangeSentEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof ExchangeSentEvent sent)) {
            return;
        }
        Endpoint endpoint = sent.getEndpoint();
        Exchange exchange = sent.getExchange();
        if (endpoint instanceof ExecEndpoint exec) {
            Timer.builder("waldur.agent.commands")
                    .description("Programs run by the agent (sacctmgr, sacct, scancel, id, …), by outcome")
                    .tag("command", programName(exec.getExecutable()))
                    .tag("outcome", commandOutcome(exchange))
                    .register(metrics.registry())
                    .record(sent.getTimeTaken(), TimeUnit.MILLISECONDS);
        } else if (isHttp(endpoint)) {
            Timer.builder("waldur.agent.waldur.requests")
                    .description("Waldur REST calls, by method, path (ids replaced by {id}) and HTTP status")
                    .tag("method", String.valueOf(exchange.getMessage().getHeader(Exchange.HTTP_METHOD)))
                    .tag("path", pathTemplate(exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class)))
                    .tag("status", status(exchange))
                    .register(metrics.registry())
                    .record(sent.getTimeTaken(), TimeUnit.MILLISECONDS);
        }
    }

    private static boolean isHttp(Endpoint endpoint) {
        String uri = endpoint.getEndpointUri().toLowerCase(Locale.ROOT);
        return uri.startsWith("http://") || uri.startsWith("https://") || uri.startsWith("http:") || uri.startsWith("https:");
    }

    static String programName(String executable) {
        if (executable == null || executable.isBlank()) {
            return "unknown";
        }
        String name = executable.substring(executable.lastIndexOf('/') + 1);
        return name.isBlank() ? "unknown" : name;
    }

    private static String commandOutcome(Exchange exchange) {
        if (exchange.getException() != null) {
            return "error";
        }
        Integer exit = exchange.getMessage().getHeader(ExecBinding.EXEC_EXIT_VALUE, Integer.class);
        return exit != null && exit == 0 ? "ok" : "failed";
    }

    private static String status(Exchange exchange) {
        Exception e = exchange.getException();
        if (e instanceof HttpOperationFailedException http) {
            return String.valueOf(http.getStatusCode());
        }
        if (e != null) {
            return "error";
        }
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return code == null ? "unknown" : String.valueOf(code);
    }

    /** {@code /api/marketplace-orders/4f…e1/approve_by_provider/} → {@code /api/marketplace-orders/{id}/approve_by_provider/}. */
    static String pathTemplate(String path) {
        if (path == null || path.isBlank()) {
            return "unknown";
        }
        String[] segments = path.split("/", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (i > 0) {
                sb.append('/');
            }
            if (s.isEmpty() || (WORD.matcher(s).matches() && !HEX_ID.matcher(s).matches())) {
                sb.append(s);
            } else {
                sb.append("{id}");
            }
        }
        return sb.toString();
    }
}
