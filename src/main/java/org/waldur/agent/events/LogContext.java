package org.waldur.agent.events;

import org.apache.camel.Exchange;
import org.slf4j.MDC;

/**
 * Puts the event's offering, object type and subject (order/resource/project UUID) into the logging context,
 * so every log line of its handling carries them. Workers handle one event at a time on their own thread,
 * so each event simply replaces the previous one's values.
 */
public final class LogContext {

    public void enter(Exchange exchange) {
        put("offering", exchange.getMessage().getHeader("WaldurOffering", String.class));
        put("object_type", exchange.getMessage().getHeader("WaldurObjectType", String.class));
        put("subject", exchange.getMessage().getHeader("WaldurSubject", String.class));
    }

    private static void put(String key, String value) {
        if (value == null || value.isEmpty()) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
