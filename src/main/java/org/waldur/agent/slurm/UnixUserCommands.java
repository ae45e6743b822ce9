package org.waldur.agent.slurm;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The two non-SLURM programs the agent runs for a user (slurm.md §4, §8): {@code id -u <user>} (does the Unix
 * user exist? sacct and scancel refuse unknown user names) and {@code mkhomedir_helper <user> <umask>}. Unlike
 * the SLURM builders these return the complete argv, binary first, with no prefix flags and no cluster option.
 * The binaries are parameters because sites install them in different places.
 */
public final class UnixUserCommands {

    /** Where libpam-modules-bin installs it on Debian and Ubuntu. */
    public static final String DEFAULT_MKHOMEDIR_HELPER = "/sbin/mkhomedir_helper";
    /** As the reference agent runs it: looked up on PATH. */
    public static final String DEFAULT_ID = "id";
    /** The reference agent's {@code default_homedir_umask}: home directories readable by their owner only. */
    public static final String DEFAULT_UMASK = "0077";

    private static final Pattern UMASK = Pattern.compile("0[0-7]{3}");
    private static final Pattern UID = Pattern.compile("\\d+");

    private UnixUserCommands() {
    }

    /**
     * {@code <helper> <user> <umask>}. The umask must be four octal digits with a leading 0 ({@code 0077}):
     * mkhomedir_helper reads it with strtol base 0, so {@code 77} would be decimal 77 = octal 0115.
     */
    public static List<String> mkhomedir(String helperPath, String user, String umask) {
        if (umask == null || !UMASK.matcher(umask).matches()) {
            throw new IllegalArgumentException("homedir umask must be 0 followed by three octal digits, e.g. 0077; got "
                    + (umask == null ? "null" : "\"" + EscapedText.escapeAndLimit(umask, 50) + "\""));
        }
        return List.of(binary("mkhomedir_helper path", helperPath), SlurmNames.user("user", user), umask);
    }

    /** {@code <id> -u <user>}: prints the uid, or rc 1 and {@code id: 'x': no such user}. */
    public static List<String> userId(String idPath, String user) {
        return List.of(binary("id path", idPath), "-u", SlurmNames.user("user", user));
    }

    /**
     * Reads the result of {@link #userId}: true for rc 0 with a uid, false for rc 1 saying "no such user".
     * Anything else (id missing, NSS/LDAP down) throws instead of answering false: "no such user" would make
     * the agent skip cancelling that user's jobs.
     *
     * @throws SlurmUnavailableException for a timeout (retry later)
     * @throws SlurmCommandException     for any other failure
     */
    public static boolean userExists(List<String> argv, int exitCode, String stdout, String stderr) {
        String out = stdout == null ? "" : stdout.strip();
        String err = stderr == null ? "" : stderr;
        if (exitCode == 0 && UID.matcher(out).matches()) {
            return true;
        }
        if (exitCode == 1 && (err.contains("no such user") || out.contains("no such user"))) {
            return false;
        }
        if (exitCode == 124 || exitCode == 137 || exitCode == 143) {
            throw new SlurmUnavailableException(argv, exitCode, stdout, stderr);
        }
        throw new SlurmCommandException(argv, exitCode, stdout, stderr);
    }

    private static String binary(String field, String path) {
        if (path == null || path.isBlank() || path.startsWith("-") || path.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(field + " must be a program name or path, got "
                    + (path == null ? "null" : "\"" + EscapedText.escapeAndLimit(path, 100) + "\""));
        }
        return path;
    }
}
