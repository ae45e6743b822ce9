package org.waldur.agent.waldur;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.waldur.agent.errors.PermanentFailure;
import org.waldur.agent.errors.TransientFailure;

/**
 * Request preparation and failure classification for the waldur-call route, and the request bodies the
 * routes send (shapes from the OpenAPI schema: OrderApproveByProviderRequest, ResourceBackendIDRequest,
 * ResourceSetLimitsRequest, OrderErrorDetailsRequest, BackendResourceRequest).
 */
public final class WaldurRequests {

    public static final String REQUEST_HEADER = "WaldurRequest";
    private static final int MAX_ERROR_BODY = 500;
    /** Waldur stores error_message in a text field; keep it readable in the UI. */
    private static final int MAX_ERROR_MESSAGE = 2000;

    private final WaldurEndpoints endpoints;

    public WaldurRequests(WaldurEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    /** Splits "METHOD /path?query" into the camel-http headers and serialises the body. */
    public void prepare(Exchange exchange) throws Exception {
        String request = exchange.getMessage().getHeader(REQUEST_HEADER, String.class);
        String offering = exchange.getMessage().getHeader("WaldurOffering", String.class);
        if (request == null || offering == null) {
            throw new IllegalStateException("waldur-call needs the WaldurRequest and WaldurOffering headers");
        }
        int space = request.indexOf(' ');
        String method = request.substring(0, space);
        String target = request.substring(space + 1);
        int q = target.indexOf('?');
        // the enum camel-http reads: given as text, every call took a type-converter lookup that is not
        // cached (about 6 % of the agent's CPU per order in the benchmark profile)
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(method));
        exchange.getMessage().setHeader(Exchange.HTTP_PATH, q < 0 ? target : target.substring(0, q));
        if (q >= 0) {
            exchange.getMessage().setHeader(Exchange.HTTP_QUERY, target.substring(q + 1));
        } else {
            exchange.getMessage().removeHeader(Exchange.HTTP_QUERY);
        }
        exchange.getMessage().removeHeader(Exchange.HTTP_URI);
        Object body = exchange.getMessage().getBody();
        if (body == null || (body instanceof String s && s.isEmpty())) {
            exchange.getMessage().setBody(null);
            exchange.getMessage().removeHeader(Exchange.CONTENT_TYPE);
        } else if (!(body instanceof String)) {
            exchange.getMessage().setBody(WaldurJson.MAPPER.writeValueAsString(body));
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        } else {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        exchange.setVariable("waldurEndpoint", endpoints.uri(offering));
        // a dry run reads Waldur and keeps its event subscriptions, but changes nothing else there
        boolean write = !method.equals("GET") && !target.startsWith("/api/event-subscriptions/");
        exchange.setVariable("waldurDryRun", write && endpoints.isDryRun(offering));
    }

    /** Classifies a failed call: 5xx, 429 and I/O errors are worth retrying; other 4xx are not. */
    public void rethrow(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String request = exchange.getMessage().getHeader(REQUEST_HEADER, String.class);
        if (t instanceof HttpOperationFailedException http) {
            int status = http.getStatusCode();
            String body = excerpt(http.getResponseBody());
            String message = "Waldur answered " + status + " to " + request + (body.isEmpty() ? "" : ": " + body);
            if (status >= 500 || status == 429 || status == 408) {
                throw new TransientFailure(message, http);
            }
            throw new WaldurRequestRejectedException(status, message, http);
        }
        if (t instanceof IOException io) {
            throw new TransientFailure("Waldur unreachable for " + request + ": " + io, io);
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        throw new PermanentFailure("Waldur call " + request + " failed: " + t, t);
    }

    public Map<String, Object> approval() {
        return Map.of();
    }

    public Map<String, Object> backendId(String backendId) {
        return Map.of("backend_id", backendId);
    }

    public Map<String, Object> limits(Map<String, ?> limits) {
        return Map.of("limits", limits);
    }

    public Map<String, Object> erred(String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        String m = message == null ? "unknown failure" : message;
        body.put("error_message", m.length() > MAX_ERROR_MESSAGE ? m.substring(0, MAX_ERROR_MESSAGE) + "…" : m);
        return body;
    }

    /**
     * BackendResourceRequest for {@code POST /api/backend-resources/}: an account found in SLURM, offered to the
     * project for import, with its limits in Waldur units as {@code backend_metadata.limits} (protocol §5.10).
     */
    public Map<String, Object> backendResource(String name, String projectUuid, String offeringUuid, String backendId,
            Map<String, ?> limits) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("project", projectUuid);
        body.put("offering", offeringUuid);
        body.put("backend_id", backendId);
        body.put("backend_metadata", Map.of("limits", limits == null ? Map.of() : limits));
        return body;
    }

    /** Whether two UUIDs from Waldur are the same, whichever form (hex or dashed, any case) each is in. */
    public boolean sameUuid(String a, String b) {
        return a != null && b != null && a.replace("-", "").equalsIgnoreCase(b.replace("-", ""));
    }

    private static String excerpt(String body) {
        if (body == null) {
            return "";
        }
        String b = body.strip().replaceAll("\\s+", " ");
        return b.length() > MAX_ERROR_BODY ? b.substring(0, MAX_ERROR_BODY) + "…" : b;
    }
}
