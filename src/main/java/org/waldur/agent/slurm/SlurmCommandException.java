package org.waldur.agent.slurm;

import java.util.List;
import org.waldur.agent.errors.PermanentFailure;

/** A SLURM command ran and failed (non-zero exit that is not an outage). Retrying the same command will not help. */
public class SlurmCommandException extends PermanentFailure {

    private final List<String> argv;
    private final int exitCode;
    private final String stdout;
    private final String stderr;

    public SlurmCommandException(List<String> argv, int exitCode, String stdout, String stderr) {
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

    /** rc 1 {@code Nothing new added.}: an {@code add} of something that exists, e.g. after a lost race. */
    public boolean isNothingNewAdded() {
        return said("Nothing new added");
    }

    /** rc 1 {@code Nothing deleted}: a {@code remove} that matched nothing, e.g. a repeated termination. */
    public boolean isNothingDeleted() {
        return said("Nothing deleted");
    }

    private boolean said(String text) {
        return stdout.contains(text) || stderr.contains(text);
    }
}
