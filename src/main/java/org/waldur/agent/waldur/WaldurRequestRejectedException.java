package org.waldur.agent.waldur;

import org.waldur.agent.errors.PermanentFailure;

/** Waldur refused a request with a 4xx status: repeating the same request cannot succeed. */
public class WaldurRequestRejectedException extends PermanentFailure {

    private final int status;

    public WaldurRequestRejectedException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
