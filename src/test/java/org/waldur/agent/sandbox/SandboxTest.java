package org.waldur.agent.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.waldur.agent.CommandLine;

/** {@code --sandbox} in-process: the story reaches every outcome and the transcript shows what happened. */
class SandboxTest {

    @Test
    void theStoryRunsToTheEndAndShowsEverySlurmCommand() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int exit;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            exit = Sandbox.run(out);
        }
        String transcript = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(transcript);

        assertThat(exit).as("exit code").isZero();
        // the agent verifies the broker's certificate and reports ready before the story begins
        assertThat(transcript).containsPattern("MQTT 5 broker \\(embedded Artemis\\) +wss://127\\.0\\.0\\.1:\\d+/rmqws  \\(TLS");
        assertThat(transcript).containsPattern("agent ready: GET http://127\\.0\\.0\\.1:\\d+/observe/health/ready -> 200");
        // 1. Create order → accounts and order done
        assertThat(transcript).contains("SLURM $ sacctmgr --parsable2 --noheader --immediate add account hpc_alloc1");
        assertThat(transcript).containsPattern("order [0-9a-f]{32}  Create  done");
        // 2. user_role → association
        assertThat(transcript).containsPattern("SLURM \\$ sacctmgr .*add user alice .*account=hpc_alloc1");
        assertThat(transcript).contains("=> association hpc_alloc1/alice");
        // 3. paused → QoS
        assertThat(transcript).containsPattern("SLURM \\$ sacctmgr .*modify account .*hpc_alloc1.* set .*qos=paused");
        assertThat(transcript).contains("=> QoS of hpc_alloc1: [paused]");
        // 4. Terminate → accounts gone, order done
        assertThat(transcript).containsPattern("SLURM \\$ sacctmgr .*remove account .*hpc_alloc1");
        assertThat(transcript).containsPattern("order [0-9a-f]{32}  Terminate  done");
        String finalSlurm = transcript.substring(transcript.indexOf("== Final SLURM state =="), transcript.indexOf("== Final Waldur state =="));
        // the allocation and its now empty project account are gone; alice keeps her default-account association
        assertThat(finalSlurm).doesNotContain("hpc_alloc1").doesNotContain("hpc_proj1").contains("account hpc_acme");
        assertThat(transcript).contains("MQTT  publish subscription/").contains("REST  POST /api/marketplace-orders/");
        assertThat(transcript).containsPattern("resource Allocation one  backend_id=\\S+  state=Terminated");
    }

    @Test
    void theFlagIsParsed() {
        assertThat(CommandLine.parse(new String[] {"--sandbox"}).sandbox()).isTrue();
        assertThat(CommandLine.parse(new String[0]).sandbox()).isFalse();
    }
}
