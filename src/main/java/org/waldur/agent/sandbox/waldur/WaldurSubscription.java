package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An event subscription created by the agent with {@code POST /api/event-subscriptions/}.
 *
 * @param uuid subscription uuid (S), 32-char hex
 * @param userUuid owner (U), always {@link FakeWaldur#userUuid()}
 * @param description as sent by the agent
 * @param observableObjects as sent, e.g. {@code [{"object_type": "order"}]}
 * @param created creation time
 */
public record WaldurSubscription(String uuid, String userUuid, String description,
        List<Map<String, Object>> observableObjects, Instant created) {

    public WaldurSubscription {
        observableObjects = observableObjects.stream().map(FixtureMaps::<Object>copy).toList();
    }

    /** The MQTT username Waldur provisions for this subscription: {@code <user_uuid>:<subscription_uuid>}. */
    public String brokerUsername() {
        return userUuid + ":" + uuid;
    }

    /** Convenience: the object types observed, e.g. {@code [order]}. */
    public List<String> objectTypes() {
        return observableObjects.stream().map(o -> String.valueOf(o.get("object_type"))).toList();
    }
}
