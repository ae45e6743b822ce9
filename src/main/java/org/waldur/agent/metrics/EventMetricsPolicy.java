package org.waldur.agent.metrics;

import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Route policy of the event workers (routes/30-dispatch.camel.yaml, {@code routePolicy: eventMetrics}): an
 * event's unit of work starts and ends in its worker route, so this is where it is counted and timed. The
 * outcome is known at the end: the error routes mark failed and dead-lettered events, the idempotent consumer
 * marks duplicates, everything else was processed.
 */
public final class EventMetricsPolicy extends RoutePolicySupport {

    private final AgentMetrics metrics;

    public EventMetricsPolicy(AgentMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
        metrics.workerStarted(exchange);
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
        metrics.workerDone(exchange);
    }
}
