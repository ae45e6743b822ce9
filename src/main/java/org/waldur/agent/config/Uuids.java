package org.waldur.agent.config;

import java.util.Locale;
import java.util.regex.Pattern;

/** Waldur writes UUIDs as 32 hex digits; configs and some payloads use the dashed form. */
public final class Uuids {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern DASHED = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private Uuids() {
    }

    /**
     * Hex or dashed, any case, surrounding whitespace ignored. Only whitespace: {@code trim()} would also drop
     * control characters, and accept {@code "<uuid>\u0000"} from a message as the order's UUID.
     */
    public static boolean isValid(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        return HEX.matcher(v).matches() || DASHED.matcher(v).matches();
    }

    /** Normalises a hex or dashed UUID to 32 lowercase hex digits; rejects anything else. */
    public static String toHex(String value) {
        if (!isValid(value)) {
            throw new IllegalArgumentException("not a UUID: " + value);
        }
        return value.strip().toLowerCase(Locale.ROOT).replace("-", "");
    }
}
