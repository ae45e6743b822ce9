package org.waldur.agent.tls;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.camel.spi.PropertiesComponent;

/** The TLS contexts of MQTT and REST connections: verifying by default, non-verifying only where a site asks for it. */
public final class TlsContexts {

    private TlsContexts() {
    }

    /** Verifies against the JVM trust store, or {@code agent.tls.trustStore} (a private CA) when set. */
    public static SSLContext verifying(PropertiesComponent props) throws Exception {
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

    /** For {@code verify_ssl: false} / {@code websocket_use_tls: false} only, which a site sets explicitly. */
    public static SSLContext nonVerifying() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
        return ctx;
    }

    private static final class TrustAll implements X509TrustManager {
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
