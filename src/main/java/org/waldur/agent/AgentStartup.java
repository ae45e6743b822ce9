package org.waldur.agent;

import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.seda.SedaEndpoint;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.RouteStartedEvent;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.ShutdownStrategy;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.waldur.agent.mqtt.SubscriptionManager;

/**
 * While Camel starts: the event subscriptions and the MQTT connects of their consumers, in the background as
 * soon as the Waldur route runs, so a Waldur outage never blocks start-up. After Camel has started (templates
 * loaded): one worker route per partition; then the consumers may take messages.
 *
 * <p>Before Camel stops (SIGTERM, SIGINT, or {@code Main.completed()} in tests): the MQTT consumers take no
 * new messages, the events already taken (in flight or queued for a worker) are finished and acknowledged
 * within {@code agent.shutdown.timeout} seconds ({@code camel.main.shutdownTimeout}), the consumers
 * disconnect, and with {@code agent.subscriptions.deleteOnShutdown} the subscriptions are deleted in Waldur.
 * Camel then stops the routes with what is left of the timeout (at least 5 s).
 */
final class AgentStartup extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(AgentStartup.class);
    private static final long PROGRESS_LOG_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long STOP_FLOOR_MILLIS = TimeUnit.SECONDS.toMillis(5);

    /** The route through which the subscription manager talks to Waldur (routes/70-waldur-api.camel.yaml). */
    private static final String WALDUR_ROUTE = "waldur-call";

    /**
     * Subscribing starts as soon as the Waldur route runs ({@code startupOrder} 1), so the MQTT connects, which
     * mostly wait, overlap the start of the other routes (README, Performance).
     */
    @Override
    public void beforeStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        SimpleEventNotifierSupport waldurRouteStarted = new SimpleEventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof RouteStartedEvent started && WALDUR_ROUTE.equals(started.getRoute().getRouteId());
            }

            @Override
            public void notify(CamelEvent event) {
                subscriptions(context).start(context);
            }
        };
        // a notifier that takes exchange events makes Camel create them for every exchange
        waldurRouteStarted.setIgnoreExchangeEvents(true);
        waldurRouteStarted.setIgnoreCamelContextEvents(true);
        waldurRouteStarted.setIgnoreServiceEvents(true);
        waldurRouteStarted.setIgnoreStepEvents(true);
        context.getManagementStrategy().addEventNotifier(waldurRouteStarted);
    }

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
        SubscriptionManager subscriptions = subscriptions(context);
        // already started when the Waldur route started; not when an operator's routes lack it
        subscriptions.start(context);
        subscriptions.routesStarted();
    }

    private static SubscriptionManager subscriptions(CamelContext context) {
        return context.getRegistry().findSingleByType(SubscriptionManager.class);
    }

    @Override
    public void beforeStop(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        if (context == null) {
            return;
        }
        ShutdownStrategy strategy = context.getShutdownStrategy();
        long timeoutNanos = strategy.getTimeUnit().toNanos(strategy.getTimeout());
        long deadline = System.nanoTime() + timeoutNanos;
        SubscriptionManager manager = context.getRegistry().findSingleByType(SubscriptionManager.class);
        if (manager != null) {
            manager.stopTakingEvents();
        }
        boolean drained = awaitIdle(context, deadline, timeoutNanos);
        if (manager != null) {
            manager.stopConsumers();
            boolean delete = Boolean.parseBoolean(context.getPropertiesComponent()
                    .resolveProperty("agent.subscriptions.deleteOnShutdown").orElse("false"));
            if (delete) {
                manager.deleteSubscriptions();
            }
        }
        // Then Camel stops the routes. With all work done that takes well under a second (each worker notices
        // the stop when its queue poll times out, see 30-dispatch); it gets what is left of the timeout, at
        // least STOP_FLOOR. With work still running after the timeout, Camel forces the routes down after 1 s.
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        strategy.setTimeUnit(TimeUnit.MILLISECONDS);
        strategy.setTimeout(drained ? Math.max(STOP_FLOOR_MILLIS, left) : TimeUnit.SECONDS.toMillis(1));
    }

    /**
     * Waits until no exchange is in flight and no event waits in a worker queue, or the deadline passes.
     *
     * @return whether everything finished in time
     */
    static boolean awaitIdle(CamelContext context, long deadline, long timeoutNanos) {
        long nextLog = System.nanoTime();
        while (true) {
            int inflight = context.getInflightRepository().size();
            int queued = queuedEvents(context);
            if (inflight == 0 && queued == 0) {
                return true;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                LOG.warn("Shutting down: {} exchange(s) still in flight and {} event(s) queued after {} s; stopping anyway"
                        + " (unacknowledged messages are delivered again after the restart)",
                        inflight, queued, TimeUnit.NANOSECONDS.toSeconds(timeoutNanos));
                return false;
            }
            if (now - nextLog >= 0) {
                LOG.info("Shutting down: waiting for {} exchange(s) in flight and {} queued event(s) to finish, {} s left",
                        inflight, queued, TimeUnit.NANOSECONDS.toSeconds(deadline - now));
                nextLog = now + PROGRESS_LOG_NANOS;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static int queuedEvents(CamelContext context) {
        int queued = 0;
        for (Endpoint endpoint : context.getEndpoints()) {
            if (endpoint instanceof SedaEndpoint seda) {
                queued += seda.getCurrentQueueSize();
            }
        }
        return queued;
    }
}
