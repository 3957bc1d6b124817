package dev.felix.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.protocol.EntryKind;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** GDB/UDB updates: the full entry after each committed write, to exactly its listeners, in commit order. */
@RunningGateway
class UpdatesTest {
    private static final String SENTINEL = "0";
    private TestGateway gw;

    /** Adds a field to the stored entry, so the update must carry the whole entry, not the change. */
    private JsonNode addField(EntryKind kind, String id, String field, int value) {
        String json = gw.gateway.store().write(kind, id, null, current -> {
            try {
                ObjectNode node = current == null ? Wire.mapper().createObjectNode()
                        : (ObjectNode) Wire.mapper().readTree(current.json());
                node.put("id", id).put(field, value);
                return Wire.mapper().writeValueAsString(node);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).join().json();
        try {
            return Wire.mapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every message a client got before the sentinel user's update (which all clients below listen to). */
    private List<JsonNode> drainToSentinel(WsTestClient client) {
        List<JsonNode> seen = new ArrayList<>();
        while (true) {
            JsonNode message = client.next();
            if (SENTINEL.equals(message.path("data").path("userID").textValue())) {
                return seen;
            }
            seen.add(message);
        }
    }

    @Test
    void guildUpdateCarriesIdAndFullEntryAfterTheWrite() {
        try (WsTestClient client = gw.connect()) {
            client.send(Messages.listen(List.of(), List.of("4242")));
            client.sync();
            addField(EntryKind.GUILD, "4242", "a", 1);
            JsonNode stored = addField(EntryKind.GUILD, "4242", "b", 2);

            JsonNode first = client.next();
            JsonNode second = client.next();
            JsonNode data = Messages.assertEnvelope(second, 10002, "GDB Update");
            assertThat(data.get("guildID").textValue()).isEqualTo("4242");
            assertThat(data.get("guildData")).isEqualTo(stored);
            assertThat(data.get("guildData").get("a").intValue()).isEqualTo(1);
            assertThat(second.get("seq").longValue()).isGreaterThan(first.get("seq").longValue());
            assertThat(Messages.assertEnvelope(first, 10002, "GDB Update").get("guildData").has("b")).isFalse();
        }
    }

    @Test
    void userUpdateCarriesIdAndFullEntryAfterTheWrite() {
        try (WsTestClient client = gw.connect()) {
            client.send(Messages.listen(List.of("777"), List.of()));
            client.sync();
            addField(EntryKind.USER, "777", "a", 1);
            JsonNode stored = addField(EntryKind.USER, "777", "b", 2);

            client.next();
            JsonNode data = Messages.assertEnvelope(client.next(), 10003, "UDB Update");
            assertThat(data.get("userID").textValue()).isEqualTo("777");
            assertThat(data.get("userData")).isEqualTo(stored);
        }
    }

    @Test
    void updateReachesExactlyTheListeningSessions() {
        try (WsTestClient guildOnly = gw.connect();
             WsTestClient both = gw.connect();
             WsTestClient otherIds = gw.connect();
             WsTestClient sameIdOtherKind = gw.connect()) {
            guildOnly.send(Messages.listen(List.of(SENTINEL), List.of("5")));
            both.send(Messages.listen(List.of(SENTINEL, "6"), List.of("5")));
            otherIds.send(Messages.listen(List.of(SENTINEL, "7"), List.of("8")));
            sameIdOtherKind.send(Messages.listen(List.of(SENTINEL, "5"), List.of("6")));
            for (WsTestClient c : List.of(guildOnly, both, otherIds, sameIdOtherKind)) {
                c.sync();
            }

            gw.gateway.store().put(EntryKind.GUILD, "5", "{\"n\":1}").join();
            gw.gateway.store().put(EntryKind.USER, "6", "{\"n\":2}").join();
            gw.gateway.store().put(EntryKind.USER, SENTINEL, "{}").join();

            assertThat(drainToSentinel(guildOnly)).extracting(m -> m.get("code").intValue()).containsExactly(10002);
            assertThat(drainToSentinel(both)).extracting(m -> m.get("code").intValue()).containsExactly(10002, 10003);
            assertThat(drainToSentinel(otherIds)).isEmpty();
            assertThat(drainToSentinel(sameIdOtherKind)).isEmpty();
        }
    }

    @Test
    void manyWritesToOneEntryArriveInCommitOrder() {
        int writes = 300;
        try (WsTestClient a = gw.connect(); WsTestClient b = gw.connect()) {
            a.send(Messages.listen(List.of(), List.of("9")));
            b.send(Messages.listen(List.of("9"), List.of("9")));
            a.sync();
            b.sync();
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < writes; i++) {
                pending.add(gw.gateway.store().put(EntryKind.GUILD, "9", "{\"n\":" + i + "}"));
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();

            for (WsTestClient client : List.of(a, b)) {
                long lastSeq = 0;
                for (int i = 0; i < writes; i++) {
                    JsonNode update = client.next();
                    assertThat(update.get("data").get("guildData").get("n").intValue()).isEqualTo(i);
                    assertThat(update.get("seq").longValue()).isGreaterThan(lastSeq);
                    lastSeq = update.get("seq").longValue();
                }
                assertThat(client.sync()).isEmpty();
            }
        }
    }
}
