package org.waldur.agent.sandbox.waldur;

/**
 * A Waldur project; create with {@link FakeWaldur#addProject(WaldurCustomer, String, String)}.
 *
 * @param uuid 32-char hex
 * @param name display name ({@code project_name})
 * @param slug {@code project_slug}
 * @param customerUuid owning customer
 */
public record WaldurProject(String uuid, String name, String slug, String customerUuid) {
}
