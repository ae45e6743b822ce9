package org.waldur.agent.sandbox.broker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import org.junit.jupiter.api.Test;

class EmbeddedMqttBrokerTest {

    @Test
    void aPortTakenBeforeTheBrokerStartsFailsTheStartInsteadOfLeavingABrokerNobodyCanReach() throws Exception {
        try (EmbeddedMqttBroker broker = new EmbeddedMqttBroker();
                ServerSocket taken = new ServerSocket(URI.create(broker.wsUrl()).getPort(), 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(broker::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not start");
        }
    }
}
