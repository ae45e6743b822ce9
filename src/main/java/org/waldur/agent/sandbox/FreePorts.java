package org.waldur.agent.sandbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for the sandbox's own listeners, which all bind 127.0.0.1. */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port free on the loopback interface right now (the OS's choice). */
    public static int onLoopback() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
