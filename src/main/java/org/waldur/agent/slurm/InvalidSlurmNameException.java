package org.waldur.agent.slurm;

import org.waldur.agent.errors.PermanentFailure;

/** A name that must not reach sacctmgr. Permanent: the same name will be refused on every retry. */
public class InvalidSlurmNameException extends PermanentFailure {

    private final String field;
    private final String rejectedValue;

    public InvalidSlurmNameException(String field, String rejectedValue, String rule) {
        super("Invalid " + field + ": " + quoted(rejectedValue) + " (" + rule + ")");
        this.field = field;
        this.rejectedValue = rejectedValue;
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + EscapedText.escapeAndLimit(value, 200) + "\"";
    }

    public String field() {
        return field;
    }

    /** The raw value, unescaped; do not log it as is. */
    public String rejectedValue() {
        return rejectedValue;
    }
}
