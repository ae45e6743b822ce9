package org.waldur.agent.waldur;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/** Pagination of Waldur lists: page_size and the Link header's rel="next" (waldur-protocol.md §7.1). */
public final class WaldurPages {

    static final int PAGE_SIZE = 100;
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

    /** Puts page_size on the request and starts an empty result list. */
    public void start(Exchange exchange) {
        String request = exchange.getMessage().getHeader(WaldurRequests.REQUEST_HEADER, String.class);
        String withSize = request.contains("page_size=") ? request
                : request + (request.contains("?") ? "&" : "?") + "page_size=" + PAGE_SIZE;
        exchange.setVariable("nextPage", withSize);
        exchange.setVariable("items", new ArrayList<>());
    }

    /** Adds a page's items and works out the next request from the Link header, if there is a next page. */
    @SuppressWarnings("unchecked")
    public void collect(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        List<Object> items = exchange.getVariable("items", List.class);
        if (body instanceof List<?> page) {
            items.addAll(page);
        } else if (body != null) {
            throw new IllegalStateException("Waldur list answered with " + body.getClass().getSimpleName() + ", not a list");
        }
        String link = exchange.getMessage().getHeader("Link", String.class);
        String next = null;
        if (link != null) {
            Matcher m = NEXT.matcher(link);
            if (m.find()) {
                java.net.URI uri = java.net.URI.create(m.group(1));
                next = "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            }
        }
        exchange.setVariable("nextPage", next);
        exchange.getMessage().removeHeader("Link");
    }
}
