package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;

/**
 * Renders fixtures as the JSON Waldur returns: the subset of the serializer fields the agent
 * reads, with the schema's types (nullable where Waldur sends null).
 */
final class WaldurViews {

    private final FakeWaldurState state;
    private final String apiUrl;
    private final String userUuid;
    private final String username;
    private final boolean usageAsDecimalString;

    WaldurViews(FakeWaldurState state, String apiUrl, String userUuid, String username) {
        this(state, apiUrl, userUuid, username, false);
    }

    WaldurViews(FakeWaldurState state, String apiUrl, String userUuid, String username, boolean usageAsDecimalString) {
        this.state = state;
        this.apiUrl = apiUrl;
        this.userUuid = userUuid;
        this.username = username;
        this.usageAsDecimalString = usageAsDecimalString;
    }

    String url(String collection, String uuid) {
        return apiUrl + collection + "/" + uuid + "/";
    }

    ObjectNode order(WaldurOrder o) {
        WaldurProject project = state.project(o.projectUuid());
        WaldurCustomer customer = state.customer(project.customerUuid());
        WaldurOffering offering = state.offering(o.offeringUuid());
        ObjectNode n = Json.object()
                .put("uuid", o.uuid())
                .put("url", url("marketplace-orders", o.uuid()))
                .put("type", o.type())
                .put("state", o.state())
                .put("marketplace_resource_uuid", o.resourceUuid())
                // the backend ("scope") resource; site-agent offerings have none
                .putNull("resource_uuid")
                .put("resource_name", o.resourceName())
                .put("offering_uuid", o.offeringUuid())
                .put("offering_type", offering.type())
                .put("project_uuid", project.uuid())
                .put("project_slug", project.slug())
                .put("project_name", project.name())
                .put("customer_uuid", customer.uuid())
                .put("customer_slug", customer.slug())
                .put("customer_name", customer.name())
                .put("plan_uuid", o.planUuid())
                .put("backend_id", o.backendId())
                .put("error_message", o.errorMessage())
                .put("error_traceback", o.errorTraceback())
                .put("created", time(o.created()))
                .put("modified", time(o.modified()));
        n.set("limits", Json.tree(o.limits()));
        n.set("attributes", Json.tree(o.attributes()));
        return n;
    }

    ObjectNode resource(WaldurResource r) {
        WaldurProject project = state.project(r.projectUuid());
        WaldurCustomer customer = state.customer(project.customerUuid());
        WaldurOffering offering = state.offering(r.offeringUuid());
        ObjectNode n = Json.object()
                .put("uuid", r.uuid())
                .put("url", url("marketplace-provider-resources", r.uuid()))
                .put("name", r.name())
                .put("slug", r.slug())
                .put("state", r.state())
                .put("backend_id", r.backendId())
                .put("offering_uuid", offering.uuid())
                .put("offering_name", offering.name())
                .put("offering_type", offering.type())
                .put("project_uuid", project.uuid())
                .put("project_slug", project.slug())
                .put("project_name", project.name())
                .put("customer_uuid", customer.uuid())
                .put("customer_slug", customer.slug())
                .put("customer_name", customer.name())
                .put("plan_uuid", r.planUuid())
                .put("paused", r.paused())
                .put("downscaled", r.downscaled())
                .put("restrict_member_access", r.restrictMemberAccess())
                .put("error_message", r.errorMessage())
                .put("error_traceback", r.errorTraceback())
                .put("created", time(r.created()))
                .put("modified", time(r.modified()));
        n.set("limits", Json.tree(r.limits()));
        n.set("offering_plugin_options", Json.tree(offering.pluginOptions()));
        if (r.lastSync() != null) {
            n.put("last_sync", time(r.lastSync()));
        }
        return n;
    }

    ObjectNode offering(WaldurOffering o) {
        WaldurCustomer customer = state.customer(o.customerUuid());
        ObjectNode n = Json.object()
                .put("uuid", o.uuid())
                .put("url", url("marketplace-provider-offerings", o.uuid()))
                .put("name", o.name())
                .put("type", o.type())
                .put("customer_uuid", customer.uuid())
                .put("customer_name", customer.name());
        ArrayNode components = n.putArray("components");
        for (WaldurComponent c : o.components()) {
            components.addObject()
                    .put("type", c.type())
                    .put("name", c.name())
                    .put("billing_type", c.billingType())
                    .put("measured_unit", c.measuredUnit())
                    .put("unit_factor", c.unitFactor())
                    .put("limit_amount", c.limitAmount());
        }
        n.set("plugin_options", Json.tree(o.pluginOptions()));
        return n;
    }

    ObjectNode plan(WaldurPlan p) {
        ObjectNode n = Json.object()
                .put("uuid", p.uuid())
                .put("url", url("marketplace-plans", p.uuid()))
                .put("name", p.name())
                .put("offering", url("marketplace-provider-offerings", p.offeringUuid()));
        n.set("quotas", Json.tree(p.quotas()));
        return n;
    }

