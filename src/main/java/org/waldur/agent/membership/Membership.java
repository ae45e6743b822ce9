package org.waldur.agent.membership;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.waldur.agent.config.AgentConfig;
import org.waldur.agent.config.OfferingConfig;
import org.waldur.agent.config.SlurmSettings;
import org.waldur.agent.slurm.SacctmgrOutput;

/**
 * The decisions of membership sync (waldur-protocol.md §5.5–§5.8), kept out of the routes so they can be
 * read and tested on their own: who belongs in an allocation account, which QoS it should have, whether
 * SLURM's limits drifted from Waldur's. SLURM lowercases user names, so comparisons ignore case.
 */
public final class Membership {

    private final AgentConfig config;
    /** The QoS last written to each resource's backend_metadata by this process, so it is not re-sent every sync. */
    private final Map<String, String> toldQos = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 10_000;
        }
    });

    public Membership(AgentConfig config) {
        this.config = config;
    }

    /** Called after Waldur accepted set_backend_metadata. */
    public void toldQos(String resourceUuid, String qos) {
        toldQos.put(resourceUuid, qos);
    }

    /** The first offering user's username, or null when the user has none yet (nothing to do). */
    public String username(List<Map<String, Object>> offeringUsers) {
        if (offeringUsers == null) {
            return null;
        }
        return offeringUsers.stream().map(u -> text(u, "username")).filter(u -> !u.isBlank()).findFirst().orElse(null);
    }

    /**
     * Resource sync for users (§5.7 a): team members with an offering username are added; usernames this
     * offering gave out that are in SLURM but no longer in the team are removed; with restricted member
     * access every team member is removed and nobody is added. Accounts the agent never managed (neither
     * team nor offering users) are left alone.
     */
    public UserChanges users(List<Map<String, Object>> team, List<Map<String, Object>> offeringUsers, String associations,
            String account, Boolean restrictMemberAccess) {
        Set<String> inSlurm = lower(SacctmgrOutput.associationUsers(associations, account));
        Set<String> inTeam = new LinkedHashSet<>();
        for (Map<String, Object> member : nullSafe(team)) {
            String username = text(member, "offering_user_username");
            String state = text(member, "offering_user_state");
            if (!username.isBlank() && (state.isBlank() || state.equalsIgnoreCase("OK"))) {
                inTeam.add(username.toLowerCase(Locale.ROOT));
            }
        }
        Set<String> ours = new LinkedHashSet<>();
        for (Map<String, Object> u : nullSafe(offeringUsers)) {
            String username = text(u, "username");
            if (!username.isBlank()) {
                ours.add(username.toLowerCase(Locale.ROOT));
            }
        }
        if (Boolean.TRUE.equals(restrictMemberAccess)) {
            return new UserChanges(List.of(), sorted(inSlurm.stream().filter(inTeam::contains).toList()));
        }
        List<String> add = inTeam.stream().filter(u -> !inSlurm.contains(u)).toList();
        List<String> remove = inSlurm.stream().filter(ours::contains).filter(u -> !inTeam.contains(u)).toList();
        return new UserChanges(sorted(add), sorted(remove));
    }

    /** Service or course accounts (§5.7 b/c): OK accounts belong in SLURM, Closed ones do not. */
    public UserChanges accounts(List<Map<String, Object>> accounts, String associations, String account) {
        Set<String> inSlurm = lower(SacctmgrOutput.associationUsers(associations, account));
        List<String> add = new ArrayList<>();
        List<String> remove = new ArrayList<>();
        for (Map<String, Object> a : nullSafe(accounts)) {
            String username = text(a, "username").toLowerCase(Locale.ROOT);
            if (username.isBlank()) {
                continue;
            }
            String state = text(a, "state");
            if (state.equalsIgnoreCase("OK") && !inSlurm.contains(username)) {
                add.add(username);
            } else if (state.equalsIgnoreCase("Closed") && inSlurm.contains(username)) {
                remove.add(username);
            }
        }
        return new UserChanges(sorted(add), sorted(remove));
    }

    /**
     * The QoS the account should have (§5.7 d): qos_paused when paused, qos_downscaled when downscaled, else
     * qos_default. Null when it already has it, or when the needed QoS is not configured (logged by the route).
     */
    public String qosChange(String offeringKey, Map<String, Object> resource, String qosListing, String account) {
        String target = targetQos(offeringKey, resource);
        if (target == null) {
            return null;
        }
        List<String> current = SacctmgrOutput.accountQos(qosListing, account);
        return current.size() == 1 && current.get(0).equalsIgnoreCase(target) ? null : target;
    }

    public String targetQos(String offeringKey, Map<String, Object> resource) {
        SlurmSettings s = offering(offeringKey).backendSettings();
        if (Boolean.TRUE.equals(resource.get("paused"))) {
            return blankToNull(s.qosPaused());
        }
        if (Boolean.TRUE.equals(resource.get("downscaled"))) {
            return blankToNull(s.qosDownscaled());
        }
        return s.qosDefault();
    }

    /** The QoS to record in Waldur's backend_metadata, or null when Waldur already has it. */
    public Map<String, Object> metadataChange(Map<String, Object> resource, String qos) {
        Object metadata = resource.get("backend_metadata");
        Object known = metadata instanceof Map<?, ?> m ? m.get("qos") : toldQos.get(text(resource, "uuid"));
        if (qos == null || Objects.equals(known, qos)) {
            return null;
        }
        return Map.of("backend_metadata", Map.of("qos", qos));
    }

    /** Resources that have a SLURM account; the others have nothing to synchronise. */
    public List<Map<String, Object>> withBackendId(List<Map<String, Object>> resources) {
        return nullSafe(resources).stream().filter(r -> !text(r, "backend_id").isBlank()).toList();
    }

    public List<Map<String, Object>> concat(List<Map<String, Object>> a, List<Map<String, Object>> b) {
        List<Map<String, Object>> all = new ArrayList<>(nullSafe(a));
        all.addAll(nullSafe(b));
        return all;
    }

    /** The service provider's list of accounts for an object type. */
    public String accountList(String objectType) {
        return "course_account".equals(objectType) ? "course_accounts" : "project_service_accounts";
    }

    /** The project of the first account found, or null. */
    public String projectOf(List<Map<String, Object>> accounts) {
        return nullSafe(accounts).stream().map(a -> text(a, "project_uuid")).filter(p -> !p.isBlank()).findFirst().orElse(null);
    }

    public String urlEncode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    private OfferingConfig offering(String key) {
        return config.requireOffering(key);
    }

    private static Set<String> lower(Collection<String> names) {
        Set<String> out = new TreeSet<>();
        names.forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
        return out;
    }

    private static List<String> sorted(Collection<String> names) {
        return new ArrayList<>(new TreeSet<>(names));
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static String text(Map<String, Object> map, String key) {
        Object v = map == null ? null : map.get(key);
        return v == null ? "" : String.valueOf(v);
    }
}
