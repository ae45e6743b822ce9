package org.waldur.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLauncherTest {

    @TempDir
    Path dir;

    @Test
    void anInvalidConfigurationExitsWithCode2AndNamesTheProblem() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                offerings:
                  - name: "HPC"
                    waldur_api_url: "https://waldur.example.com/api/"
                    waldur_offering_uuid: "d629d5e45567425da9cdbdc1af67b32c"
                    backend_type: slurm
                """);
        String stderr = captureStderr(() -> assertThat(new AgentLauncher(CommandLine.parse(new String[] {"-c", config.toString()})).run())
                .isEqualTo(AgentLauncher.EXIT_CONFIG));
        assertThat(stderr).contains("offering 'HPC' (offerings[0]): 'waldur_api_token' is missing");
    }

    @Test
    void aMissingConfigurationFileExitsWithCode2() throws Exception {
        String stderr = captureStderr(() -> assertThat(new AgentLauncher(CommandLine.parse(
                new String[] {"--config-file=" + dir.resolve("missing.yaml")})).run()).isEqualTo(2));
        assertThat(stderr).contains("does not exist");
    }

    @Test
    void theDefaultConfigFileIsThePythonAgentsName() {
        assertThat(CommandLine.parse(new String[0]).configFile()).isEqualTo(Path.of("waldur-site-agent-config.yaml"));
        assertThat(CommandLine.parse(new String[] {"-c", "/etc/waldur/x.yaml"}).configFile()).isEqualTo(Path.of("/etc/waldur/x.yaml"));
    }

    private interface Body {
        void run() throws Exception;
    }

    private static String captureStderr(Body body) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(old);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
