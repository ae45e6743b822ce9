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
 * The routes also use one key that is not a UUID, {@code sacctmgr-writes}, to run sacctmgr writes one at a
 * time ({@link org.waldur.agent.slurm.SlurmCommand#isAccountingWrite}). It is always taken last, inside a
 * resource's lock, so the two never deadlock. Not Camel's throttle EIP in ConcurrentRequests mode: it drops its
 * permit state 10 s after a release and then lets a second exchange in while the first still runs, and a
 * sacctmgr run during a slurmdbd outage takes longer than that.
 */
public final class ResourceLocks {

    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private volatile ProducerTemplate producer;

    /** Sends the exchange to {@code endpoint} while holding the lock of {@code resourceUuid}; failures stay on the exchange. */
    public void call(Exchange exchange, String resourceUuid, String endpoint) {
        ProducerTemplate producer = producer(exchange);
        ReentrantLock lock = locks.computeIfAbsent(resourceUuid == null ? "" : resourceUuid, k -> new ReentrantLock());
        lock.lock();
        try {
            producer.send(endpoint, exchange);
        } finally {
            lock.unlock();
        }
    }

    private ProducerTemplate producer(Exchange exchange) {
        ProducerTemplate p = producer;
        if (p == null) {
            synchronized (this) {
                p = producer;
                if (p == null) {
                    p = exchange.getContext().createProducerTemplate();
                    producer = p;
                }
            }
        }
        return p;
    }
}
