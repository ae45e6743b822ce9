package org.waldur.agent.sandbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the sandbox's own listeners, which all bind 127.0.0.1.
 *
 * <p>A port is chosen now and bound later (a broker's URL goes into the agent's configuration before the broker
 * starts, and a restarted broker keeps its ports). A port from the kernel's ephemeral range can be taken in
 * between as the local port of any outgoing connection, the agent's own included; Artemis then starts without
 * that listener and only logs the failed bind. So ports come from below the ephemeral range, where the kernel
 * never picks local ports by itself.
 */
public final class FreePorts {

    /** Linux's default ephemeral range starts here; read from the kernel where it can be. */
    private static final int DEFAULT_EPHEMERAL_LOW = 32768;
    private static final int LOWEST = 10000;
    private static final int ATTEMPTS = 200;
    /** Chosen ports are bound later, so a second choice must not fall on one not bound yet. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port that is free on the loopback interface right now and that no outgoing connection will take. */
    public static int onLoopback() throws IOException {
        int high = ephemeralLow();
        if (high - LOWEST >= 1000) {
            for (int i = 0; i < ATTEMPTS; i++) {
                int candidate = ThreadLocalRandom.current().nextInt(LOWEST, high);
                if (isFree(candidate) && HANDED_OUT.add(candidate)) {
                    return candidate;
                }
            }
        }
        // an unusual ephemeral range: the kernel's choice, free now
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int ephemeralLow() {
        try {
            // not Files.readString: it trusts the size procfs reports and returned "3" here
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
