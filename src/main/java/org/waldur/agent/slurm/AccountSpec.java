package org.waldur.agent.slurm;

/** An account to ensure: sacctmgr's name, description, organization and parent fields (slurm.md §2). */
public final class AccountSpec {

    private final String name;
    private final String description;
    private final String organization;
    private final String parent;

    public AccountSpec(String name, String description, String organization, String parent) {
        this.name = name;
        this.description = description;
        this.organization = organization;
        this.parent = parent;
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    public String getOrganization() {
        return organization;
    }

    public String getParent() {
        return parent;
    }

    @Override
    public String toString() {
        return name;
    }
}
