package org.waldur.agent.sandbox.waldur;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Immutable copies that keep insertion order, so the fake's JSON output is deterministic. */
final class FixtureMaps {

    private FixtureMaps() {
    }

    static <V> Map<String, V> copy(Map<String, ? extends V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    static <T> List<T> copy(List<? extends T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
