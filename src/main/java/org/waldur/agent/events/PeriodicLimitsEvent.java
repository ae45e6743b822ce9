package org.waldur.agent.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.waldur.agent.config.Uuids;
import org.waldur.agent.errors.PermanentFailure;
import org.waldur.agent.slurm.AccountLimitType;
import org.waldur.agent.slurm.SlurmNames;

/**
 * A {@code resource_periodic_limits} message (waldur-protocol.md §4.3, §5.10): settings of a SLURM periodic usage
 * policy to apply to one allocation account. Needs {@code backend_id} (a valid SLURM account name) and
 * {@code action = "apply_periodic_settings"}; anything else is an invalid event.
 *
 * <p>Of {@code settings} the agent reads {@code fairshare}, {@code limit_type}, the limits ({@code grp_tres_mins} or
 * {@code max_tres_mins}: TRES → number, in SLURM units as Waldur computed them) and {@code reset_raw_usage}.
 * {@code qos_threshold}, {@code grace_limit} and {@code carryover_details} are accepted and not applied.
 */
public final class PeriodicLimitsEvent {

    public static final String ACTION = "apply_periodic_settings";

    private final String resourceUuid;
    private final String backendId;
    private final String policyUuid;
    private final Integer fairshare;
    private final AccountLimitType limitType;
    private final Map<String, Long> limits;
    private final boolean resetRawUsage;
    private final boolean qosThreshold;

    @JsonCreator
    public PeriodicLimitsEvent(@JsonProperty("resource_uuid") String resourceUuid,
            @JsonProperty("backend_id") String backendId, @JsonProperty("policy_uuid") String policyUuid,
            @JsonProperty("action") String action, @JsonProperty("settings") JsonNode settings) {
        if (!ACTION.equals(action)) {
            throw new InvalidEventException("action must be " + ACTION + ", got " + Failures.quote(action));
        }
        if (backendId == null || backendId.isBlank()) {
            throw new InvalidEventException("backend_id is empty");
        }
        try {
            SlurmNames.account("backend_id", backendId);
        } catch (PermanentFailure e) {
            throw new InvalidEventException(e.getMessage());
        }
        if (resourceUuid != null && !resourceUuid.isBlank() && !Uuids.isValid(resourceUuid)) {
            throw new InvalidEventException("resource_uuid must be a UUID, got " + Failures.quote(resourceUuid));
        }
        if (policyUuid != null && !policyUuid.isBlank() && !Uuids.isValid(policyUuid)) {
            throw new InvalidEventException("policy_uuid must be a UUID, got " + Failures.quote(policyUuid));
        }
        this.resourceUuid = resourceUuid == null || resourceUuid.isBlank() ? null : Uuids.toHex(resourceUuid);
        this.policyUuid = policyUuid == null || policyUuid.isBlank() ? null : Uuids.toHex(policyUuid);
        if (this.policyUuid != null && this.resourceUuid == null) {
            throw new InvalidEventException("resource_uuid is needed to report the result to policy " + this.policyUuid);
        }
        this.backendId = backendId;

        JsonNode s = settings == null || settings.isNull() ? null : settings;
        if (s != null && !s.isObject()) {
            throw new InvalidEventException("settings must be an object");
        }
        this.fairshare = fairshare(s == null ? null : s.get("fairshare"));
        this.limitType = limitType(s == null ? null : s.get("limit_type"));
        this.limits = limits(s, limitType);
        this.resetRawUsage = flag(s == null ? null : s.get("reset_raw_usage"), "reset_raw_usage");
        JsonNode qos = s == null ? null : s.get("qos_threshold");
        this.qosThreshold = qos != null && !qos.isNull() && !(qos.isContainerNode() && qos.isEmpty());
    }

    private static Integer fairshare(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || v.doubleValue() != Math.rint(v.doubleValue())) {
            throw new InvalidEventException("settings.fairshare must be a whole number, got " + Failures.quote(v));
        }
        if (v.doubleValue() < 0 || v.doubleValue() > Integer.MAX_VALUE) {
            throw new InvalidEventException("settings.fairshare must be between 0 and " + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) v.doubleValue();
    }

    /** null when the message has none: the offering's {@code periodic_limits.limit_type} then applies. */
    private static AccountLimitType limitType(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidEventException("settings.limit_type must be a string, got " + Failures.quote(v));
        }
        try {
            return AccountLimitType.of(v.asText());
        } catch (PermanentFailure e) {
            throw new InvalidEventException("settings.limit_type: " + e.getMessage());
        }
    }

    /**
     * The limits Waldur computed: {@code max_tres_mins} when only it is present, or when both are and the limit type
     * is MaxTRESMins; {@code grp_tres_mins} otherwise. Values are floored to whole numbers (a limit is never raised
     * by rounding); {@code -1} clears a limit.
     */
    private static Map<String, Long> limits(JsonNode s, AccountLimitType type) {
        if (s == null) {
            return Map.of();
        }
        JsonNode grp = present(s.get("grp_tres_mins"));
        JsonNode max = present(s.get("max_tres_mins"));
        String field = "grp_tres_mins";
        JsonNode chosen = grp;
        if (max != null && (grp == null || type == AccountLimitType.MAX_TRES_MINS)) {
            field = "max_tres_mins";
            chosen = max;
        }
        if (chosen == null) {
            return Map.of();
        }
        if (!chosen.isObject()) {
            throw new InvalidEventException("settings." + field + " must be an object of TRES to number");
        }
        Map<String, Long> limits = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = chosen.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String tres = e.getKey();
            try {
                SlurmNames.tres(tres);
            } catch (PermanentFailure ex) {
                throw new InvalidEventException("settings." + field + ": " + ex.getMessage());
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw new InvalidEventException("settings." + field + "." + tres + " must be a number, got " + Failures.quote(v));
            }
            double d = v.doubleValue();
            if (d < -1 || d >= Long.MAX_VALUE) {
                throw new InvalidEventException("settings." + field + "." + tres + " must be -1 or more, got " + v);
            }
            limits.put(tres, v.isIntegralNumber() ? v.longValue() : (long) Math.floor(d));
        }
        return Collections.unmodifiableMap(limits);
    }

    private static JsonNode present(JsonNode v) {
        return v == null || v.isNull() ? null : v;
    }

    private static boolean flag(JsonNode v, String name) {
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new InvalidEventException("settings." + name + " must be true or false, got " + Failures.quote(v));
        }
        return v.booleanValue();
    }

    /** 32-char hex, or null when the message has none. */
    public String getResourceUuid() {
        return resourceUuid;
    }

    /** The SLURM account to change, already checked as an account name. */
    public String getBackendId() {
        return backendId;
    }

    /** 32-char hex; null when the message has none, and then no result is reported. */
    public String getPolicyUuid() {
        return policyUuid;
    }

    /** null when the message does not set it. */
    public Integer getFairshare() {
        return fairshare;
    }

    /** null when the message has none. */
    public AccountLimitType getLimitType() {
        return limitType;
    }

    /** TRES → value in SLURM units, in message order; empty when none. */
    public Map<String, Long> getLimits() {
        return limits;
    }

    public boolean isResetRawUsage() {
        return resetRawUsage;
    }

    /** Whether the message carries QoS threshold settings (not applied by this agent). */
    public boolean isQosThreshold() {
        return qosThreshold;
    }

    @Override
    public String toString() {
        return "periodic settings for account " + backendId + (resourceUuid == null ? "" : " of resource " + resourceUuid);
    }
}
