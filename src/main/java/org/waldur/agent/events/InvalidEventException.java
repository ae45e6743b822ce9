package org.waldur.agent.events;

import org.waldur.agent.errors.PermanentFailure;

/** The message cannot be processed as it is (malformed JSON, a missing field, a wrong type): dead-lettered, never retried. */
public class InvalidEventException extends PermanentFailure {

    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
