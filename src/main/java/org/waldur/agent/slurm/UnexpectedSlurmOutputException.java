package org.waldur.agent.slurm;

import org.waldur.agent.errors.PermanentFailure;

/**
 * sacctmgr printed something the parsers do not understand. Permanent: a different SLURM version or an
 * unexpected format will not change on retry, and guessing (e.g. treating an unreadable limit as "no limit")
 * would do more harm than stopping.
 */
public class UnexpectedSlurmOutputException extends PermanentFailure {

    public UnexpectedSlurmOutputException(String message) {
        super(message);
    }

    public UnexpectedSlurmOutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
