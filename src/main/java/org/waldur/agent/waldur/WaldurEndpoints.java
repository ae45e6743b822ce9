package org.waldur.agent.waldur;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.message.BasicHeader;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.OfferingConfig;

/**
 * Builds the camel-http endpoint for each offering's Waldur. The token and User-Agent are default headers
 * of the offering's HttpClient, and the endpoint skips exchange headers, so no Camel or MQTT header ever
 * reaches Waldur and the token never sits in an exchange where a log step could print it.
 */
public final class WaldurEndpoints {

    /** Waldur's integration status requires "waldur-site-agent" in the User-Agent (waldur-protocol.md §4.6). */
    public static final String USER_AGENT = "waldur-site-agent-event_process/" + version() + " (waldur-camel-agent)";

    /** The bean name of the {@link WaldurResponseHeaders} filter every Waldur endpoint uses. */
    public static final String RESPONSE_HEADERS_BEAN = "waldurResponseHeaders";

    private final AgentConfig config;
    private final Map<String, String> uris = new ConcurrentHashMap<>();

    public WaldurEndpoints(AgentConfig config, PropertiesComponent props) {
        this.config = config;
        for (OfferingConfig o : config.offerings()) {
            StringBuilder uri = new StringBuilder(o.waldurBaseUrl())
                    .append("?skipRequestHeaders=true&headerFilterStrategy=#").append(RESPONSE_HEADERS_BEAN)
                    .append("&httpClientConfigurer=#").append(configurerBeanName(o));
            if (o.waldurBaseUrl().startsWith("https")) {
                uri.append(o.verifySsl()
                        ? "&sslContextParameters=#verifyingSslContext"
                        : "&sslContextParameters=#insecureSslContext&x509HostnameVerifier=#noopHostnameVerifier");
            }
            uris.put(o.key(), uri.toString());
        }
    }

    /** The endpoint URI used with {@code toD}; paths and queries travel in CamelHttpPath / CamelHttpQuery. */
    public String uri(String offeringKey) {
        String uri = uris.get(offeringKey);
        if (uri == null) {
            throw new IllegalArgumentException("No offering with UUID " + offeringKey + " is configured");
        }
        return uri;
    }

    public static String configurerBeanName(OfferingConfig o) {
        return "waldurHttp-" + o.key();
    }

    public HttpClientConfigurer httpClientConfigurer(OfferingConfig o) {
        List<Header> headers = List.of(
                new BasicHeader(HttpHeaders.AUTHORIZATION, "Token " + o.waldurApiToken()),
                new BasicHeader(HttpHeaders.ACCEPT, "application/json"));
        // HttpClient would retry 503/429 on its own, invisibly and without our backoff; the routes own retries
        return builder -> builder.setDefaultHeaders(headers).setUserAgent(USER_AGENT).disableAutomaticRetries();
    }

    public boolean isDryRun(String offeringKey) {
        return config.offering(offeringKey).map(o -> Boolean.TRUE.equals(o.backendSettings().dryRun())).orElse(false);
    }

    private static String version() {
        String v = WaldurEndpoints.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v;
    }
}
