package org.waldur.agent.mqtt;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.waldur.agent.config.OfferingConfig;
import org.waldur.agent.tls.TlsContexts;

/**
 * The socket factory of an offering's MQTT connection. TLS verifies the broker certificate.
 * {@code websocket_use_tls: false} keeps TLS but skips verification — the Python agent's meaning — and
 * says so in the log. A plain {@code ws://} URL (tests, private networks) gets a plain socket.
 */
public final class MqttSocketFactories {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSocketFactories.class);

    private MqttSocketFactories() {
    }

    public static String beanName(OfferingConfig o) {
        return "mqttSocketFactory-" + o.key();
    }

    /** @param verifying the agent's verifying TLS context ({@link TlsContexts#verifying}), shared by all offerings */
    public static SocketFactory forOffering(OfferingConfig o, SSLContext verifying) throws Exception {
        if (!o.brokerUsesTls()) {
            return SocketFactory.getDefault();
        }
        if (!o.websocketUseTls()) {
            LOG.warn("{}: websocket_use_tls is false: the MQTT connection uses TLS WITHOUT verifying the broker certificate", o);
            return TlsContexts.nonVerifying().getSocketFactory();
        }
        return verifying.getSocketFactory();
    }
}
