package org.waldur.agent.sandbox.waldur;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/** Scripted failures, delays and held answers, checked before anything else so they look like a broken proxy. */
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

    private record Hold(String method, Pattern path, CountDownLatch release) {
    }

    private final List<Rule> rules = new ArrayList<>();
    private final List<Hold> holds = new CopyOnWriteArrayList<>();
    private final AtomicInteger held = new AtomicInteger();
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

    void hold(String method, String pathRegex, CountDownLatch release) {
        holds.add(new Hold(method.toUpperCase(java.util.Locale.ROOT), Pattern.compile(pathRegex), release));
    }

    /** Keeps a request that a hold matches until its latch is released (at most a minute). */
    void awaitRelease(String method, String path) throws InterruptedException {
        for (Hold h : holds) {
            if ((h.method().equals("*") || h.method().equals(method)) && h.path().matcher(path).matches()) {
                held.incrementAndGet();
                try {
                    h.release().await(1, TimeUnit.MINUTES);
                } finally {
                    held.decrementAndGet();
                }
            }
        }
    }

    int held() {
        return held.get();
    }

    synchronized void clear() {
        holds.clear();
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
