package org.waldur.agent.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class ResourceLocksTest {

    @Test
    void twoWorkersNeverWorkOnTheSameResourceAtOnceButDifferentResourcesRunTogether() throws Exception {
        AtomicInteger insideA = new AtomicInteger();
        AtomicInteger maxInsideA = new AtomicInteger();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        CountDownLatch bothStarted = new CountDownLatch(2);
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:work").process(e -> {
                        boolean a = "a".equals(e.getMessage().getHeader("key"));
                        int now = inside.incrementAndGet();
                        maxInside.accumulateAndGet(now, Math::max);
                        if (a) {
                            maxInsideA.accumulateAndGet(insideA.incrementAndGet(), Math::max);
                        }
                        bothStarted.countDown();
                        // wait (bounded) for a second worker, which proves the lock when it cannot come
                        bothStarted.await(300, java.util.concurrent.TimeUnit.MILLISECONDS);
                        if (a) {
                            insideA.decrementAndGet();
                        }
                        inside.decrementAndGet();
                    });
                }
            });
            context.start();
            ResourceLocks locks = new ResourceLocks();
            List<Thread> threads = new ArrayList<>();
            for (String key : new String[] {"a", "a", "a", "b"}) {
                Thread t = new Thread(() -> {
                    Exchange exchange = new DefaultExchange(context);
                    exchange.getMessage().setHeader("key", key);
                    locks.call(exchange, key, "direct:work");
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
        assertThat(maxInsideA.get()).as("work on resource a at the same time").isEqualTo(1);
        assertThat(maxInside.get()).as("resources a and b in parallel").isEqualTo(2);
    }

    @Test
    void aFailureStaysOnTheExchangeAndReleasesTheLock() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:fail").throwException(new IllegalStateException("boom"));
                    from("direct:ok").setBody(constant("done"));
                }
            });
            context.start();
            ResourceLocks locks = new ResourceLocks();
            Exchange failed = new DefaultExchange(context);
            locks.call(failed, "r", "direct:fail");
            assertThat(failed.getException()).hasMessage("boom");
            Exchange next = new DefaultExchange(context);
            Thread t = new Thread(() -> locks.call(next, "r", "direct:ok"));
            t.start();
            t.join(5_000);
            assertThat(next.getMessage().getBody(String.class)).isEqualTo("done");
        }
    }
}
