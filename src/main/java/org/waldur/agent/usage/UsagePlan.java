package org.waldur.agent.usage;

import java.math.BigDecimal;
import java.util.Map;

/** The outcome of planning one resource's usage report: a set_usage request, or why it is skipped. */
public final class UsagePlan {

    private final Map<String, Object> request;
    private final Map<String, Map<String, BigDecimal>> users;
    private final String skipReason;

    private UsagePlan(Map<String, Object> request, Map<String, Map<String, BigDecimal>> users, String skipReason) {
        this.request = request;
        this.users = users;
        this.skipReason = skipReason;
    }

    static UsagePlan report(Map<String, Object> request, Map<String, Map<String, BigDecimal>> users) {
        return new UsagePlan(request, users, null);
    }

    static UsagePlan skip(String reason) {
        return new UsagePlan(null, Map.of(), reason);
    }

    public Map<String, Object> getRequest() {
        return request;
    }

    public Map<String, Map<String, BigDecimal>> getUsers() {
        return users;
    }

    public String getSkipReason() {
        return skipReason;
    }

    public boolean isSkipped() {
        return skipReason != null;
    }
}
