package org.waldur.agent.testing.waldur;

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

    WaldurViews(FakeWaldurState state, String apiUrl, String userUuid, String username) {
        this.state = state;
        this.apiUrl = apiUrl;
        this.userUuid = userUuid;
        this.username = username;
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

    ObjectNode offeringUser(FakeWaldurState.OfferingUser u) {
        WaldurTeamMember m = u.member();
        return Json.object()
                .put("uuid", u.uuid())
                .put("url", url("marketplace-offering-users", u.uuid()))
                .put("offering_uuid", u.offeringUuid())
                .put("user_uuid", m.uuid())
                .put("user_username", m.username())
                .put("user_full_name", m.fullName())
                .put("user_email", m.email())
                .put("username", m.offeringUserUsername())
                .put("state", m.offeringUserState())
                .put("is_restricted", false);
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
