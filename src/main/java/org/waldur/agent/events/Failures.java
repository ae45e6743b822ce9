package org.waldur.agent.events;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;

/** Turns exceptions into the reasons operators and Waldur users read: dead-letter entries and order error messages. */
public final class Failures {

    private static final int MAX_PAYLOAD = 64 * 1024;

    /** The reason for the exception that is being handled: "<what failed>: <why>", no stack trace. */
    public String describe(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (t == null) {
            t = exchange.getException();
        }
        return reason(t);
    }

    public static String reason(Throwable t) {
        if (t == null) {
            return "unknown failure";
        }
        // Jackson wraps our validation errors, a split ("Multicast processing failed…") the failure of a part;
        // the inner message is the one that explains
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root
                && (root instanceof com.fasterxml.jackson.core.JsonProcessingException || root instanceof org.apache.camel.CamelExecutionException
                    || root instanceof org.apache.camel.RuntimeCamelException || root instanceof org.apache.camel.CamelExchangeException)) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (root instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
            message = "invalid payload: " + jpe.getOriginalMessage() + pathOf(jpe);
        }
        if (message == null || message.isBlank()) {
            message = root.getClass().getSimpleName();
        }
        return message;
    }

    private static String pathOf(com.fasterxml.jackson.core.JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jme && !jme.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder(" (field ");
            jme.getPath().forEach(r -> sb.append(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]"));
            return sb.append(')').toString();
        }
        return "";
    }

    /** One dead-letter record: when, why, where, and the original payload as received. */
    public Map<String, Object> deadLetter(Exchange exchange) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("timestamp", Instant.now().toString());
        entry.put("reason", describe(exchange));
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        entry.put("exception", t == null ? null : t.getClass().getName());
        entry.put("route", exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class));
        entry.put("offering", exchange.getMessage().getHeader("WaldurOffering", String.class));
        entry.put("object_type", exchange.getMessage().getHeader("WaldurObjectType", String.class));
        entry.put("topic", exchange.getMessage().getHeader(PahoMqtt5Constants.MQTT_TOPIC, String.class));
        String payload = exchange.getMessage().getBody(String.class);
        if (payload != null && payload.length() > MAX_PAYLOAD) {
            entry.put("payload_truncated_from", payload.length());
            payload = payload.substring(0, MAX_PAYLOAD);
        }
        entry.put("payload", payload);
        return entry;
    }

    /** Quotes a value for a message, escaping control characters so a payload cannot forge log lines. */
    public static String quote(Object value) {
        if (value == null) {
            return "null";
        }
        String s = String.valueOf(value);
        if (s.length() > 80) {
            s = s.substring(0, 80) + "…";
        }
        StringBuilder sb = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            sb.append(c < ' ' || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.append('\'').toString();
    }
}
