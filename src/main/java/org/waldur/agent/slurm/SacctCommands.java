package org.waldur.agent.slurm;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Builds the arguments of the {@code sacct} reads, run with {@link SlurmTool#SACCT} (which adds
 * {@code --parsable2 --noheader}). With a {@code cluster_name}, {@code --cluster=<c>} comes first, as in the
 * reference agent (slurm.md §1 item 3; sacct accepts it as an abbreviation of {@code --clusters}).
 */
public final class SacctCommands {

    /** The states of a job that still runs or may start: what {@link #activeUserJobs} lists. */
    public static final List<String> ACTIVE_STATES = List.of("RUNNING", "PENDING", "SUSPENDED");

    // No zone and no fraction: sacct reads the time in its own local zone (slurm.md §7).
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    private final String clusterName;

    /** @param clusterName {@code backend_settings.cluster_name}; null or blank for none */
    public SacctCommands(String clusterName) {
        this.clusterName = clusterName == null || clusterName.isBlank() ? null : SlurmNames.cluster(clusterName);
    }

    /**
     * The usage report of slurm.md §7: {@code --noconvert --truncate --allocations --allusers --starttime=…
     * --endtime=… --accounts=a,b --format=Account,ReqTRES,Elapsed,User}, one line per job allocation with its
     * elapsed time clipped to the window. Read it with {@link SacctUsage#parse}.
     *
     * @param accounts at least one account; sacct would report every account for an empty list
     */
    public List<String> usageReport(List<String> accounts, LocalDateTime start, LocalDateTime end) {
        if (accounts == null || accounts.isEmpty()) {
            throw new IllegalArgumentException("A usage report needs at least one account");
        }
        if (start == null || end == null || !start.isBefore(end)) {
            throw new IllegalArgumentException("Usage report window must start before it ends: " + start + " .. " + end);
        }
        List<String> names = new ArrayList<>(accounts.size());
        for (String account : accounts) {
            names.add(SlurmNames.account("account", account));
        }
        List<String> args = withCluster();
        args.add("--noconvert");
        args.add("--truncate");
        args.add("--allocations");
        args.add("--allusers");
        args.add("--starttime=" + TIME.format(start));
        args.add("--endtime=" + TIME.format(end));
        args.add("--accounts=" + String.join(",", names));
        args.add("--format=Account,ReqTRES,Elapsed,User");
        return Collections.unmodifiableList(args);
    }

    /**
     * Jobs of {@code user} in {@code account} that are running, pending or suspended: {@code -a --account=<a>
     * --user=<u> --state=RUNNING,PENDING,SUSPENDED --format=JobID}. With {@code --state} and no time window sacct
     * looks at the current moment only, so finished jobs of today are not listed (the reference agent lists every
     * job since midnight and cancels when any is found). Job steps ({@code 12.batch}) are printed too; read it with
     * {@link SacctOutput#jobIds}. sacct refuses a user name that is not a Unix user (rc 1), so check with
     * {@link UnixUserCommands#userId} first.
     */
    public List<String> activeUserJobs(String user, String account) {
        List<String> args = withCluster();
        args.add("-a");
        args.add("--account=" + SlurmNames.account("account", account));
        args.add("--user=" + SlurmNames.user("user", user));
        args.add("--state=" + String.join(",", ACTIVE_STATES));
        args.add("--format=JobID");
        return Collections.unmodifiableList(args);
    }

    private List<String> withCluster() {
        List<String> args = new ArrayList<>();
        if (clusterName != null) {
            args.add("--cluster=" + clusterName);
        }
        return args;
    }
}