    ObjectNode teamMember(WaldurTeamMember m) {
        return Json.object()
                .put("url", url("users", m.uuid()))
                .put("uuid", m.uuid())
                .put("username", m.username())
                .put("full_name", m.fullName())
                .put("email", m.email())
                .put("role", m.role())
                .putNull("expiration_time")
                .put("offering_user_username", m.offeringUserUsername())
                .put("offering_user_state", m.offeringUserState());
    }

    ObjectNode offeringUser(WaldurOfferingUser u) {
        WaldurOffering offering = state.offering(u.offeringUuid());
        WaldurCustomer customer = state.customer(offering.customerUuid());
        String fullName = u.userFullName() == null ? "" : u.userFullName().strip();
        int space = fullName.indexOf(' ');
        ObjectNode n = Json.object()
                .put("uuid", u.uuid())
                .put("url", url("marketplace-offering-users", u.uuid()))
                .put("user", url("users", u.userUuid()))
                .put("offering", url("marketplace-provider-offerings", offering.uuid()))
                .put("username", u.username())
                .put("offering_uuid", offering.uuid())
                .put("offering_name", offering.name())
                .put("user_uuid", u.userUuid())
                .put("user_username", u.userUsername())
                .put("user_full_name", fullName)
                .put("user_first_name", space < 0 ? fullName : fullName.substring(0, space))
                .put("user_last_name", space < 0 ? "" : fullName.substring(space + 1))
                .put("customer_uuid", customer.uuid())
                .put("customer_name", customer.name())
                .put("is_restricted", u.restricted())
                .put("state", u.state())
                .put("service_provider_comment", u.serviceProviderComment())
                .put("created", time(u.created()))
                .put("modified", time(u.modified()));
        // format: email / uri reject "", which Waldur would send for a blank field
        if (u.userEmail() != null && !u.userEmail().isEmpty()) {
            n.put("user_email", u.userEmail());
        }
        if (!u.serviceProviderCommentUrl().isEmpty()) {
            n.put("service_provider_comment_url", u.serviceProviderCommentUrl());
        }
        return n;
    }

    ObjectNode serviceAccount(WaldurServiceAccount a) {
        WaldurProject project = state.project(a.projectUuid());
        WaldurCustomer customer = state.customer(project.customerUuid());
        ObjectNode n = Json.object()
                .put("uuid", a.uuid())
                .put("url", url("marketplace-project-service-accounts", a.uuid()))
                .put("created", time(a.created()))
                .put("modified", time(a.modified()))
                .put("username", a.username())
                .put("description", "")
                .put("error_message", "")
                .put("state", a.state())
                .putNull("token")
                .putNull("expires_at")
                .put("project", project.uuid())
                .put("project_uuid", project.uuid())
                .put("project_name", project.name())
                .put("customer_uuid", customer.uuid())
                .put("customer_name", customer.name())
                .put("customer_abbreviation", "");
        if (!a.email().isEmpty()) {
            n.put("email", a.email());
        }
        return n;
    }

    ObjectNode courseAccount(WaldurCourseAccount a) {
        WaldurProject project = state.project(a.projectUuid());
        WaldurCustomer customer = state.customer(project.customerUuid());
        ObjectNode n = Json.object()
                .put("uuid", a.uuid())
                .put("url", url("marketplace-course-accounts", a.uuid()))
                .put("created", time(a.created()))
                .put("modified", time(a.modified()))
                .put("project", project.uuid())
                .put("project_uuid", project.uuid())
                .put("project_name", project.name())
                .put("project_slug", project.slug())
                .put("user_uuid", a.userUuid())
                .put("username", a.username())
                .put("customer_uuid", customer.uuid())
                .put("customer_name", customer.name())
                .put("state", a.state())
                .put("description", "")
                .put("error_message", "")
                .put("error_traceback", "");
        if (!a.email().isEmpty()) {
            n.put("email", a.email());
        }
        return n;
    }

    ObjectNode userLimit(WaldurComponentUserLimit l) {
        WaldurResource resource = state.resource(l.resourceUuid());
        return Json.object()
                .put("uuid", l.uuid())
                .put("url", url("component-user-usage-limits", l.uuid()))
                .put("resource", url("marketplace-resources", resource.uuid()))
                .put("component", state.componentUuid(resource.offeringUuid(), l.componentType()))
                .put("component_type", l.componentType())
                .put("user", url("marketplace-offering-users", l.offeringUserUuid()))
                .put("limit", decimal(l.limit()));
    }

