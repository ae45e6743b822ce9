package org.waldur.agent.slurm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parsers for {@code sacctmgr --parsable2 --noheader} output: fields separated by {@code |}, no trailing
 * {@code |}, no header. Lines without {@code |} are skipped, since they are messages rather than records
 * (the reference agent merges stderr into stdout, and {@code No cluster specified…} style notes appear there).
 * Account and user names are compared ignoring case, as SLURM itself does.
 */
public final class SacctmgrOutput {

    // Column positions of `show association` without format= (22.05): Cluster|Account|User|Partition|Share|...
    private static final int DEFAULT_ASSOC_ACCOUNT = 1;
    private static final int DEFAULT_ASSOC_USER = 2;

    private SacctmgrOutput() {
    }

    /** {@code name|descr|org} rows of {@code show account} or {@code list account}. */
    public static List<SlurmAccount> accounts(String output) {
        List<SlurmAccount> accounts = new ArrayList<>();
        for (String[] f : records(output)) {
            // A description containing '|' would add fields; name and organization are checked names, so
            // the first and last fields are reliable and everything between is the description.
            String name = f[0].trim();
            String organization = f.length >= 3 ? f[f.length - 1] : "";
            String description = f.length >= 3 ? String.join("|", List.of(f).subList(1, f.length - 1))
                    : f.length == 2 ? f[1] : "";
            accounts.add(new SlurmAccount(name, description, organization));
        }
        return Collections.unmodifiableList(accounts);
    }

    /** The row for {@code account} in {@code show account <account>} output, if SLURM has it. */
    public static Optional<SlurmAccount> account(String output, String account) {
        return accounts(output).stream().filter(a -> a.name().equalsIgnoreCase(account)).findFirst();
    }

    /**
     * Users of {@code account} from {@code list associations format=account,user}: the account-level row
     * (empty user) and rows of other accounts are skipped; a user with several partition rows is listed once.
     */
    public static List<String> associationUsers(String output, String account) {
        Set<String> users = new LinkedHashSet<>();
        for (String[] f : records(output)) {
            if (f.length >= 2 && f[0].trim().equalsIgnoreCase(account) && !f[1].isBlank()) {
                users.add(f[1].trim());
            }
        }
        return List.copyOf(users);
    }

    /** Whether {@code show association where user=<u> account=<a>} (default format) printed that association. */
    public static boolean userAssociationExists(String output, String user, String account) {
        for (String[] f : records(output)) {
            if (f.length > DEFAULT_ASSOC_USER
                    && !f[DEFAULT_ASSOC_USER].isBlank()
                    && f[DEFAULT_ASSOC_ACCOUNT].trim().equalsIgnoreCase(account)
                    && f[DEFAULT_ASSOC_USER].trim().equalsIgnoreCase(user)) {
                return true;
            }
        }
        return false;
    }

    /**
     * GrpTRESMins of {@code account} from {@code show association format=account,GrpTRESMins}: the first row of
     * that account with any limit (the account-level row; user rows are empty). Values in SLURM units, mem in MB.
     * Empty when the account has no limits or no row.
     */
    public static Map<String, Long> tresLimits(String output, String account) {
        for (String[] f : records(output)) {
            if (f.length >= 2 && f[0].trim().equalsIgnoreCase(account) && !f[1].isBlank()) {
                return TresValues.parse(f[1]);
            }
        }
        return Map.of();
    }

    /**
     * MaxTRESMins per user of {@code account} from {@code show association … format=Account,MaxTRESMins,User}: the
     * account row (empty user) and rows of other accounts are skipped; a user without limits maps to an empty map.
     * A user with several partition rows gets the first row that has limits ({@code modify user … where account=}
     * sets them all alike). Values in SLURM units, mem in MB; users in output order.
     */
    public static Map<String, Map<String, Long>> userTresLimits(String output, String account) {
        Map<String, Map<String, Long>> limits = new LinkedHashMap<>();
        for (String[] f : records(output)) {
            if (f.length < 3 || !f[0].trim().equalsIgnoreCase(account) || f[2].isBlank()) {
                continue;
            }
            String user = f[2].trim();
            Map<String, Long> row = TresValues.parse(f[1]);
            Map<String, Long> seen = limits.get(user);
            if (seen == null || (seen.isEmpty() && !row.isEmpty())) {
                limits.put(user, row);
            }
        }
        return Collections.unmodifiableMap(limits);
    }

    /** TRES names from {@code list tres} ({@code type|name|id}): {@code cpu}, {@code gres/gpu}, {@code fs/disk}. */
    public static Set<String> tresNames(String output) {
        Set<String> names = new TreeSet<>();
        for (String[] f : records(output)) {
            String type = f[0].trim();
            String name = f.length >= 2 ? f[1].trim() : "";
            if (!type.isEmpty()) {
                names.add(name.isEmpty() ? type : type + "/" + name);
            }
        }
        return Collections.unmodifiableSet(names);
    }

    /** account → organization from {@code list account format=account,organization}, in output order. */
    public static Map<String, String> accountOrganizations(String output) {
        Map<String, String> organizations = new LinkedHashMap<>();
        for (String[] f : records(output)) {
            if (f.length >= 2) {
                organizations.put(f[0].trim(), f[f.length - 1].trim());
            }
        }
        return Collections.unmodifiableMap(organizations);
    }

    /**
     * {@code name|org|descr} rows of {@code list account format=account,organization,description}, as
     * {@link SlurmAccount}s. Name and organization are the first two fields; the rest, {@code |} included, is the
     * description.
     */
    public static List<SlurmAccount> accountsWithOrganization(String output) {
        List<SlurmAccount> accounts = new ArrayList<>();
        for (String[] f : records(output)) {
            String organization = f[1].trim();
            String description = f.length >= 3 ? String.join("|", List.of(f).subList(2, f.length)) : "";
            accounts.add(new SlurmAccount(f[0].trim(), description, organization));
        }
        return Collections.unmodifiableList(accounts);
    }

    /**
     * The QoS list of {@code account}'s first row in {@code list associations format=account,qos} (the account
     * association comes first). 22.05 prints the whole list, e.g. {@code normal,hpc_a1}; empty if no row.
     */
    public static List<String> accountQos(String output, String account) {
        for (String[] f : records(output)) {
            if (f.length >= 2 && f[0].trim().equalsIgnoreCase(account)) {
                List<String> qos = new ArrayList<>();
                for (String q : f[1].split(",")) {
                    if (!q.isBlank()) {
                        qos.add(q.trim());
                    }
                }
                return List.copyOf(qos);
            }
        }
        return List.of();
    }

    /**
     * Whether {@code account}'s QoS (as {@link #accountQos}) is exactly {@code qos}. The column is a list: an
     * account granted {@code normal,paused} is not paused by the QoS swap of slurm.md §6, and comparing the whole
     * column with one name, as the reference agent does, would call it neither paused nor normal.
     */
    public static boolean accountQosIs(String output, String account, String qos) {
        List<String> current = accountQos(output, account);
        return current.size() == 1 && current.get(0).equalsIgnoreCase(qos);
    }

    private static List<String[]> records(String output) {
        List<String[]> rows = new ArrayList<>();
        if (output == null) {
            return rows;
        }
        for (String line : output.split("\n")) {
            String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (l.indexOf('|') >= 0) {
                rows.add(l.split("\\|", -1));
            }
        }
        return rows;
    }
}
