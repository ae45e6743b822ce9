package org.waldur.agent.slurm;

import java.util.List;

/** The accounts of one resource: customer → project → allocation, in the order they must exist. */
public final class AccountPlan {

    private final String project;
    private final String allocation;
    private final List<AccountSpec> hierarchy;

    public AccountPlan(String project, String allocation, List<AccountSpec> hierarchy) {
        this.project = project;
        this.allocation = allocation;
        this.hierarchy = List.copyOf(hierarchy);
    }

    public String getProject() {
        return project;
    }

    public String getAllocation() {
        return allocation;
    }

    public List<AccountSpec> getHierarchy() {
        return hierarchy;
    }
}
