package org.waldur.agent.events;

/**
 * The message itself cannot be processed (malformed JSON, a missing field, a wrong type): it is dead-lettered,
 * never retried. Not a PermanentFailure: there is no order to err, only a message to keep for the operator.
 */
public class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
