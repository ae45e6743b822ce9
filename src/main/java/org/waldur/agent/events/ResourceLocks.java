package org.waldur.agent.events;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * Events are partitioned by the object they name (order, resource, project), so two workers could still
 * reach the same allocation — a role change for its project while the resource itself is synchronised.
 * Every step that changes one resource's SLURM state runs under that resource's lock, so two workers
 * never touch the same resource at the same time. Reentrant: nested calls on one worker do not block.
 */
public final class ResourceLocks {

    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private ProducerTemplate producer;

    /** Sends the exchange to {@code endpoint} while holding the lock of {@code resourceUuid}; failures stay on the exchange. */
    public void call(Exchange exchange, String resourceUuid, String endpoint) {
        if (producer == null) {
            producer = exchange.getContext().createProducerTemplate();
        }
        ReentrantLock lock = locks.computeIfAbsent(resourceUuid == null ? "" : resourceUuid, k -> new ReentrantLock());
        lock.lock();
        try {
            producer.send(endpoint, exchange);
        } finally {
            lock.unlock();
        }
    }
}
