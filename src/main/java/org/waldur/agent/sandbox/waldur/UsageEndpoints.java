package org.waldur.agent.sandbox.waldur;

import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.fields;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.matches;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.ok;
import static org.waldur.agent.sandbox.waldur.FakeWaldurApi.uuidOf;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.waldur.agent.sandbox.waldur.FakeWaldurApi.ApiRequest;

/**
 * Usage reporting (protocol §6 {@code report}): component usages, per-user usages, and the
 * periodic-limits command results (§5.10).
 */
final class UsageEndpoints {

    private static final String USAGES = "/api/marketplace-component-usages/";
    /** Resource states in which ComponentUsageCreateSerializer accepts usage. */
    private static final Set<String> REPORTABLE_STATES = Set.of("OK", "Updating", "Terminating");
    /** Billing types whose components accept usage ("Allow to report usage for limit-based components"). */
    private static final Set<String> REPORTABLE_BILLING_TYPES = Set.of("usage", "limit");

    private final FakeWaldurApi api;
    private final FakeWaldurState state;
    private final WaldurViews views;
    private final Pattern offeringUserUrl;

    UsageEndpoints(FakeWaldurApi api) {
        this.api = api;
        this.state = api.state;
        this.views = api.views;
        this.offeringUserUrl = Pattern.compile(Pattern.quote(api.apiUrl + "marketplace-offering-users/")
                + "([0-9a-fA-F-]{32,36})/");
    }

    void register() {
        api.get(USAGES, (r, m) -> api.list(r, "marketplace-component-usages",
                Set.of("resource_uuid", "billing_period", "date_after", "date_before", "type", "offering_uuid",
                        "project_uuid", "customer_uuid"),
                state.usages(u -> usageFilter(r, u)).stream().map(views::componentUsage).toList()));
        api.get(USAGES + "{uuid}/", (r, m) -> ok(fields(views.componentUsage(state.usage(m.group(1))), r)));
        api.post(USAGES + "set_usage/", (r, m) -> setUsage(r));
        api.post(USAGES + "{uuid}/set_user_usage/", (r, m) -> setUserUsage(uuidOf(m), r));

        String policies = "/api/marketplace-slurm-periodic-usage-policies/";
        api.get(policies + "{uuid}/", (r, m) -> ok(views.policy(state.policy(m.group(1)))));
        api.post(policies + "{uuid}/report-command-result/", (r, m) -> reportCommandResult(uuidOf(m), r));
    }

    private boolean usageFilter(ApiRequest r, WaldurComponentUsage u) {
        WaldurResource resource = state.resource(u.resourceUuid());
        LocalDate day = u.date().atZone(ZoneOffset.UTC).toLocalDate();
        String after = r.param("date_after");
        String before = r.param("date_before");
        return matches(r, "resource_uuid", u.resourceUuid())
                && matches(r, "billing_period", u.billingPeriod().toString())
                && matches(r, "type", u.type())
                && matches(r, "offering_uuid", resource.offeringUuid())
                && matches(r, "project_uuid", resource.projectUuid())
                && matches(r, "customer_uuid", state.project(resource.projectUuid()).customerUuid())
                // DateFilter(field_name="date__date", lookup_expr="gte"/"lte")
                && (after == null || !day.isBefore(date(after, "date_after")))
                && (before == null || !day.isAfter(date(before, "date_before")));
    }

