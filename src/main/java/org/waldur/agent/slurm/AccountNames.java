package org.waldur.agent.slurm;

import java.util.Locale;

/**
 * SLURM account names of the three tiers (protocol §1.4): customer = customer_prefix + customer slug,
 * project = project_prefix + project slug, allocation = allocation_prefix + resource slug. All three are
 * lowercased: SLURM stores names in lower case, and a mixed-case name would not match what sacctmgr prints.
 */
public final class AccountNames {

    /** The three account names of one resource. */
    public record Hierarchy(String customer, String project, String allocation) {
    }

    private final String customerPrefix;
    private final String projectPrefix;
    private final String allocationPrefix;

    /** Null prefixes count as empty, as in the reference agent. */
    public AccountNames(String customerPrefix, String projectPrefix, String allocationPrefix) {
        this.customerPrefix = customerPrefix == null ? "" : customerPrefix;
        this.projectPrefix = projectPrefix == null ? "" : projectPrefix;
        this.allocationPrefix = allocationPrefix == null ? "" : allocationPrefix;
    }

    public String customer(String resourceUuid, String customerSlug) {
        return name("customer account", customerPrefix, require(resourceUuid, "customer_slug", customerSlug));
    }

    public String project(String resourceUuid, String projectSlug) {
        return name("project account", projectPrefix, require(resourceUuid, "project_slug", projectSlug));
    }

    public String allocation(String resourceUuid, String resourceSlug) {
        return name("allocation account", allocationPrefix, require(resourceUuid, "slug", resourceSlug));
    }

    /** All three names; fails on the first missing slug or invalid name. */
    public Hierarchy forResource(String resourceUuid, String customerSlug, String projectSlug, String resourceSlug) {
        return new Hierarchy(customer(resourceUuid, customerSlug), project(resourceUuid, projectSlug),
                allocation(resourceUuid, resourceSlug));
    }

    private static String require(String resourceUuid, String field, String slug) {
        if (slug == null || slug.isBlank()) {
            throw new InvalidResourceDataException("Resource " + EscapedText.escapeAndLimit(resourceUuid, 100) + " has no " + field);
        }
        return slug;
    }

    private static String name(String field, String prefix, String slug) {
        return SlurmNames.account(field, (prefix + slug).toLowerCase(Locale.ROOT));
    }
}
