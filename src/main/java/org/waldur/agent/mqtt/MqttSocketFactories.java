package org.waldur.agent.mqtt;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.waldur.agent.config.OfferingConfig;

/**
 * The socket factory of an offering's MQTT connection. TLS verifies the broker certificate against the
 * JVM trust store, or {@code agent.tls.trustStore} when set. {@code websocket_use_tls: false} keeps TLS
 * but skips verification — the Python agent's meaning — and says so in the log.
 */
public final class MqttSocketFactories {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSocketFactories.class);

    private MqttSocketFactories() {
    }

    public static String beanName(OfferingConfig o) {
        return "mqttSocketFactory-" + o.key();
    }

    public static SocketFactory forOffering(OfferingConfig o, PropertiesComponent props) throws Exception {
        if (!o.brokerUsesTls()) {
            return SocketFactory.getDefault();
        }
        if (!o.websocketUseTls()) {
            LOG.warn("{}: websocket_use_tls is false: the MQTT connection uses TLS WITHOUT verifying the broker certificate", o);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
            return ctx.getSocketFactory();
        }
        return sslContext(props).getSocketFactory();
    }

    /** The verifying SSLContext shared by MQTT and REST: the JVM default, or the configured trust store. */
    public static SSLContext sslContext(PropertiesComponent props) throws Exception {
        String store = props.resolveProperty("agent.tls.trustStore").orElse("");
        if (store.isBlank()) {
            return SSLContext.getDefault();
        }
        KeyStore ks = KeyStore.getInstance(props.resolveProperty("agent.tls.trustStoreType").orElse("PKCS12"));
        char[] password = props.resolveProperty("agent.tls.trustStorePassword").orElse("").toCharArray();
        try (InputStream in = Files.newInputStream(Path.of(store))) {
            ks.load(in, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    /** Only for websocket_use_tls: false, which the site chose explicitly. */
    static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
