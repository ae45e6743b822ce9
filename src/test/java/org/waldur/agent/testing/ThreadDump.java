package org.waldur.agent.testing;

import java.util.Map;
import java.util.function.Predicate;

/** The stacks of this JVM's threads as text, for the message of a test that timed out waiting on the agent. */
public final class ThreadDump {

    private ThreadDump() {
    }

    public static String of(Predicate<Thread> which) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            if (!which.test(t)) {
                continue;
            }
            out.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
            for (StackTraceElement frame : e.getValue()) {
                out.append("    at ").append(frame).append('\n');
            }
        }
        return out.toString();
    }
}
