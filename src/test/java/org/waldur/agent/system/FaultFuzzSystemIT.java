package org.waldur.agent.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.waldur.agent.sandbox.waldur.WaldurOrder;
import org.waldur.agent.slurm.SlurmNames;

/**
 * Fuzzed payloads (10,000 at full size) mixed into valid order messages on the agent's topic.
 *
 * <p><b>Bad</b> means the message itself cannot be processed: not JSON, not a JSON object, no
 * {@code order_uuid}, an {@code order_uuid} that is not a UUID string (wrong type, injection text, unicode,
 * huge), or a field of the wrong type. Each one must be in the dead-letter file exactly once, with its
 * payload and a reason, and must never cause a request to Waldur or a SLURM command.
 *
 * <p><b>Valid</b> means a well-formed order message about an existing order. Most are about ordinary
 * resources and must end done. Some are about resources whose slug is hostile (shell metacharacters,
 * sacctmgr separators, unicode, too long): the agent must refuse to build a command from it, so those orders
 * end erred with a reason and no SLURM command ever sees the slug. Every argument every SLURM command got
 * is checked against the agent's safe-name rules.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultFuzzSystemIT {

    private static final String PREFIX = "ffuzz_";
    private static final int DEAD_LETTER_PAYLOAD_LIMIT = 64 * 1024;
    /** What an argument other than a free-text description may contain. */
    private static final Pattern SAFE_ARGUMENT = Pattern.compile("[A-Za-z0-9_.,:=/+\"-]*");
    private static final List<String> HOSTILE_SLUGS = List.of(
            "a b", "$(id)", "x;rm -rf /", "name=root", "a,b", "ünïcødé", "'q", "a\nb", "x".repeat(70), "a\"b",
            "a/b", "😀", "`id`", "-i where name=root", "a|b");
    private static final List<String> INJECTIONS = List.of(
            "'; DROP TABLE marketplace_order; --", "$(touch /tmp/pwned)", "`id`", "../../etc/passwd",
            "x\nwhere name=root", "${jndi:ldap://127.0.0.1:1/a}", "${sys:user.home}", "<script>alert(1)</script>",
            "%s%s%n", "' OR '1'='1", "-i remove account where name=root", "\u0000", "\u202eevil");

    private FaultSite site;

    @BeforeAll
    void start() throws Exception {
        site = new FaultSite(PREFIX);
    }

    @AfterAll
    void stop() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    /** A message to publish, and what the dead-letter file must show for it when it is bad. */
    private record Message(byte[] bytes, boolean bad, WaldurOrder order, boolean hostile) {
        /** The payload as the agent reads it (UTF-8, invalid bytes replaced), as the dead-letter file holds it. */
        String received() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        String deadLetterKey() {
            String p = received();
            return p.length() > DEAD_LETTER_PAYLOAD_LIMIT ? p.substring(0, DEAD_LETTER_PAYLOAD_LIMIT) + "|" + p.length() : p;
        }
    }

    @Test
    void fuzzedPayloadsAreDeadLetteredValidOnesProcessedAndTheAgentStaysUp() throws Exception {
        int badCount = FaultScale.fuzzPayloads();
        int validCount = FaultScale.fuzzValidOrders();
        AgentProcess agent = site.startAndAwaitIdle(List.of());
        long agentPid = agent.pid();
        try {
            Random random = new Random(20261202L);
            List<Message> messages = new ArrayList<>();
            List<String> badUuids = new ArrayList<>();
            for (int i = 0; i < badCount; i++) {
                String uuid = UUID.randomUUID().toString();
                badUuids.add(uuid.replace("-", ""));
                messages.add(new Message(badPayload(i, uuid, random), true, null, false));
            }
            for (int i = 0; i < validCount; i++) {
                WaldurOrder order = site.newCreateOrder(String.format("z%04d", i));
                messages.add(new Message(validPayload(i, order).getBytes(StandardCharsets.UTF_8), false, order, false));
            }
            for (String slug : HOSTILE_SLUGS) {
                WaldurOrder order = site.newCreateOrder(slug);
                messages.add(new Message(validPayload(0, order).getBytes(StandardCharsets.UTF_8), false, order, true));
            }
            Collections.shuffle(messages, random);
            long bytes = messages.stream().mapToLong(m -> m.bytes().length).sum();

            long t0 = System.nanoTime();
            String topic = site.orderTopic();
            for (Message m : messages) {
                site.broker.publish(topic, m.bytes(), 1);
            }
            long publishMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            Path deadLetterFile = site.work.resolve("data/dead-letter.jsonl");
            List<Message> valid = messages.stream().filter(m -> !m.bad()).toList();
            await("every bad payload dead-lettered and every valid order finished").atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofSeconds(2)).until(() -> {
                        if (!agent.isAlive()) {
                            throw new IllegalStateException("the agent exited:\n" + agent.log().lines().skip(Math.max(0,
                                    agent.log().lines().count() - 50)).reduce("", (a, b) -> a + "\n" + b));
                        }
                        long lines;
                        try (var s = Files.lines(deadLetterFile, StandardCharsets.UTF_8)) {
                            lines = Files.exists(deadLetterFile) ? s.count() : 0;
                        } catch (java.io.IOException | java.io.UncheckedIOException e) {
                            lines = 0;
                        }
                        return lines >= badCount && valid.stream().allMatch(m -> site.waldur.order(m.order().uuid()).isTerminal());
                    });
            long processedMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();

            // the agent never crashed: same process, alive and ready
            assertThat(agent.isAlive()).isTrue();
            assertThat(agent.pid()).isEqualTo(agentPid);
            await("ready").atMost(Duration.ofSeconds(60)).until(site::isReady);

            // every bad payload is in the dead-letter file exactly once, with a reason; nothing else is there
            List<JsonNode> deadLetters = site.deadLetters();
            List<String> actual = new ArrayList<>();
            for (JsonNode d : deadLetters) {
                assertThat(d.path("reason").asText()).as("reason of %s", d).isNotBlank();
                assertThat(d.path("object_type").asText()).isEqualTo("order");
                assertThat(d.path("topic").asText()).isEqualTo(site.orderTopic());
                String payload = d.path("payload").asText();
                actual.add(d.has("payload_truncated_from") ? payload + "|" + d.get("payload_truncated_from").asInt() : payload);
            }
            List<String> expected = messages.stream().filter(Message::bad).map(Message::deadLetterKey).toList();
            assertThat(actual).as("dead-lettered payloads").hasSize(badCount).containsExactlyInAnyOrderElementsOf(expected);

            // a bad payload never reached Waldur
            List<String> paths = site.waldur.requests().stream().map(r -> r.path() + "?" + r.query()).toList();
            java.util.Set<String> mentioned = new java.util.HashSet<>();
            for (String p : paths) {
                java.util.regex.Matcher m = Pattern.compile("[0-9a-f]{32}").matcher(p.replace("-", ""));
                while (m.find()) {
                    mentioned.add(m.group());
                }
            }
            assertThat(badUuids).as("UUIDs of bad payloads in Waldur requests").noneMatch(mentioned::contains);

            // every valid message processed: ordinary orders done, orders of hostile slugs erred with a reason
            for (Message m : valid) {
                WaldurOrder o = site.waldur.order(m.order().uuid());
                if (m.hostile()) {
                    assertThat(o.state()).as("order of slug %s", site.waldur.resource(o.resourceUuid()).slug()).isEqualTo("erred");
                    assertThat(o.errorMessage()).isNotBlank();
                } else {
                    assertThat(o.state()).as("order %s", o.uuid()).isEqualTo("done");
                }
            }
            assertThat(site.allocationAccounts()).hasSize(validCount);

            // no SLURM command got an unvalidated name
            List<FaultSite.SlurmCall> calls = site.slurmCalls();
            assertThat(calls).isNotEmpty();
            for (FaultSite.SlurmCall call : calls) {
                for (String arg : call.args()) {
                    for (String slug : HOSTILE_SLUGS) {
                        assertThat(arg).as("argument of %s", call).doesNotContain(slug.length() > 1 ? slug : "\u0000");
                    }
                    if (!arg.startsWith("description=") && !arg.startsWith("organization=")) {
                        assertThat(arg).as("argument of %s", call).matches(SAFE_ARGUMENT);
                    }
                }
                for (String name : names(call)) {
                    assertThat(SlurmNames.account("name in " + call, name)).isEqualTo(name);
                }
            }
            assertThat(site.waldur.contractViolations()).isEmpty();

            System.out.printf("FAULTS fuzz: %d bad + %d valid (%d with hostile slugs) messages, %.1f MB; published in %d ms;"
                    + " all dead-lettered/finished %d ms after the first publish; %d SLURM commands checked%n",
                    badCount, valid.size(), HOSTILE_SLUGS.size(), bytes / 1e6, publishMs, processedMs, calls.size());
        } finally {
            agent.close();
        }
    }

    /** Names in a sacctmgr argv: the object after add/show/modify account|user, and values of name-like keys. */
    private static List<String> names(FaultSite.SlurmCall call) {
        List<String> args = new ArrayList<>(call.args());
        while (!args.isEmpty() && args.get(0).startsWith("--")) {
            args.remove(0);
        }
        List<String> names = new ArrayList<>();
        if (call.program().equals("sacctmgr") && args.size() > 2 && List.of("account", "user").contains(args.get(1))
                && !args.get(2).contains("=") && !args.get(2).equals("where")) {
            // a bare name may be a comma list, as sacctmgr reads it: show account <cust>,<proj>,<alloc>
            names.addAll(List.of(args.get(2).split(",", -1)));
        }
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0 && List.of("name", "account", "accounts", "parent", "user", "users", "defaultaccount")
                    .contains(arg.substring(0, eq).toLowerCase(java.util.Locale.ROOT))) {
                for (String v : arg.substring(eq + 1).replace("\"", "").split(",")) {
                    names.add(v);
                }
            }
        }
        if (call.program().equals("scancel")) {
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).equals("-A") || args.get(i).equals("-u")) {
                    names.add(args.get(i + 1));
                }
            }
        }
        return names;
    }

    private static String validPayload(int i, WaldurOrder order) {
        String dashed = UUID.fromString(order.uuid().replaceFirst("(\\w{8})(\\w{4})(\\w{4})(\\w{4})(\\w{12})", "$1-$2-$3-$4-$5")).toString();
        return switch (i % 3) {
            case 0 -> "{\"order_uuid\": \"" + order.uuid() + "\", \"order_state\": \"pending-provider\"}";
            case 1 -> "{\"order_uuid\": \"" + dashed.toUpperCase(java.util.Locale.ROOT) + "\"}";
            default -> "{\"order_uuid\": \"" + dashed + "\", \"order_state\": \"pending-provider\", \"offering_uuid\": \""
                    + order.offeringUuid() + "\", \"action\": \"create\", \"note\": \"ünïcødé ✓ 😀\"}";
        };
    }

    /** The i-th bad payload; every one is different (it carries i), so none is dropped as a repeat. */
    static byte[] badPayload(int i, String uuid, Random random) {
        String s;
        switch (i % 24) {
            case 0 -> s = "{\"order_uuid\": \"" + uuid + "\", \"n\": " + i;
            case 1 -> s = "order " + i + " please";
            case 2 -> s = "{'order_uuid': '" + uuid + "', 'n': " + i + "}";
            case 3 -> s = "[" + i + ", {\"order_uuid\": \"" + uuid + "\"}]";
            case 4 -> s = "\"" + uuid + " " + i + "\"";
            case 5 -> s = Integer.toString(i);
            case 6 -> s = "{\"order_uuid\": " + i + "}";
            case 7 -> s = "{\"order_uuid\": [\"" + uuid + "\"], \"n\": " + i + "}";
            case 8 -> s = "{\"order_uuid\": {\"uuid\": \"" + uuid + "\"}, \"n\": " + i + "}";
            case 9 -> s = "{\"order_uuid\": " + (i % 2 == 0 ? "null" : "true") + ", \"n\": " + i + "}";
            case 10 -> s = "{\"order_state\": \"pending-provider\", \"n\": " + i + "}";
            case 11 -> s = "{\"n\": " + i + ", \"resource_uuid\": \"" + uuid + "\"}";
            case 12 -> s = "{\"order_uuid\": \"   \", \"n\": " + i + "}";
            case 13 -> s = "{\"order_uuid\": \"" + uuid + "\", \"order_state\": {\"n\": " + i + "}}";
            case 14 -> s = "{\"order_uuid\": \"" + json("ünïcødé-✓-" + i + "-😀\u200b") + "\"}";
            case 15 -> s = "{\"order_uuid\": \"" + json(INJECTIONS.get(i / 24 % INJECTIONS.size()) + " " + i) + "\"}";
            case 16 -> s = "{\"order_uuid\": \"" + json(uuid + INJECTIONS.get(i / 24 % INJECTIONS.size())) + "\", \"n\": " + i + "}";
            case 17 -> {
                // not UTF-8: a lone continuation byte and a truncated sequence
                byte[] head = ("{\"order_uuid\": \"" + i + "-").getBytes(StandardCharsets.UTF_8);
                byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
                byte[] out = new byte[head.length + 3 + tail.length];
                System.arraycopy(head, 0, out, 0, head.length);
                out[head.length] = (byte) 0x80;
                out[head.length + 1] = (byte) 0xC3;
                out[head.length + 2] = (byte) 0x28;
                System.arraycopy(tail, 0, out, head.length + 3, tail.length);
                return out;
            }
            case 18 -> s = "{\"n\": " + i + ", \"a\": " + "[".repeat(3000) + "]".repeat(3000) + "}";
            case 19 -> s = "{\"order_uuid\": 1" + "0".repeat(40) + i + "}";
            case 20 -> {
                // huge: 1 MB now and then, else 100 KB or 10 KB
                int size = i % 1000 == 20 ? 1 << 20 : i % 100 == 20 ? 100 * 1024 : 10 * 1024;
                s = "{\"order_uuid\": \"" + i + "-" + "a".repeat(size) + "\"}";
            }
            case 21 -> s = i == 21 ? "" : "{\"order_uuid\": \"" + uuid + "\", \"order_state\": [" + i + "]}";
            case 22 -> s = "{\"order_uuid\": \"" + uuid.substring(0, 35) + "\", \"n\": " + i + "}";
            default -> {
                StringBuilder b = new StringBuilder("{\"order_uuid\": \"");
                for (int k = 0; k < 40; k++) {
                    b.append((char) (0x20 + random.nextInt(0x2FFF)));
                }
                // random BMP text below the surrogates: U+0020..U+301E, quotes and backslashes dropped
                s = b.toString().replace("\\", "").replace("\"", "") + i + "\"}";
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String json(String text) {
        StringBuilder b = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
