package org.waldur.agent.errors;

/**
 * A failure caused by something outside the request that may recover on its own (a daemon that is down,
 * a network timeout). Error handlers match on this type to retry later instead of failing an order.
 */
public class TransientFailure extends RuntimeException {

    public TransientFailure(String message) {
        super(message);
    }

    public TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
