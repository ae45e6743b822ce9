package org.waldur.agent.errors;

/** A failure that goes away by itself (a service unreachable, overloaded or restarting): retried with backoff. */
public class TransientFailure extends RuntimeException {

    public TransientFailure(String message) {
        super(message);
    }

    public TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
