package org.waldur.agent.usernames;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.OfferingConfig;

/**
 * Username generation for offering users (waldur-protocol.md §5.6), called by the offering-users route:
 * which users wait for a username, and what their username is.
 */
public final class Usernames {

    private static final Logger LOG = LoggerFactory.getLogger(Usernames.class);
    /** States in which Waldur waits for the provider to give a username. */
    private static final Set<String> WAITING = Set.of("Requested", "Creating", "Pending account linking", "Pending additional validation");

    private final AgentConfig config;

    public Usernames(AgentConfig config) {
        this.config = config;
        for (OfferingConfig o : config.offerings()) {
            String backend = o.usernameManagementBackend();
            if (!backend.equals("base") && !backend.equals("derived")) {
                LOG.warn("{}: username_management_backend '{}' is not available here (available: base, derived); no usernames will be generated",
                        o, backend);
            }
        }
    }

    public static UsernameSource source(String backend) {
        return "derived".equals(backend) ? new DerivedUsernameSource() : new BaseUsernameSource();
    }

    /** Offering users that wait for a username, when this offering generates them at all. */
    public List<Map<String, Object>> waiting(String offeringKey, List<Map<String, Object>> offeringUsers) {
        if (source(config.requireOffering(offeringKey).usernameManagementBackend()) instanceof BaseUsernameSource) {
            return List.of();
        }
        return offeringUsers == null ? List.of() : offeringUsers.stream()
                .filter(u -> WAITING.contains(String.valueOf(u.get("state"))))
                .filter(u -> u.get("username") == null || String.valueOf(u.get("username")).isBlank())
                .toList();
    }

    /** The username for one user, or null; taken names are those of all listed offering users. */
    public String usernameFor(String offeringKey, Map<String, Object> offeringUser, List<Map<String, Object>> offeringUsers) {
        Set<String> taken = new HashSet<>();
        for (Map<String, Object> u : offeringUsers == null ? List.<Map<String, Object>>of() : offeringUsers) {
            if (u.get("username") != null) {
                taken.add(String.valueOf(u.get("username")).toLowerCase(Locale.ROOT));
            }
        }
        return source(config.requireOffering(offeringKey).usernameManagementBackend())
                .usernameFor(offeringUser, taken).orElse(null);
    }

    public Map<String, Object> usernameRequest(String username) {
        return Map.of("username", username);
    }
}
