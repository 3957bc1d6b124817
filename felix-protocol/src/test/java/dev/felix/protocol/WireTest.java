package dev.felix.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WireTest {

    @Test
    void listenersUpdateKeepsStringIdsOnceAndReadsSince() {
        ClientMessage m = Wire.decodeClient(
                "{\"code\":20002,\"data\":{\"users\":[\"1\",2,\"1\",null],\"guilds\":[\"3\"],\"since\":42}}");
        assertThat(m).isEqualTo(new ClientMessage.ListenersUpdate(List.of("1"), List.of("3"), 42L));
        ClientMessage without = Wire.decodeClient("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[]}}");
        assertThat(((ClientMessage.ListenersUpdate) without).since()).isNull();
        ClientMessage nullSince = Wire.decodeClient(
                "{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[],\"since\":null}}");
        assertThat(((ClientMessage.ListenersUpdate) nullSince).since()).isNull();
    }

    @Test
    void malformedSinceMakesTheUpdateIgnored() {
        for (String since : List.of("-1", "1.5", "\"1\"", "true", "[]", "99999999999999999999999")) {
            assertThat(Wire.decodeClient("{\"code\":20002,\"data\":{\"users\":[],\"guilds\":[],\"since\":" + since
                    + "}}")).as(since).isNull();
        }
    }

    @Test
    void aHeartbeatIsAHeartbeatHoweverSpelledAndNothingCloseToOneIs() {
        for (String text : List.of(Wire.encodeHeartbeat(), "{\"code\":20001}", " { \"code\" : 20001.0 } ",
                "{\"data\":null,\"code\":2.0001e4}")) {
            assertThat(Wire.decodeClient(text)).as(text).isInstanceOf(ClientMessage.Heartbeat.class);
        }
        for (String text : List.of("{\"code\":20001", "{\"code\":20001}x", "{\"code\":\"20001\"}",
                "[{\"code\":20001}]", "{\"code\":200010}")) {
            assertThat(Wire.decodeClient(text)).as(text).isNull();
        }
    }

    @Test
    void listenersUpdateRoundTrips() {
        ClientMessage.ListenersUpdate update = new ClientMessage.ListenersUpdate(List.of("1"), List.of("2", "3"), 7L);
        assertThat(Wire.decodeClient(Wire.encodeListenersUpdate(update))).isEqualTo(update);
        ClientMessage.ListenersUpdate plain = new ClientMessage.ListenersUpdate(List.of(), List.of("2"), null);
        assertThat(Wire.encodeListenersUpdate(plain)).doesNotContain("since");
    }

    @Test
    void entryUpdateCarriesEnvelopeDataAndSeq() {
        String guild = new String(Wire.encodeEntryUpdate(EntryKind.GUILD, "5", "{\"a\":1}", 9), StandardCharsets.UTF_8);
        assertThat(guild).isEqualTo(
                "{\"code\":10002,\"name\":\"GDB Update\",\"data\":{\"guildID\":\"5\",\"guildData\":{\"a\":1}},\"seq\":9}");
        String deleted = new String(Wire.encodeEntryUpdate(EntryKind.USER, "6", null, 10), StandardCharsets.UTF_8);
        assertThat(deleted).isEqualTo(
                "{\"code\":10003,\"name\":\"UDB Update\",\"data\":{\"userID\":\"6\",\"userData\":null},\"seq\":10}");
        ServerMessage decoded = Wire.decodeServer(deleted);
        assertThat(decoded).isInstanceOfSatisfying(ServerMessage.EntryUpdate.class, u -> {
            assertThat(u.kind()).isEqualTo(EntryKind.USER);
            assertThat(u.id()).isEqualTo("6");
            assertThat(u.data().isNull()).isTrue();
            assertThat(u.seq()).isEqualTo(10);
        });
    }

    @Test
    void anAckWhoseShardsCarryMoreFieldsIsRead() {
        ServerMessage m = Wire.decodeServer("{\"code\":10001,\"name\":\"HEARTBEAT_ACK\",\"data\":{\"receivedAt\":5,"
                + "\"shards\":[{\"id\":0,\"status\":\"ready\",\"ping\":41,\"latency\":41,\"sessionID\":\"abc\"}],"
                + "\"guildsCount\":3,\"memoryUsage\":1.5,\"uptime\":9}}");
        assertThat(m).isInstanceOfSatisfying(ServerMessage.HeartbeatAck.class,
                ack -> assertThat(ack.status().shards()).containsExactly(Shard.of(0, "ready", 41)));
    }
}
