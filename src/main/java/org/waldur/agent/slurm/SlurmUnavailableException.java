package org.waldur.agent.slurm;

import java.util.List;
import org.waldur.agent.errors.TransientFailure;

/** slurmdbd, slurmctld or munge could not be reached, or the command was killed by a timeout: retry later. */
public class SlurmUnavailableException extends TransientFailure {

    private final List<String> argv;
    private final int exitCode;
    private final String stdout;
    private final String stderr;

    public SlurmUnavailableException(List<String> argv, int exitCode, String stdout, String stderr) {
        super(CommandFailureText.describe(argv, exitCode, stdout, stderr));
        this.argv = List.copyOf(argv);
        this.exitCode = exitCode;
        this.stdout = stdout == null ? "" : stdout;
        this.stderr = stderr == null ? "" : stderr;
    }

    public List<String> argv() {
        return argv;
    }

    public int exitCode() {
        return exitCode;
    }

    public String stdout() {
        return stdout;
    }

    public String stderr() {
        return stderr;
    }
}
