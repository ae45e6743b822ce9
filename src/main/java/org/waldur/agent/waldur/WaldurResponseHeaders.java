package org.waldur.agent.waldur;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Which HTTP headers of Waldur's answers become Camel headers: only {@code Link}, which pagination follows
 * ({@code WaldurPages}). Every route that calls Waldur with {@code variableReceive} keeps each header of the
 * answer as a variable ({@code header:<variable>.<name>}), and every later copy of the exchange copies those
 * too; Waldur's other headers (Allow, Vary, Date, X-Frame-Options, …) were a cost per order for nothing.
 * No request header is ever sent from the exchange ({@code skipRequestHeaders=true} on the endpoint).
 */
public final class WaldurResponseHeaders implements HeaderFilterStrategy {

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !"Link".equalsIgnoreCase(headerName);
    }
}