    /** django-filter's DateFilter: a bad value is a 400 naming the filter. */
    private static LocalDate date(String text, String filter) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiError.field(filter, "Enter a valid date.");
        }
    }

    /** ComponentUsageCreateSerializer + ComponentUsageViewSet.set_usage; 201 without body. */
    private ApiResponse setUsage(ApiRequest r) {
        if (r.has("plan_period")) {
            throw new ApiError(501, Json.detail("FakeWaldur does not implement 'plan_period' in set_usage"));
        }
        String resourceUuid = r.text("resource");
        if (resourceUuid == null) {
            throw ApiError.field("non_field_errors", "Either plan_period or resource should be provided.");
        }
        Map<String, BigDecimal> amounts = new LinkedHashMap<>();
        Map<String, String> descriptions = new LinkedHashMap<>();
        Map<String, Boolean> recurring = new LinkedHashMap<>();
        for (JsonNode item : r.body().path("usages")) {
            String type = item.path("type").asText();
            amounts.put(type, decimal(item.path("amount").asText(), "usages"));
            if (item.hasNonNull("description")) {
                descriptions.put(type, item.get("description").asText());
            }
            recurring.put(type, item.path("recurring").asBoolean(false));
        }
        Instant date = r.has("date") ? dateTime(r.text("date"), "date") : FakeWaldurState.now();
        synchronized (state) {
            WaldurResource resource = slug(() -> state.resource(resourceUuid), "resource", resourceUuid);
            if (!REPORTABLE_STATES.contains(resource.state())) {
                throw ApiError.field("resource", "Resource is not in valid state.");
            }
            Set<String> valid = new TreeSet<>();
            state.offering(resource.offeringUuid()).components().stream()
                    .filter(c -> REPORTABLE_BILLING_TYPES.contains(c.billingType()))
                    .forEach(c -> valid.add(c.type()));
            Set<String> invalid = new TreeSet<>(amounts.keySet());
            invalid.removeAll(valid);
            if (!invalid.isEmpty()) {
                throw ApiError.field("non_field_errors",
                        "These components are invalid: " + String.join(", ", invalid) + ".");
            }
            state.setUsages(resource.uuid(), amounts, date, descriptions, recurring);
        }
        return ApiResponse.empty(201);
    }

    /** ComponentUsageViewSet.set_user_usage; 201 without body. */
    private ApiResponse setUserUsage(String usageUuid, ApiRequest r) {
        state.usage(usageUuid); // 404 first, as get_object() runs before the serializer
        String username = r.text("username");
        BigDecimal usage = r.has("usage") ? decimal(r.text("usage"), "usage") : BigDecimal.ZERO;
        String offeringUserUuid = null;
        if (r.text("user") != null) {
            Matcher m = offeringUserUrl.matcher(r.text("user"));
            if (!m.matches()) {
                throw ApiError.field("user", "Invalid hyperlink - No URL match.");
            }
            offeringUserUuid = FakeWaldurState.normalise(m.group(1));
            String ou = offeringUserUuid;
            slug(() -> state.offeringUser(ou), "user", null);
        }
        Instant date = r.has("date") ? dateTime(r.text("date"), "date") : null;
        state.setUserUsage(usageUuid, username, usage, offeringUserUuid, date);
        return ApiResponse.empty(201);
    }

    // --- periodic limits ----------------------------------------------------------------------

    /**
     * The policy must exist (404) and the body's resource too (400). Waldur answers
     * {@code {"detail": "Command result recorded."}}, but the schema declares 200 without a body,
     * so the fake sends none.
     */
    private ApiResponse reportCommandResult(String policyUuid, ApiRequest r) {
        state.policy(policyUuid);
        String resourceUuid = FakeWaldurState.normalise(r.text("resource_uuid"));
        try {
            state.resource(resourceUuid);
        } catch (ApiError e) {
            throw ApiError.field("resource_uuid", "Resource not found.");
        }
        List<String> commands = new ArrayList<>();
        r.body().path("commands_executed").forEach(c -> commands.add(c.asText()));
        state.addCommandResult(new WaldurCommandResult(policyUuid, resourceUuid, r.body().path("success").asBoolean(),
                r.text("error_message") == null ? "" : r.text("error_message"),
                r.text("mode") == null ? "production" : r.text("mode"), commands, r.userAgent(), Instant.now()));
        return ApiResponse.empty(200);
    }

    // --- helpers -------------------------------------------------------------------------------

    /** DRF's DecimalField: the schema's pattern still lets "" and "-" through. */
    private static BigDecimal decimal(String text, String field) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw ApiError.field(field, "A valid number is required.");
        }
    }

    private static Instant dateTime(String text, String field) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                // Django treats a naive date-time as local time (UTC in the fake)
                return java.time.LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw ApiError.field(field, "Datetime has wrong format.");
            }
        }
    }

    /** A related-field lookup answering like DRF's SlugRelatedField / HyperlinkedRelatedField. */
    private static <T> T slug(java.util.function.Supplier<T> lookup, String field, String value) {
        try {
            return lookup.get();
        } catch (ApiError e) {
            throw ApiError.field(field, value == null ? "Invalid hyperlink - Object does not exist."
                    : "Object with uuid=" + value + " does not exist.");
        }
    }
}
