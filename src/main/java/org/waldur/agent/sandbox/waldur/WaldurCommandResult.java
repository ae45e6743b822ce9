package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.List;

/**
 * What the agent reported with
 * {@code POST /api/marketplace-slurm-periodic-usage-policies/{uuid}/report-command-result/}.
 *
 * @param policyUuid the policy of the URL
 * @param resourceUuid the resource of the body (normalised to 32-char hex)
 * @param success the body's {@code success}
 * @param errorMessage the body's {@code error_message}, "" when absent (Waldur's default)
 * @param mode {@code production} (default) or {@code emulator}
 * @param commandsExecuted the body's {@code commands_executed}, empty when absent
 * @param userAgent the request's {@code User-Agent} (the Python agent sends {@code site-agent} here)
 * @param at when it was received
 */
public record WaldurCommandResult(String policyUuid, String resourceUuid, boolean success, String errorMessage,
        String mode, List<String> commandsExecuted, String userAgent, Instant at) {

    public WaldurCommandResult {
        commandsExecuted = FixtureMaps.copy(commandsExecuted);
    }
}
