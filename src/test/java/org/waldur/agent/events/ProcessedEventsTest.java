package org.waldur.agent.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessedEventsTest {

    @TempDir
    Path dir;

    private ProcessedEvents open(int capacity) {
        ProcessedEvents events = new ProcessedEvents(new File(dir.toFile(), "processed-events.dat"), capacity);
        events.start();
        return events;
    }

    private static String id(int i) {
        return "e8a1c2f0-0000-4000-8000-000000000001:order:" + String.format("%032x", i);
    }

    @Test
    void aMessageIsProcessedOnceAlsoAcrossARestart() {
        ProcessedEvents events = open(100);
        assertThat(events.add(id(1))).isTrue();
        assertThat(events.add(id(1))).as("the same message again").isFalse();
        events.stop();

        ProcessedEvents restarted = open(100);
        assertThat(restarted.add(id(1))).as("redelivered after a restart").isFalse();
        assertThat(restarted.add(id(2))).isTrue();
        restarted.stop();
    }

    @Test
    void theLastCapacityIdsAreRememberedAndTheFileStaysBounded() throws Exception {
        int capacity = 200;
        ProcessedEvents events = open(capacity);
        for (int i = 0; i < 20 * capacity; i++) {
            assertThat(events.add(id(i))).isTrue();
        }
        events.stop();
        long size = Files.size(dir.resolve("processed-events.dat"));
        assertThat(size).as("file size after %d ids", 20 * capacity).isLessThanOrEqualTo(2L * capacity * 128 + 128);

        ProcessedEvents restarted = open(capacity);
        for (int i = 20 * capacity - capacity; i < 20 * capacity; i++) {
            assertThat(restarted.add(id(i))).as("recent id %d after a restart", i).isFalse();
        }
        assertThat(restarted.add(id(0))).as("an id older than the last %d", capacity).isTrue();
        restarted.stop();
    }

    @Test
    void anIdOnlyOnFileOutsideTheRememberedOnesIsNotSearchedFor() throws Exception {
        // what the file holds beyond memory is never scanned: that scan made every new message cost O(file)
        Path file = dir.resolve("processed-events.dat");
        ProcessedEvents events = open(2);
        events.add(id(1));
        events.add(id(2));
        events.add(id(3));
        assertThat(Files.readAllLines(file)).contains(id(1));
        assertThat(events.add(id(1))).as("id 1 fell out of the last two").isTrue();
        events.stop();
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new ProcessedEvents(new File(dir.toFile(), "x.dat"), 0))
                .hasMessageContaining("agent.idempotency.cacheSize");
    }
}
