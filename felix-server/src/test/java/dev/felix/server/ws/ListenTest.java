package dev.felix.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.EntryKind;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Listeners update (20002): replaces the sets, ignores malformed data, refuses oversized lists. */
@RunningGateway("max-listen-ids=" + ListenTest.MAX_IDS)
class ListenTest {
    static final int MAX_IDS = 5;
    private static final String SENTINEL = "0";
    private TestGateway gw;

    /**
     * Makes the writes ("g:ID" or "u:ID"), then a write to the sentinel user every listen below
     * includes, and returns the updates that arrived before the sentinel's. Updates reach a session
     * in commit order, so these are all the writes produced for it.
     */
    private List<String> receive(WsTestClient client, String... writes) {
        for (String write : writes) {
            String[] kindAndId = write.split(":");
            EntryKind kind = kindAndId[0].equals("g") ? EntryKind.GUILD : EntryKind.USER;
            gw.gateway.store().put(kind, kindAndId[1], "{\"v\":1}").join();
        }
        gw.gateway.store().put(EntryKind.USER, SENTINEL, "{\"sentinel\":true}").join();
        List<String> seen = new ArrayList<>();
        while (true) {
            String update = describe(client.next());
            if (update.equals("u:" + SENTINEL)) {
                return seen;
            }
            seen.add(update);
        }
    }

    private static String describe(JsonNode update) {
        JsonNode data = update.get("data");
        return data.has("guildID") ? "g:" + data.get("guildID").textValue() : "u:" + data.get("userID").textValue();
    }

    @Test
    void updateReplacesBothSets() {
        try (WsTestClient client = gw.connect()) {
            client.send(Messages.listen(List.of(SENTINEL, "1"), List.of("10")));
            client.sync();
            assertThat(receive(client, "g:10", "u:1", "g:11", "u:2")).containsExactlyInAnyOrder("g:10", "u:1");

            client.send(Messages.listen(List.of(SENTINEL, "2"), List.of("11")));
            client.sync();
            assertThat(receive(client, "g:10", "u:1", "g:11", "u:2")).containsExactlyInAnyOrder("g:11", "u:2");

            client.send(Messages.listen(List.of(SENTINEL), List.of()));
            client.sync();
            assertThat(receive(client, "g:10", "u:1", "g:11", "u:2")).isEmpty();
        }
    }

    @Test
    void nonArrayListsAreIgnored() {
        try (WsTestClient client = gw.connect()) {
            client.send(Messages.listen(List.of(SENTINEL, "1"), List.of("10")));
            for (String bad : List.of(
                    "{\"code\":20002,\"data\":{\"users\":\"2\",\"guilds\":[\"11\"]}}",
                    "{\"code\":20002,\"data\":{\"users\":[\"2\"],\"guilds\":{\"0\":\"11\"}}}",
                    "{\"code\":20002,\"data\":{\"users\":null,\"guilds\":[\"11\"]}}",
                    "{\"code\":20002,\"data\":{\"guilds\":[\"11\"]}}",
                    "{\"code\":20002,\"data\":{\"users\":[\"2\"]}}",
                    "{\"code\":20002,\"data\":[]}",
                    "{\"code\":20002}")) {
                client.send(bad);
            }
            client.sync();
            assertThat(receive(client, "g:10", "u:1", "g:11", "u:2")).containsExactlyInAnyOrder("g:10", "u:1");
        }
    }

    @Test
    void nonStringEntriesAreIgnored() {
        try (WsTestClient client = gw.connect()) {
            client.send("{\"code\":20002,\"data\":{\"users\":[2,null,true,{\"id\":\"2\"},[\"2\"],\"1\",\"0\"],"
                    + "\"guilds\":[11,11.5,\"10\"]}}");
            client.sync();
            assertThat(receive(client, "g:10", "u:1", "g:11", "u:2")).containsExactlyInAnyOrder("g:10", "u:1");
        }
    }

    @Test
    void listLongerThanTheLimitClosesWith1008AndAReason() {
        List<String> atLimit = IntStream.range(0, MAX_IDS).mapToObj(i -> "" + (100 + i)).toList();
        List<String> overLimit = IntStream.range(0, MAX_IDS + 1).mapToObj(i -> "" + (100 + i)).toList();
        try (WsTestClient client = gw.connect()) {
            client.send(Messages.listen(atLimit, atLimit));
            assertThat(client.sync()).isEmpty();
            client.send(Messages.listen(List.of(), overLimit));
            WsTestClient.Close close = client.awaitClose(Duration.ofSeconds(10));
            assertThat(close.code()).isEqualTo(1008);
            assertThat(close.reason()).contains("max " + MAX_IDS);
        }
        try (WsTestClient client = gw.connect()) {
            client.send(Messages.listen(overLimit, List.of()));
            assertThat(client.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1008);
        }
    }

}
