package org.waldur.agent.sandbox.waldur;

import java.nio.file.Path;

/** For the benchmark: a fake Waldur that checks nothing, so schema validation does not compete with the agent for CPU. */
public final class BenchContracts {

    private BenchContracts() {
    }

    public static OpenApiContract none() {
        return OpenApiContract.unavailable(Path.of("not-checked-in-the-benchmark"));
    }
}
