package org.waldur.agent.mqtt;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.waldur.agent.waldur.WaldurJson;

/**
 * The subscriptions this agent created, keyed by (API URL, offering, object type), so a restart reuses
 * them instead of leaving an orphan per restart (waldur-protocol.md §2.5, §8.3). Written atomically.
 */
public final class SubscriptionStore {

    private final Path file;
    private final Map<String, Subscription> entries;

    public SubscriptionStore(Path file) {
        this.file = file;
        this.entries = read(file);
    }

    public static String key(String apiBaseUrl, String offeringUuidHex, ObjectType type) {
        return apiBaseUrl + "|" + offeringUuidHex + "|" + type.wireName();
    }

    public synchronized Optional<Subscription> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public synchronized void put(String key, Subscription subscription) {
        entries.put(key, subscription);
        write();
    }

    public synchronized void remove(String key) {
        if (entries.remove(key) != null) {
            write();
        }
    }

    private void write() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            WaldurJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), entries);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write subscription state " + file, e);
        }
    }

    private static Map<String, Subscription> read(Path file) {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            return new TreeMap<>(WaldurJson.MAPPER.readValue(file.toFile(), new TypeReference<Map<String, Subscription>>() { }));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read subscription state " + file + " (delete it to start afresh)", e);
        }
    }
}
