package org.waldur.agent.usage;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.slurm.BillingMonth;
import org.waldur.agent.slurm.Component;
import org.waldur.agent.slurm.SacctUsage;
import org.waldur.agent.slurm.SlurmGateway;

/**
 * Usage reporting (waldur-protocol.md §6 report mode): what to send to Waldur for one resource, and when
 * not to. SLURM cannot lower usage, so a total below what Waldur already has, or two records for the same
 * component and month, mean something is wrong: the resource is skipped and the reason logged.
 */
public final class UsageReports {

    private final AgentConfig config;
    private final SlurmGateway slurm;
    private final Clock clock;

    public UsageReports(AgentConfig config, SlurmGateway slurm, Clock clock) {
        this.config = config;
        this.slurm = slurm;
        this.clock = clock;
    }

    /** The current billing month in the configured {@code timezone}. */
    public BillingMonth currentMonth() {
        return BillingMonth.containing(clock.instant(), ZoneId.of(config.timezone()));
    }

    public String billingPeriod(BillingMonth month) {
        return month.firstDay().toString();
    }

    /** Now, as Waldur's date-time fields take it. */
    public String now() {
        return ZonedDateTime.now(clock).withZoneSameInstant(ZoneId.of("UTC")).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    public List<String> accounts(List<Map<String, Object>> resources) {
        return resources.stream().map(r -> String.valueOf(r.get("backend_id"))).distinct().toList();
    }

    /**
     * What to report for one resource: the set_usage request, or a reason to skip it. Only components both
     * configured here and known to the Waldur offering are reported.
     */
    public UsagePlan plan(String offeringKey, Map<String, Object> resource, Map<String, SacctUsage.AccountUsage> report,
            List<Map<String, Object>> existing, Map<String, Object> waldurOffering, String date) {
        Set<String> known = componentTypes(waldurOffering);
        SacctUsage.AccountUsage usage = report.getOrDefault(String.valueOf(resource.get("backend_id")),
                SacctUsage.AccountUsage.NONE.inWaldurUnits(slurm.components(offeringKey)));
        Map<String, List<Map<String, Object>>> byType = existing == null ? Map.of()
                : existing.stream().collect(Collectors.groupingBy(u -> String.valueOf(u.get("type"))));
        List<Map<String, Object>> usages = new ArrayList<>();
        for (Component c : slurm.components(offeringKey)) {
            if (!known.contains(c.type())) {
                continue;
            }
            BigDecimal amount = usage.total().getOrDefault(c.type(), BigDecimal.ZERO).setScale(2);
            List<Map<String, Object>> records = byType.getOrDefault(c.type(), List.of());
            if (records.size() > 1) {
                return UsagePlan.skip(c.type() + " has " + records.size() + " usage records this month in Waldur");
            }
            if (records.size() == 1) {
                BigDecimal stored = decimal(records.get(0).get("usage"));
                if (amount.compareTo(stored) < 0) {
                    return UsagePlan.skip(c.type() + " usage " + amount.toPlainString() + " is lower than the "
                            + stored.toPlainString() + " Waldur already has; SLURM usage cannot decrease");
                }
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("type", c.type());
            item.put("amount", amount.toPlainString());
            usages.add(item);
        }
        if (usages.isEmpty()) {
            return UsagePlan.skip("no component of the Waldur offering is configured in backend_components");
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("usages", usages);
        request.put("resource", resource.get("uuid"));
        request.put("date", date);
        Map<String, Map<String, BigDecimal>> users = new HashMap<>(usage.users());
        return UsagePlan.report(request, users);
    }

    /**
     * The per-user reports once Waldur has the month's records: one set_user_usage per user and component,
     * linked to the offering user of that username when there is one.
     */
    public List<Map<String, Object>> userUsages(UsagePlan plan, List<Map<String, Object>> records,
            List<Map<String, Object>> offeringUsers, String date) {
        Map<String, String> recordByType = new HashMap<>();
        for (Map<String, Object> r : records == null ? List.<Map<String, Object>>of() : records) {
            recordByType.putIfAbsent(String.valueOf(r.get("type")), String.valueOf(r.get("uuid")));
        }
        Map<String, String> userUrls = new HashMap<>();
        for (Map<String, Object> u : offeringUsers == null ? List.<Map<String, Object>>of() : offeringUsers) {
            if (u.get("username") != null && u.get("url") != null) {
                userUrls.put(String.valueOf(u.get("username")).toLowerCase(java.util.Locale.ROOT), String.valueOf(u.get("url")));
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        plan.getUsers().forEach((user, usage) -> usage.forEach((type, amount) -> {
            String record = recordByType.get(type);
            if (record == null || user.isBlank()) {
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("username", user);
            body.put("usage", amount.setScale(2).toPlainString());
            body.put("date", date);
            String url = userUrls.get(user.toLowerCase(java.util.Locale.ROOT));
            if (url != null) {
                body.put("user", url);
            }
            Map<String, Object> call = new LinkedHashMap<>();
            call.put("componentUsageUuid", record);
            call.put("body", body);
            out.add(call);
        }));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> componentTypes(Map<String, Object> offering) {
        Object components = offering == null ? null : offering.get("components");
        if (!(components instanceof List<?> list)) {
            return Set.of();
        }
        return list.stream().filter(c -> c instanceof Map<?, ?>).map(c -> String.valueOf(((Map<String, Object>) c).get("type")))
                .collect(Collectors.toSet());
    }

    private static BigDecimal decimal(Object value) {
        if (value == null) {
            return BigDecimal.ZERO;
        }
        return new BigDecimal(String.valueOf(value)).setScale(2, java.math.RoundingMode.HALF_UP);
    }
}