    ObjectNode componentUsage(WaldurComponentUsage u) {
        WaldurResource resource = state.resource(u.resourceUuid());
        WaldurOffering offering = state.offering(resource.offeringUuid());
        WaldurProject project = state.project(resource.projectUuid());
        WaldurCustomer customer = state.customer(project.customerUuid());
        WaldurComponent component = state.component(offering.uuid(), u.type());
        ObjectNode n = Json.object()
                .put("uuid", u.uuid())
                .put("created", time(u.created()))
                .put("description", u.description())
                .put("type", u.type())
                .put("name", component == null ? u.type() : component.name())
                .put("measured_unit", component == null ? "" : component.measuredUnit())
                .put("date", time(u.date()))
                .put("recurring", u.recurring())
                .put("resource_name", resource.name())
                .put("resource_uuid", resource.uuid())
                .put("offering_name", offering.name())
                .put("offering_uuid", offering.uuid())
                .put("project_name", project.name())
                .put("project_uuid", project.uuid())
                .put("customer_name", customer.name())
                .put("customer_uuid", customer.uuid())
                .put("billing_period", u.billingPeriod().toString())
                .putNull("modified_by");
        if (usageAsDecimalString) {
            // what DRF renders for the model's DecimalField(decimal_places=2)
            n.put("usage", decimal(u.usage()));
        } else {
            // the 8.0.5 schema declares an integer; DRF's IntegerField would int() (truncate) the Decimal
            n.put("usage", u.usage().setScale(0, java.math.RoundingMode.DOWN).longValueExact());
        }
        return n;
    }

    ObjectNode importRequest(WaldurBackendResourceRequest r) {
        WaldurOffering offering = state.offering(r.offeringUuid());
        ObjectNode n = Json.object()
                .put("uuid", r.uuid())
                .put("url", url("backend-resource-requests", r.uuid()))
                .put("created", time(r.created()))
                .put("modified", time(r.modified()))
                .put("state", r.state())
                .put("offering", offering.uuid())
                .put("offering_name", offering.name())
                .put("offering_url", url("marketplace-provider-offerings", offering.uuid()))
                .put("error_message", r.errorMessage())
                .put("error_traceback", r.errorTraceback());
        n.put("started", r.started() == null ? null : time(r.started()));
        n.put("finished", r.finished() == null ? null : time(r.finished()));
        return n;
    }

    ObjectNode backendResource(WaldurBackendResource b) {
        WaldurProject project = state.project(b.projectUuid());
        WaldurOffering offering = state.offering(b.offeringUuid());
        ObjectNode n = Json.object()
                .put("uuid", b.uuid())
                .put("url", url("backend-resources", b.uuid()))
                .put("name", b.name())
                .put("created", time(b.created()))
                .put("modified", time(b.modified()))
                .put("project", project.uuid())
                .put("project_name", project.name())
                .put("project_url", url("projects", project.uuid()))
                .put("offering", offering.uuid())
                .put("offering_name", offering.name())
                .put("offering_url", url("marketplace-provider-offerings", offering.uuid()))
                .put("backend_id", b.backendId());
        n.set("backend_metadata", Json.tree(b.backendMetadata()));
        return n;
    }

    ObjectNode project(WaldurProject p) {
        WaldurCustomer customer = state.customer(p.customerUuid());
        return Json.object()
                .put("uuid", p.uuid())
                .put("url", url("projects", p.uuid()))
                .put("name", p.name())
                .put("slug", p.slug())
                .put("customer", url("customers", customer.uuid()))
                .put("customer_uuid", customer.uuid())
                .put("customer_name", customer.name())
                .put("customer_slug", customer.slug());
    }

    ObjectNode policy(WaldurPeriodicUsagePolicy p) {
        WaldurOffering offering = state.offering(p.offeringUuid());
        return Json.object()
                .put("uuid", p.uuid())
                .put("url", url("marketplace-slurm-periodic-usage-policies", p.uuid()))
                .put("scope", url("marketplace-provider-offerings", offering.uuid()))
                .put("scope_name", offering.name())
                .put("scope_uuid", offering.uuid());
    }

    /** DRF's DecimalField(decimal_places=2) representation. */
    static String decimal(java.math.BigDecimal value) {
        return value.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    ObjectNode serviceProvider(String spUuid, WaldurCustomer customer) {
        return Json.object()
                .put("uuid", spUuid)
                .put("url", url("marketplace-service-providers", spUuid))
                .put("customer_uuid", customer.uuid())
                .put("customer_name", customer.name())
                .put("customer_slug", customer.slug());
    }

    ObjectNode subscription(WaldurSubscription s) {
        ObjectNode n = Json.object()
                .put("uuid", s.uuid())
                .put("url", url("event-subscriptions", s.uuid()))
                .put("description", s.description())
                .put("user", url("users", userUuid))
                .put("user_uuid", userUuid)
                .put("user_username", username)
                .put("user_full_name", "Fake Site Agent")
                .put("created", time(s.created()))
                .put("modified", time(s.created()))
                .put("source_ip", "127.0.0.1");
        n.set("observable_objects", Json.tree(s.observableObjects()));
        return n;
    }

    ObjectNode currentUser() {
        return Json.object()
                .put("uuid", userUuid)
                .put("url", url("users", userUuid))
                .put("username", username)
                .put("full_name", "Fake Site Agent")
                .put("email", username + "@example.org")
                .put("is_staff", false)
                .put("is_support", false)
                .put("is_active", true);
    }

    static String time(Instant t) {
        return t.toString();
    }

    /** Keeps only the fields named by repeated {@code field} query parameters, as Waldur does. */
    static ObjectNode fields(ObjectNode node, Map<String, java.util.List<String>> query) {
        java.util.List<String> wanted = query.get("field");
        if (wanted == null || wanted.isEmpty()) {
            return node;
        }
        node.retain(wanted);
        return node;
    }
}
