package org.waldur.agent.health;

import java.util.List;
import java.util.Map;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: every route other than the MQTT consumers is started (workers, dispatch, REST, SLURM, timers).
 *
 * <p>Replaces Camel's stock {@code routes} and {@code consumers} checks, which application.properties turns
 * off: they cache one check per Route and Consumer object and never drop it, and the subscription manager adds
 * and removes a consumer route on every failed connection attempt, so during a broker outage they would grow
 * without bound. They also report the consumer routes (auto-startup false) as UP whatever their state, so
 * they say nothing about MQTT; {@link MqttConsumersHealthCheck} does.
 */
public final class AgentRoutesHealthCheck extends AbstractHealthCheck {

    public static final String ID = "agent-routes";
    /** The template of the MQTT consumer routes (routes/10-mqtt-consumer.camel.yaml). */
    private static final String CONSUMER_TEMPLATE = "waldur-mqtt-consumer";

    public AgentRoutesHealthCheck() {
        super("waldur-agent", ID);
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> notStarted = getCamelContext().getRoutes().stream()
                .filter(route -> !CONSUMER_TEMPLATE.equals(route.getProperties().get(Route.TEMPLATE_PROPERTY)))
                .map(Route::getRouteId)
                .filter(id -> id != null)
                .filter(id -> {
                    ServiceStatus status = getCamelContext().getRouteController().getRouteStatus(id);
                    return status != null && !status.isStarted();
                })
                .sorted()
                .toList();
        builder.detail("routes.notStarted", String.join(",", notStarted));
        if (notStarted.isEmpty()) {
            builder.up();
        } else {
            builder.message("routes not started: " + String.join(", ", notStarted));
            builder.down();
        }
    }
}
