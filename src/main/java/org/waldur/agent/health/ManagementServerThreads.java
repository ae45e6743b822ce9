package org.waldur.agent.health;

import io.vertx.core.VertxOptions;

/**
 * The threads of the management server (health checks, metrics). Camel's Vert.x server takes a
 * {@link VertxOptions} bean when there is one; Vert.x's defaults are sized for a web application (two event
 * loops per core, 20 worker threads, all 20 started by a few dozen probes) where this one answers a probe
 * or a scrape every few seconds.
 */
public final class ManagementServerThreads {

    private ManagementServerThreads() {
    }

    public static VertxOptions vertxOptions() {
        return new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2).setInternalBlockingPoolSize(2);
    }
}
