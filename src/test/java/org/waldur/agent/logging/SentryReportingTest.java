package org.waldur.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** sentry_dsn: an ERROR log line reaches the Sentry server of the DSN (here a local stand-in). */
class SentryReportingTest {

    @Test
    void anErrorIsSentToTheConfiguredSentryAndInfoIsNot() throws Exception {
        List<String> envelopes = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                    gz.transferTo(out);
                }
                body = out.toByteArray();
            }
            envelopes.add(new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            SentryReporting.enable("http://publickey@127.0.0.1:" + server.getAddress().getPort() + "/42");
            LoggerFactory.getLogger("org.waldur.agent.test").info("just information");
            LoggerFactory.getLogger("org.waldur.agent.test").error("Dead letter: something broke for order 123");

            await().atMost(Duration.ofSeconds(20)).until(() -> envelopes.stream().anyMatch(e -> e.contains("something broke for order 123")));
            assertThat(envelopes).noneMatch(e -> e.contains("\"message\":\"just information\"") && !e.contains("breadcrumbs"));
        } finally {
            SentryReporting.disable();
            server.stop(0);
        }
    }
}
