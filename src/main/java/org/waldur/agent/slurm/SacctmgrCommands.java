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
     * {@code add account <a> description="…" organization="…" parent="<p>"}. Description and organization are
     * {@linkplain SlurmNames#sanitizeDescription sanitized}; a value that is empty afterwards is left out, and
     * sacctmgr then uses its own default. sacctmgr stores both in lower case.
     */
    public List<String> addAccount(String account, String description, String organization, String parent) {
        List<String> args = new ArrayList<>();
        args.add("add");
        args.add("account");
        args.add(SlurmNames.account("account", account));
        addQuoted(args, "description", SlurmNames.sanitizeDescription(description));
        addQuoted(args, "organization", SlurmNames.sanitizeDescription(organization));
        args.add("parent=\"" + SlurmNames.account("parent account", parent) + "\"");
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
