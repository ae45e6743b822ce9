package org.waldur.agent.slurm;

import java.util.Map;

/**
 * An account to ensure: sacctmgr's name, description, organization and parent fields (slurm.md §2), and the
 * GrpTRESMins (SLURM units) it gets when it is added; empty for customer and project accounts.
 */
public final class AccountSpec {

    private final String name;
    private final String description;
    private final String organization;
    private final String parent;
    private final Map<String, Long> grpTresMins;

    public AccountSpec(String name, String description, String organization, String parent) {
        this(name, description, organization, parent, Map.of());
    }

    private AccountSpec(String name, String description, String organization, String parent, Map<String, Long> grpTresMins) {
        this.name = name;
        this.description = description;
        this.organization = organization;
        this.parent = parent;
        this.grpTresMins = Map.copyOf(grpTresMins);
    }

    /** The same account, added with these limits: one {@code add account} instead of an add and a modify. */
    public AccountSpec withGrpTresMins(Map<String, Long> limits) {
        return new AccountSpec(name, description, organization, parent, limits);
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

    public Map<String, Long> getGrpTresMins() {
        return grpTresMins;
    }

    public boolean isCarryingLimits() {
        return !grpTresMins.isEmpty();
    }

    @Override
    public String toString() {
        return name;
    }
}
