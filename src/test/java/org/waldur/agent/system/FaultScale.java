package org.waldur.agent.system;

import java.time.Duration;

/**
 * Sizes of the fault-injection suite. CI runs small sizes so the suite stays within a few minutes on a
 * 2-core machine; {@code -Dfaults.full=true} runs the sizes of issue 5 (500 orders, 10,000 payloads,
 * outages of 60/30/20 s). Each size can also be set on its own.
 */
final class FaultScale {

    private FaultScale() {
    }

    static boolean full() {
        return Boolean.getBoolean("faults.full");
    }

    /** Create orders in the kill -9 burst. */
    static int killOrders() {
        return Integer.getInteger("faults.orders", full() ? 500 : 80);
    }

    /** Create orders in the broker-outage burst (published before the stop). */
    static int brokerOrders() {
        return Integer.getInteger("faults.brokerOrders", full() ? 200 : 60);
    }

    /** Create orders waiting while Waldur or slurmdbd is down. */
    static int outageOrders() {
        return Integer.getInteger("faults.outageOrders", full() ? 50 : 12);
    }

    /** Fuzzed (invalid) payloads. */
    static int fuzzPayloads() {
        return Integer.getInteger("faults.fuzz", full() ? 10_000 : 1_000);
    }

    /** Valid order messages mixed into the fuzz traffic. */
    static int fuzzValidOrders() {
        return Integer.getInteger("faults.fuzzValid", full() ? 200 : 30);
    }

    static Duration waldurOutage() {
        return Duration.ofSeconds(Long.getLong("faults.waldurOutageSeconds", full() ? 60 : 20));
    }

    static Duration slurmdbdOutage() {
        return Duration.ofSeconds(Long.getLong("faults.slurmdbdOutageSeconds", full() ? 30 : 12));
    }

    static Duration brokerOutage() {
        return Duration.ofSeconds(Long.getLong("faults.brokerOutageSeconds", full() ? 20 : 10));
    }

    static String describe() {
        return "faults.full=" + full() + " orders=" + killOrders() + " brokerOrders=" + brokerOrders()
                + " outageOrders=" + outageOrders() + " fuzz=" + fuzzPayloads() + "+" + fuzzValidOrders()
                + " outages waldur/slurmdbd/broker=" + waldurOutage().toSeconds() + "/" + slurmdbdOutage().toSeconds()
                + "/" + brokerOutage().toSeconds() + " s";
    }
}
