package org.waldur.agent.sandbox.waldur;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Scripted failures and delays, checked before anything else so they look like a broken proxy. */
final class FaultInjector {

    /** An injected answer. */
    record Fault(int status, byte[] body) {
    }

    private static final class Rule {
        final String method;
        final Pattern path;
        final Fault fault;
        int remaining;

        Rule(String method, Pattern path, Fault fault, int remaining) {
            this.method = method;
            this.path = path;
            this.fault = fault;
            this.remaining = remaining;
        }
    }

    private final List<Rule> rules = new ArrayList<>();
    private Fault failAll;
    private volatile Duration delay = Duration.ZERO;

    synchronized void failNext(String method, String pathRegex, int status, int times, String body) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be >= 1");
        }
        rules.add(new Rule(method.toUpperCase(java.util.Locale.ROOT), Pattern.compile(pathRegex),
                fault(status, body), times));
    }

    synchronized void failAll(int status, String body) {
        failAll = fault(status, body);
    }

    synchronized void clear() {
        rules.clear();
        failAll = null;
        delay = Duration.ZERO;
    }

    void delay(Duration delay) {
        this.delay = delay == null ? Duration.ZERO : delay;
    }

    Duration delay() {
        return delay;
    }

    /** The fault for this request, consuming one use of the first matching rule. */
    synchronized Optional<Fault> next(String method, String path) {
        if (failAll != null) {
            return Optional.of(failAll);
        }
        for (Iterator<Rule> it = rules.iterator(); it.hasNext(); ) {
            Rule rule = it.next();
            if ((rule.method.equals("*") || rule.method.equals(method)) && rule.path.matcher(path).matches()) {
                if (--rule.remaining == 0) {
                    it.remove();
                }
                return Optional.of(rule.fault);
            }
        }
        return Optional.empty();
    }

    private static Fault fault(int status, String body) {
        String text = body != null ? body
                : Json.string(Json.detail("FakeWaldur injected HTTP " + status));
        return new Fault(status, text.getBytes(StandardCharsets.UTF_8));
    }
}
