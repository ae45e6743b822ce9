package org.waldur.agent.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.waldur.agent.config.Uuids;

/**
 * An {@code order} message (waldur-protocol.md §4.3): {@code order_uuid}, optionally {@code order_state}.
 * Other fields (offering_uuid, sequence_number, action) are accepted and ignored.
 */
public final class OrderEvent {

    private final String orderUuid;
    private final String orderState;

    @JsonCreator
    public OrderEvent(@JsonProperty(value = "order_uuid", required = true) String orderUuid,
            @JsonProperty("order_state") String orderState) {
        if (!Uuids.isValid(orderUuid)) {
            throw new InvalidEventException("order_uuid must be a UUID, got " + Failures.quote(orderUuid));
        }
        this.orderUuid = Uuids.toHex(orderUuid);
        this.orderState = orderState == null ? "" : orderState;
    }

    public String getOrderUuid() {
        return orderUuid;
    }

    public String getOrderState() {
        return orderState;
    }

    @Override
    public String toString() {
        return "order " + orderUuid + (orderState.isEmpty() ? "" : " (" + orderState + ")");
    }
}
