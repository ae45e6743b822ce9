package org.waldur.agent.usernames;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where offering-user usernames come from when Waldur leaves them to the service provider
 * ({@code username_generation_policy: service_provider}, waldur-protocol.md §5.6). Selected per offering by
 * {@code username_management_backend}; a site can add its own (e.g. a directory lookup) by implementing this.
 */
public interface UsernameSource {

    /**
     * A username for the offering user, or empty to leave it for later.
     *
     * @param offeringUser the offering user as Waldur returns it ({@code user_username}, {@code user_email}, …)
     * @param taken        usernames already given in this offering, lowercased
     */
    Optional<String> usernameFor(Map<String, Object> offeringUser, Set<String> taken);
}
