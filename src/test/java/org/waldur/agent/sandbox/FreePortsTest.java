package org.waldur.agent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsComeFromBelowTheEphemeralRangeSoNoOutgoingConnectionTakesThem() throws Exception {
        for (int i = 0; i < 20; i++) {
            int port = FreePorts.onLoopback();
            assertThat(port).isBetween(10000, FreePorts.ephemeralLow() - 1);
            // and it can be listened on
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void aPortIsHandedOutOnceEvenWhileNobodyListensOnItYet() throws Exception {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            assertThat(ports.add(FreePorts.onLoopback())).isTrue();
        }
    }

    @Test
    void aPortSomeoneListensOnIsNotFree() throws Exception {
        int port = FreePorts.onLoopback();
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(FreePorts.isFree(port)).isFalse();
        }
        assertThat(FreePorts.isFree(port)).isTrue();
    }
}
