package org.waldur.agent;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.waldur.agent.mqtt.SubscriptionManager;

/**
 * After Camel has started (templates loaded): one worker route per partition, then the event subscriptions
 * and their MQTT consumers. Subscribing happens in the background so a Waldur outage never blocks start-up.
 */
final class AgentStartup extends MainListenerSupport {

    @Override
    public void afterStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        PropertiesComponent props = context.getPropertiesComponent();
        int workers = Integer.parseInt(props.resolveProperty("agent.workers").orElse("4"));
        try {
            for (int i = 0; i < workers; i++) {
                String routeId = TemplatedRouteBuilder.builder(context, "event-worker")
                        .routeId("event-worker-" + i)
                        .parameter("partition", String.valueOf(i))
                        .add();
                // routes added after start-up are not started by the supervising route controller
                context.getRouteController().startRoute(routeId);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the event workers", e);
        }
        context.getRegistry().findSingleByType(SubscriptionManager.class).start(context);
    }

    @Override
    public void beforeStop(BaseMainSupport main) {
        SubscriptionManager manager = main.getCamelContext().getRegistry().findSingleByType(SubscriptionManager.class);
        if (manager != null) {
            manager.stop();
        }
    }
}
