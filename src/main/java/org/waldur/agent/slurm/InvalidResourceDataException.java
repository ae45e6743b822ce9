package org.waldur.agent.slurm;

import org.waldur.agent.errors.PermanentFailure;

/** The Waldur resource lacks data SLURM needs (a slug, a usable limit). Permanent until someone fixes the resource. */
public class InvalidResourceDataException extends PermanentFailure {

    public InvalidResourceDataException(String message) {
        super(message);
    }

    public InvalidResourceDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
