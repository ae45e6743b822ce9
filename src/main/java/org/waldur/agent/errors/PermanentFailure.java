package org.waldur.agent.errors;

/**
 * A failure that repeating the same step cannot fix (bad input, a command SLURM rejected, missing data).
 * Error handlers match on this type to fail an order instead of retrying it.
 */
public class PermanentFailure extends RuntimeException {

    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
