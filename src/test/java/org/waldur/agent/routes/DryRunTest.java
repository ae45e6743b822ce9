package org.waldur.agent.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.waldur.agent.testing.AgentFixture;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.sandbox.waldur.WaldurResource;

/** backend_settings.dry_run: the agent shows what it would do and changes nothing. */
class DryRunTest {

    @Test
    void aDryRunRunsNoSlurmCommandAndChangesNothingInWaldurButLogsBoth() throws Exception {
        List<String> lines = new ArrayList<>();
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        AbstractAppender capture = new AbstractAppender("dryrun-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                synchronized (lines) {
                    lines.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        capture.start();
        logs.getConfiguration().getRootLogger().addAppender(capture, null, null);
        try (AgentFixture f = new AgentFixture()) {
            f.backendSettingsYaml("      dry_run: true\n");
            f.broker.start();
            f.startAgent();
            f.awaitConnected();
            WaldurResource resource = f.resource("Dry", "dry", 2, 2);
            WaldurOrder order = f.waldur.newOrder(resource).type("Create").state("executing").create();
            f.waldur.resetRequests();

            f.publishOrder(order.uuid(), "executing");

            await().atMost(Duration.ofSeconds(20)).until(() -> {
                synchronized (lines) {
                    return lines.stream().anyMatch(l -> l.startsWith("DRY RUN: would send POST /api/marketplace-orders/" + order.uuid() + "/set_state_done/"));
                }
            });
            synchronized (lines) {
                assertThat(lines).anyMatch(l -> l.startsWith("DRY RUN: would run ") && l.contains("add account hpc_dry"));
                assertThat(lines).anyMatch(l -> l.startsWith("DRY RUN: would run ") && l.contains("GrpTRESMins=cpu=120000,mem=122880"));
                assertThat(lines).anyMatch(l -> l.contains("would send POST /api/marketplace-provider-resources/" + resource.uuid() + "/set_backend_id/"));
            }
            assertThat(f.slurm.calls()).isEmpty();
            assertThat(f.waldur.requests()).allMatch(r -> r.method().equals("GET"));
            assertThat(f.waldur.order(order.uuid()).state()).isEqualTo("executing");
            assertThat(f.waldur.resource(resource.uuid()).backendId()).isNullOrEmpty();
        } finally {
            logs.getConfiguration().getRootLogger().removeAppender("dryrun-capture");
        }
    }
}
