package org.waldur.agent.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.camel.Header;
import org.waldur.agent.waldur.WaldurJson;

/**
 * Keys for the worker hand-off. Messages about the same order or resource share a partition, so they are
 * processed one at a time in arrival order; different objects are processed in parallel.
 */
public final class EventKeys {

    /**
     * Payload fields naming the object a message is about, most specific first. Role and account messages
     * change a whole project, so they are keyed by project: changes to one project's memberships are
     * applied one at a time, in order.
     */
    private static final String[] SUBJECT_FIELDS = {"order_uuid", "resource_uuid", "project_uuid", "account_uuid",
            "backend_resource_request_uuid", "offering_user_uuid", "user_uuid"};

    private final int partitions;

    public EventKeys(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("agent.workers must be at least 1");
        }
        this.partitions = partitions;
    }

    /** The object the message is about; malformed JSON is rejected here, before the hand-off, with a clear reason. */
    public String subject(String body) {
        JsonNode node;
        try {
            node = WaldurJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidEventException("the payload must be a JSON object");
        }
        for (String field : SUBJECT_FIELDS) {
            JsonNode v = node.get(field);
            if (v != null && v.isTextual() && !v.asText().isBlank()) {
                return v.asText().replace("-", "").toLowerCase(java.util.Locale.ROOT);
            }
        }
        return "";
    }

    public int partition(String subject) {
        return Math.floorMod(subject.hashCode(), partitions);
    }

    /** Identity of a delivery for the idempotent consumer: the same payload on the same subscription topic. */
    public String messageId(@Header("WaldurOffering") String offering, @Header("WaldurObjectType") String objectType,
            String body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest(body.getBytes(StandardCharsets.UTF_8));
            return offering + ":" + objectType + ":" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
