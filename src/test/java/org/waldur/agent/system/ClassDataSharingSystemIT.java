package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/create-cds-archive.sh} on the packaged jar writes an archive that java maps for that jar
 * ({@code -Xshare:on} refuses to start otherwise) and the agent says so; for a copy of the jar elsewhere
 * the agent warns that the archive is not used.
 */
class ClassDataSharingSystemIT {

    private static final Path JAR = Path.of(System.getProperty("agent.jar", "target/waldur-camel-agent.jar")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theScriptsArchiveFitsTheJarItWasMadeForAndOnlyThatOne() throws Exception {
        Path archive = dir.resolve("agent.jsa");
        Result made = run(List.of("sh", "bin/create-cds-archive.sh", JAR.toString(), archive.toString()), Path.of("."));
        assertThat(made.exitCode).as(made.output).isZero();
        assertThat(archive).isRegularFile();

        Result used = agent(archive, JAR, "-Xshare:on");
        // exit code 2: the missing configuration file, after the check; -Xshare:on would fail the JVM itself
        assertThat(used.exitCode).as(used.output).isEqualTo(2);
        assertThat(used.output).contains("Class data sharing archive " + archive + " in use")
                .doesNotContain("is not used");

        Path copy = Files.copy(JAR, dir.resolve("elsewhere.jar"));
        Result other = agent(archive, copy, "-Xshare:auto");
        assertThat(other.exitCode).as(other.output).isEqualTo(2);
        assertThat(other.output).contains("Class data sharing archive " + archive + " is not used");
    }

    private Result agent(Path archive, Path jar, String share) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                share, "-XX:SharedArchiveFile=" + archive, "-jar", jar.toString(), "-c", dir.resolve("missing.yaml").toString()));
        return run(command, dir);
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command, Path workDir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("still running after 180 s: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
