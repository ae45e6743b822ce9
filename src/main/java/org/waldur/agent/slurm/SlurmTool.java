package org.waldur.agent.slurm;

import java.util.List;

/**
 * Which SLURM program a command runs and the flags that go directly after the binary (slurm.md §1 item 2).
 * {@code --immediate} is essential for sacctmgr writes: without it sacctmgr waits for a "commit changes?"
 * answer, and with stdin at EOF 22.05 loops forever.
 */
public enum SlurmTool {

    /** Every sacctmgr read and write. */
    SACCTMGR("sacctmgr", List.of("--parsable2", "--noheader", "--immediate")),
    /** The GrpTRESMins read ({@link SacctmgrCommands#showLimits}), which the reference agent runs without --immediate. */
    SACCTMGR_READ("sacctmgr", List.of("--parsable2", "--noheader")),
    SACCT("sacct", List.of("--parsable2", "--noheader")),
    SCANCEL("scancel", List.of());

    /** Used when {@code slurm_bin_path} is not configured, as in the reference agent. */
    public static final String DEFAULT_BIN_PATH = "/usr/bin";

    private final String binaryName;
    private final List<String> prefixFlags;

    SlurmTool(String binaryName, List<String> prefixFlags) {
        this.binaryName = binaryName;
        this.prefixFlags = prefixFlags;
    }

    public String binaryName() {
        return binaryName;
    }

    public List<String> prefixFlags() {
        return prefixFlags;
    }

    /** {@code <binPath>/<binary>}; a blank {@code binPath} means {@value #DEFAULT_BIN_PATH}. */
    public String executable(String binPath) {
        String dir = binPath == null || binPath.isBlank() ? DEFAULT_BIN_PATH : binPath;
        return dir.endsWith("/") ? dir + binaryName : dir + "/" + binaryName;
    }
}
