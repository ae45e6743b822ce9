package org.waldur.agent.events;

import java.io.File;
import java.util.Map;
import org.apache.camel.support.LRUCacheFactory;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;

/**
 * The idempotent consumer's memory of processed order messages: the last {@code capacity} message ids, kept in
 * memory and appended to a file so that they survive a restart (the file is read back at start).
 *
 * <p>Camel's {@link FileIdempotentRepository} also searches the whole file, under its lock, for every id that
 * is not in memory — that is, for every new message. With thousands of ids on file that scan was the largest
 * single cost of an order in the benchmark (about a tenth of the agent's CPU during a burst) and it grows with
 * the file. Here an id counts as processed only while it is among the last {@code capacity} ones, which is what
 * {@code agent.idempotency.cacheSize} promises; the file is only written to and read at start.
 */
public final class ProcessedEvents extends FileIdempotentRepository {

    /** Room per id on file (offering UUID, object type and a 32-digit digest need about 80 bytes). */
    private static final long BYTES_PER_ID = 128;

    public ProcessedEvents(File file, int capacity) {
        super(file, memory(capacity));
        setCacheSize(capacity);
        // the oldest ids are dropped from the file once it holds about twice what memory holds
        setMaxFileStoreSize(2 * capacity * BYTES_PER_ID);
        setDropOldestFileStore(Math.max(1, capacity / 2));
    }

    private static Map<String, Object> memory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("agent.idempotency.cacheSize must be at least 1, not " + capacity);
        }
        return LRUCacheFactory.newLRUCache(capacity);
    }

    @Override
    protected boolean containsStore(String key) {
        return false;
    }
}
