package org.waldur.agent.mqtt;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** What the agent keeps of a Waldur event subscription: its UUID and its owner's UUID (the broker vhost). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Subscription(@JsonProperty("uuid") String uuid, @JsonProperty("user_uuid") String userUuid) {

    /** The broker username: RabbitMQ's "vhost:user" form, which Waldur provisions per subscription. */
    public String brokerUserName() {
        return userUuid + ":" + uuid;
    }
}
