package org.waldur.agent.slurm;

import java.util.List;
import java.util.regex.Pattern;

/** Turns the outcome of a SLURM command into its output or the right kind of failure. */
public final class SlurmCommandResult {

    /**
     * Messages that mean "SLURM could not be reached", not "SLURM refused": slurmdbd/slurmctld down or
     * unreachable (persistent-connection and controller errors), munged down, or a lock held too long.
     */
    private static final Pattern UNAVAILABLE = Pattern.compile(String.join("|",
            "Unable to connect to database",
            "Problem talking to (the )?database",
            "Sending PersistInit msg",
            "failed to open persistent connection",
            "Unable to contact slurm controller",
            "Connection refused",
            "Connection timed out",
            "Connection reset by peer",
            "Socket timed out",
            "Zero Bytes were transmitted or received",
            "Communication connection failure",
            "Transport endpoint is not connected",
            "No route to host",
            "Network is unreachable",
            "Resource temporarily unavailable",
            "Munge encode failed",
            "Database is busy or waiting for lock"), Pattern.CASE_INSENSITIVE);

    // timeout(1) exits 124; camel-exec's timeout kills with SIGTERM (143), a watchdog may use SIGKILL (137).
    private static final List<Integer> KILLED_BY_TIMEOUT = List.of(124, 137, 143);

    private SlurmCommandResult() {
    }

    /**
     * @param argv     the full argv, binary first (as built by {@link SacctmgrCommands#argv})
     * @param exitCode the process exit code
     * @param stdout   standard output (may be null)
     * @param stderr   standard error (may be null; may also be merged into stdout by the caller)
     * @return stdout ("" when null), or "" for a sacctmgr {@code modify} that changed nothing
     * @throws SlurmUnavailableException on an outage: retry later
     * @throws SlurmCommandException     when the command failed for any other reason
     */
    public static String check(List<String> argv, int exitCode, String stdout, String stderr) {
        String out = stdout == null ? "" : stdout;
        String err = stderr == null ? "" : stderr;
        if (exitCode == 0) {
            // sacctmgr can exit 0 after a failed database round trip (e.g. an empty list); an empty answer
            // would then read as "does not exist", so an outage message on stderr wins over the exit code.
            if (UNAVAILABLE.matcher(err).find()) {
                throw new SlurmUnavailableException(argv, exitCode, out, err);
            }
            return out;
        }
        if (KILLED_BY_TIMEOUT.contains(exitCode) || UNAVAILABLE.matcher(err).find() || UNAVAILABLE.matcher(out).find()) {
            throw new SlurmUnavailableException(argv, exitCode, out, err);
        }
        // sacctmgr exits 1 when a modify changes nothing (e.g. the same parent again): the state is as wanted.
        if (isSacctmgrModify(argv) && (out.contains("Nothing modified") || err.contains("Nothing modified"))) {
            return "";
        }
        throw new SlurmCommandException(argv, exitCode, out, err);
    }

    private static boolean isSacctmgrModify(List<String> argv) {
        if (argv.isEmpty()) {
            return false;
        }
        String binary = argv.get(0);
        if (!binary.equals("sacctmgr") && !binary.endsWith("/sacctmgr")) {
            return false;
        }
        for (String arg : argv.subList(1, argv.size())) {
            if (!arg.startsWith("-")) {
                return arg.equalsIgnoreCase("modify") || arg.equalsIgnoreCase("update");
            }
        }
        return false;
    }
}
