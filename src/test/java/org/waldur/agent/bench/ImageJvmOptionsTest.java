package org.waldur.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageJvmOptionsTest {

    @Test
    void theBenchmarkRunsTheAgentWithTheImagesOptionsOutsideAContainer() {
        String archive = "-XX:SharedArchiveFile=" + Path.of("target/waldur-camel-agent.jsa").toAbsolutePath();
        assertThat(Benchmark.imageJvmOptions(true))
                .contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djdk.lang.Process.launchMechanism=VFORK", "-Xmx256m", archive)
                .noneMatch(o -> o.startsWith("-XX:MaxRAMPercentage") || o.equals("-XX:SharedArchiveFile=/deployments/waldur-camel-agent.jsa"));
        assertThat(Benchmark.imageJvmOptions(false)).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile"))
                .contains("-XX:TieredStopAtLevel=1");
    }
}
