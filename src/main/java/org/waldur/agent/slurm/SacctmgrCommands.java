package org.waldur.agent.slurm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Builds the arguments of the SLURM commands the agent runs, as argv lists (never a shell line). Each
 * builder returns what follows the binary and its {@link SlurmTool#prefixFlags() prefix flags}; {@link #argv}
 * prepends those. Names are checked with {@link SlurmNames} before anything is built.
 *
 * <p>With a {@code cluster_name}, sacctmgr commands get {@code cluster=<c>} just before {@code set}, or at the
 * end when there is no {@code set}; QoS, TRES and cluster commands get none, because those objects are global
 * (slurm.md §1 item 3). Unlike the reference agent, the position is decided by the builder, not by scanning
 * the tokens, so an account that happens to be called {@code qos} cannot switch the filter off.
 */
public final class SacctmgrCommands {

    private final String clusterName;

    /** @param clusterName {@code backend_settings.cluster_name}; null or blank for none */
    public SacctmgrCommands(String clusterName) {
        this.clusterName = clusterName == null || clusterName.isBlank() ? null : SlurmNames.cluster(clusterName);
    }

    /** The complete argv: {@code <binPath>/<binary>}, the tool's prefix flags, then {@code args}. */
    public static List<String> argv(String binPath, SlurmTool tool, List<String> args) {
        List<String> argv = new ArrayList<>(1 + tool.prefixFlags().size() + args.size());
        argv.add(tool.executable(binPath));
        argv.addAll(tool.prefixFlags());
        argv.addAll(args);
        return Collections.unmodifiableList(argv);
    }

    /** {@code show account <a>}; output {@code name|descr|org}, nothing when absent. Run with {@link SlurmTool#SACCTMGR}. */
    public List<String> showAccount(String account) {
        return withCluster(List.of("show", "account", SlurmNames.account("account", account)), List.of());
    }

    /**
     * {@code show account <a>,<b>,…}: one query for several accounts; a {@code name|descr|org} row for each that
     * exists, in sacctmgr's order. Run with {@link SlurmTool#SACCTMGR}.
     */
    public List<String> showAccounts(List<String> accounts) {
        if (accounts.isEmpty()) {
            throw new IllegalArgumentException("show account needs at least one account name");
        }
        List<String> names = new ArrayList<>(accounts.size());
        for (String account : accounts) {
            names.add(SlurmNames.account("account", account));
        }
        return withCluster(List.of("show", "account", String.join(",", names)), List.of());
    }

    /**
     * {@code add account <a> description="…" organization="…" parent="<p>"}. Description and organization are
     * {@linkplain SlurmNames#sanitizeDescription sanitized}; a value that is empty afterwards is left out, and
     * sacctmgr then uses its own default. sacctmgr stores both in lower case.
     */
    public List<String> addAccount(String account, String description, String organization, String parent) {
        return addAccount(account, description, organization, parent, Map.of());
    }

    /**
     * {@link #addAccount(String, String, String, String)} with {@code GrpTRESMins=k=v,...} (keys sorted) on the new
     * association, as {@code modify … set GrpTRESMins} would set it; nothing extra when {@code grpTresMins} is empty.
     */
    public List<String> addAccount(String account, String description, String organization, String parent,
                                   Map<String, Long> grpTresMins) {
        List<String> args = new ArrayList<>();
        args.add("add");
        args.add("account");
        args.add(SlurmNames.account("account", account));
        addQuoted(args, "description", SlurmNames.sanitizeDescription(description));
        addQuoted(args, "organization", SlurmNames.sanitizeDescription(organization));
        args.add("parent=\"" + SlurmNames.account("parent account", parent) + "\"");
        if (!grpTresMins.isEmpty()) {
            args.add("GrpTRESMins=" + TresValues.format(grpTresMins));
        }
        return withCluster(args, List.of());
    }

    /** {@code modify account <a> set GrpTRESMins=k=v,...} with keys sorted; {@code -1} removes a limit. */
    public List<String> setGrpTresMins(String account, Map<String, Long> limits) {
        return withCluster(List.of("modify", "account", SlurmNames.account("account", account)),
                List.of("set", "GrpTRESMins=" + TresValues.format(limits)));
    }

    /**
     * {@code show association format=account,GrpTRESMins where accounts=<a>}; output {@code acct|cpu=…,mem=600G},
     * account row first. The reference agent runs this one with {@link SlurmTool#SACCTMGR_READ}.
     */
    public List<String> showLimits(String account) {
        return withCluster(List.of("show", "association", "format=account,GrpTRESMins",
                "where", "accounts=" + SlurmNames.account("account", account)), List.of());
    }

    /** {@code list associations format=account,user where account=<a>}; output {@code acct|} then {@code acct|user} rows. */
    public List<String> listAssociationUsers(String account) {
        return withCluster(List.of("list", "associations", "format=account,user",
                "where", "account=" + SlurmNames.account("account", account)), List.of());
    }

    /** {@code show association where user=<u> account=<a>}; default 20-column format, nothing when absent. */
    public List<String> showUserAssociation(String user, String account) {
        return withCluster(List.of("show", "association", "where", "user=" + SlurmNames.user("user", user),
                "account=" + SlurmNames.account("account", account)), List.of());
    }

    /**
     * {@code add user <u> account=<a> [DefaultAccount=<d>] Share=parent}. {@code defaultAccount} null means no
     * {@code DefaultAccount=} (policy {@code none}); note that giving one changes an existing user's default.
     */
    public List<String> addUser(String user, String account, String defaultAccount) {
        List<String> args = new ArrayList<>();
        args.add("add");
        args.add("user");
        args.add(SlurmNames.user("user", user));
        args.add("account=" + SlurmNames.account("account", account));
        if (defaultAccount != null) {
            args.add("DefaultAccount=" + SlurmNames.account("default account", defaultAccount));
        }
        args.add("Share=parent");
        return withCluster(args, List.of());
    }

    /** {@code remove user where account=<a>}: every user association of the account; rc 1 "Nothing deleted" if none. */
    public List<String> removeAllUsers(String account) {
        return withCluster(List.of("remove", "user", "where", "account=" + SlurmNames.account("account", account)), List.of());
    }

    /** {@code remove user where name=<u> and account=<a>}; rc 1 "Nothing deleted" if absent. */
    public List<String> removeUser(String user, String account) {
        return withCluster(List.of("remove", "user", "where", "name=" + SlurmNames.user("user", user), "and",
                "account=" + SlurmNames.account("account", account)), List.of());
    }

    /**
     * {@code remove account where name=<a>}. With a cluster filter this removes only the account's associations
     * on that cluster; the account record stays (slurm.md §5).
     */
    public List<String> removeAccount(String account) {
        return withCluster(List.of("remove", "account", "where", "name=" + SlurmNames.account("account", account)), List.of());
    }

    /** {@code list account format=account,organization}: which accounts still name a project as organization. */
    public List<String> listAccountOrganizations() {
        return withCluster(List.of("list", "account", "format=account,organization"), List.of());
    }

    /** {@code modify account <a> set qos=<q>}; also rewrites the user associations that inherit the QoS. */
    public List<String> setAccountQos(String account, String qos) {
        return withCluster(List.of("modify", "account", SlurmNames.account("account", account)),
                List.of("set", "qos=" + SlurmNames.qos("qos", qos)));
    }

    /** {@code list associations format=account,qos where account=<a>}; the qos column is a comma list. */
    public List<String> listAccountQos(String account) {
        return withCluster(List.of("list", "associations", "format=account,qos",
                "where", "account=" + SlurmNames.account("account", account)), List.of());
    }

    /** {@code list tres}; output {@code type|name|id}. TRES are global: no cluster filter. */
    public List<String> listTres() {
        return List.of("list", "tres");
    }

    /**
     * {@code list account format=account,organization,description}: {@code name|org|descr} rows for importing
     * accounts (protocol §5.10). The description comes last, so a {@code |} inside it cannot shift the other two.
     * {@code cluster=} does not filter account records (slurm.md §5); it is added for uniformity only.
     */
    public List<String> listAccountsWithOrganization() {
        return withCluster(List.of("list", "account", "format=account,organization,description"), List.of());
    }

    /**
     * {@code modify user <u> where account=<a> set MaxTRESMins=k=v,...} with keys sorted; {@code -1} removes a
     * limit. The reference agent lists every TRES of {@code list tres}, -1 for those without a value, so that
     * limits Waldur no longer has are cleared ({@link TresLimits#unsetMissing}).
     */
    public List<String> setUserMaxTresMins(String user, String account, Map<String, Long> limits) {
        return withCluster(List.of("modify", "user", SlurmNames.user("user", user), "where",
                "account=" + SlurmNames.account("account", account)), List.of("set", "MaxTRESMins=" + TresValues.format(limits)));
    }

    /**
     * {@code show association where accounts=<a> format=Account,MaxTRESMins,User}; output {@code acct||} for the
     * account row, then {@code acct|cpu=6000|alice} per user association. Run with {@link SlurmTool#SACCTMGR_READ},
     * as the reference agent does.
     */
    public List<String> showUserLimits(String account) {
        return withCluster(List.of("show", "association", "where", "accounts=" + SlurmNames.account("account", account),
                "format=Account,MaxTRESMins,User"), List.of());
    }

    /** {@code modify account <a> set fairshare=<n>}; 22.05 answers "Modified" (rc 0) even when {@code n} is unchanged. */
    public List<String> setFairshare(String account, int fairshare) {
        if (fairshare < 0) {
            throw new InvalidResourceDataException("fairshare must be 0 or more, got " + fairshare);
        }
        return withCluster(List.of("modify", "account", SlurmNames.account("account", account)),
                List.of("set", "fairshare=" + fairshare));
    }

    /**
     * {@code modify account <a> set <limitType>=<tres>=<value>}: one TRES per call, as the reference agent's
     * periodic settings do, so sacctmgr merges it into the account's other limits of that type. {@code -1}
     * removes the limit.
     *
     * @param limitType {@code GrpTRESMins}, {@code MaxTRESMins} or {@code GrpTRES} (any case)
     */
    public List<String> setAccountLimit(String account, String limitType, String tres, long value) {
        AccountLimitType type = AccountLimitType.of(limitType);
        if (value < -1) {
            throw new InvalidResourceDataException(type.sacctmgrName() + " for " + SlurmNames.tres(tres)
                    + " must be -1 or more, got " + value);
        }
        return withCluster(List.of("modify", "account", SlurmNames.account("account", account)),
                List.of("set", type.sacctmgrName() + "=" + SlurmNames.tres(tres) + "=" + value));
    }

    /**
     * {@code modify account <a> set RawUsage=0}: restarts the fairshare usage of the account's associations. Needs a
     * running slurmctld (rc 1 after about 10 s otherwise). Without {@code cluster=} 22.05 prints
     * {@code No cluster specified, resetting on local cluster <c>} on stdout, with rc 0.
     */
    public List<String> resetRawUsage(String account) {
        return withCluster(List.of("modify", "account", SlurmNames.account("account", account)), List.of("set", "RawUsage=0"));
    }

    /** scancel arguments {@code [--cluster=<c>] -A <a> -f}: signal all steps of every job of the account. Run with {@link SlurmTool#SCANCEL}. */
    public List<String> cancelAccountJobs(String account) {
        List<String> args = new ArrayList<>();
        if (clusterName != null) {
            args.add("--cluster=" + clusterName);
        }
        args.add("-A");
        args.add(SlurmNames.account("account", account));
        args.add("-f");
        return Collections.unmodifiableList(args);
    }

    /**
     * scancel arguments {@code [--cluster=<c>] -u <u> -A <a> -f}: every job of one user in one account, all steps.
     * Run with {@link SlurmTool#SCANCEL}. scancel refuses a user name that is not a Unix user, so check with
     * {@link UnixUserCommands#userId} first.
     */
    public List<String> cancelUserJobs(String user, String account) {
        List<String> args = new ArrayList<>();
        if (clusterName != null) {
            args.add("--cluster=" + clusterName);
        }
        args.add("-u");
        args.add(SlurmNames.user("user", user));
        args.add("-A");
        args.add(SlurmNames.account("account", account));
        args.add("-f");
        return Collections.unmodifiableList(args);
    }

    private List<String> withCluster(List<String> beforeSet, List<String> fromSet) {
        List<String> args = new ArrayList<>(beforeSet.size() + fromSet.size() + 1);
        args.addAll(beforeSet);
        if (clusterName != null) {
            args.add("cluster=" + clusterName);
        }
        args.addAll(fromSet);
        return Collections.unmodifiableList(args);
    }

    private static void addQuoted(List<String> args, String key, String sanitizedValue) {
        if (!sanitizedValue.isEmpty()) {
            args.add(key + "=\"" + sanitizedValue + "\"");
        }
    }
}
