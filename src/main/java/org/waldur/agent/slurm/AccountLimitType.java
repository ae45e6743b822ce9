package org.waldur.agent.slurm;

import java.util.Locale;

/**
 * The association limits a periodic-limits message may set on an account (protocol §5.10, slurm.md §3
 * "Periodic limits"). The value reaches sacctmgr as the key of {@code set <key>=<tres>=<n>}, so it is checked
 * against this list instead of being passed through: any other key would be a different sacctmgr setting.
 */
public enum AccountLimitType {

    GRP_TRES_MINS("GrpTRESMins"),
    MAX_TRES_MINS("MaxTRESMins"),
    GRP_TRES("GrpTRES");

    private final String sacctmgrName;

    AccountLimitType(String sacctmgrName) {
        this.sacctmgrName = sacctmgrName;
    }

    /** The spelling sacctmgr documents, e.g. {@code GrpTRESMins}. */
    public String sacctmgrName() {
        return sacctmgrName;
    }

    /**
     * The type named {@code value}, ignoring case as sacctmgr does ({@code grptresmins} is {@code GrpTRESMins}).
     *
     * @throws InvalidResourceDataException for anything else: the value comes from Waldur's policy settings,
     *                                      and the same message will be refused on every retry
     */
    public static AccountLimitType of(String value) {
        if (value != null) {
            String lower = value.toLowerCase(Locale.ROOT);
            for (AccountLimitType t : values()) {
                if (t.sacctmgrName.toLowerCase(Locale.ROOT).equals(lower)) {
                    return t;
                }
            }
        }
        throw new InvalidResourceDataException("Unknown limit type " + (value == null ? "null" : "\""
                + EscapedText.escapeAndLimit(value, 100) + "\"") + ": expected GrpTRESMins, MaxTRESMins or GrpTRES");
    }
}
