package org.waldur.agent.sandbox.waldur;

/**
 * A Waldur customer (organisation); create with {@link FakeWaldur#addCustomer(String, String)}.
 *
 * @param uuid 32-char hex
 * @param name display name ({@code customer_name})
 * @param slug {@code customer_slug}, used by the agent for SLURM account names
 */
public record WaldurCustomer(String uuid, String name, String slug) {
}
