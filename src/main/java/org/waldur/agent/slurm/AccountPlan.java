package org.waldur.agent.slurm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

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

    /** The hierarchy's account names, customer first. */
    public List<String> names() {
        return hierarchy.stream().map(AccountSpec::getName).toList();
    }

    /**
     * The accounts of the hierarchy that {@code show account <all three>} did not list, parents first. A new
     * allocation account carries {@code limits}, so that it is added with them; an existing one is kept as it is.
     *
     * @param showAccountsOutput output of {@link SacctmgrCommands#showAccounts} for {@link #names()}
     * @param limits the limits of a new allocation account; null or without SLURM limits for none
     */
    public List<AccountSpec> missing(String showAccountsOutput, LimitsPlan limits) {
        Set<String> existing = SacctmgrOutput.accounts(showAccountsOutput == null ? "" : showAccountsOutput).stream()
                .map(a -> a.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<AccountSpec> missing = new ArrayList<>();
        for (AccountSpec spec : hierarchy) {
            if (existing.contains(spec.getName().toLowerCase(Locale.ROOT))) {
                continue;
            }
            boolean withLimits = spec.getName().equals(allocation) && limits != null && limits.isHasSlurmLimits();
            missing.add(withLimits ? spec.withGrpTresMins(limits.getSlurm()) : spec);
        }
        return Collections.unmodifiableList(missing);
    }

    /** Whether {@code added} (a {@link #missing} list) creates the allocation account with its limits. */
    public boolean addsAllocationWithLimits(List<AccountSpec> added) {
        return added != null && added.stream().anyMatch(a -> a.getName().equals(allocation) && a.isCarryingLimits());
    }
}
