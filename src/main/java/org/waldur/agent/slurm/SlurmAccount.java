package org.waldur.agent.slurm;

/** One row of {@code show account}/{@code list account}; sacctmgr 22.05 stores description and organization in lower case. */
public record SlurmAccount(String name, String description, String organization) {
}
