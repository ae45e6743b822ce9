package org.waldur.agent.sandbox.waldur;

/**
 * A SLURM periodic usage policy of an offering ({@code SlurmPeriodicUsagePolicy}); only its
 * identity matters to the agent, which reports command results to it. Add with
 * {@link FakeWaldur#addPeriodicUsagePolicy(WaldurOffering)}.
 *
 * @param uuid 32-char hex
 * @param offeringUuid the offering it is scoped to
 */
public record WaldurPeriodicUsagePolicy(String uuid, String offeringUuid) {
}
