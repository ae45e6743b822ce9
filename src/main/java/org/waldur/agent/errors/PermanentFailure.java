package org.waldur.agent.errors;

/** A failure that retrying cannot fix (invalid data, a refused request, a failed SLURM command): the order is erred. */
public class PermanentFailure extends RuntimeException {

    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
