package org.waldur.agent.sandbox.waldur;

/**
 * Told when an event subscription appears or disappears, like Waldur provisioning or removing the
 * RabbitMQ user {@code <user_uuid>:<subscription_uuid>}. The test MQTT broker registers one to add
 * and remove its users (password = {@link FakeWaldur#token()}).
 *
 * <p>Called synchronously on the HTTP thread <em>before</em> the response is sent, so the broker
 * user exists by the time the agent sees the 201 and connects. An exception from
 * {@link #created} makes the fake answer 400 (as Waldur does when broker provisioning fails) and
 * drop the subscription; one from {@link #deleted} makes the DELETE answer 500 and keep it.
 */
public interface SubscriptionListener {

    default void created(WaldurSubscription subscription) {
    }

    default void deleted(WaldurSubscription subscription) {
    }
}
