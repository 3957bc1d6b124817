package dev.felix.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.store.Access;
import dev.felix.server.store.Scope;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scoped, read-only and session tokens through real REST calls and sockets. Tokens are minted on
 * node {@link #a()} and used on node {@link #b()}: the same gateway on SQLite, two nodes of one
 * database on PostgreSQL.
 */
abstract class ScopedTokensContract {
    static final Duration WAIT = Duration.ofSeconds(20);
    private final List<AutoCloseable> open = new ArrayList<>();

    abstract TestGateway a();

    abstract TestGateway b();

    @AfterEach
    void closeClients() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A static token minted on a, known to both nodes. */
    String scoped(Access access) {
        String token = Tokens.mint(a().gateway.store(), Scope.PRIVATE, "dash", null, access).token();
        a().gateway.tokens().reload();
        b().gateway.tokens().reload();
        return token;
    }

    /** Writes entries with the unrestricted token of a. */
    void seed(String path, String body) {
        assertThat(a().http("PUT", path, a().privateToken, body).statusCode()).isEqualTo(200);
    }

    HttpResponse<String> mint(TestGateway node, String token, String body) {
        return node.http("POST", "/api/sessions", token, body);
    }

    String session(String body) {
        HttpResponse<String> minted = mint(a(), a().privateToken, body);
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
        return json(minted).path("token").asText();
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Wire.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertForbidden(HttpResponse<String> response, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        JsonNode body = json(response);
        assertThat(body.path("status").asInt()).isEqualTo(403);
        assertThat(body.path("error").asText()).isEqualTo("Forbidden");
        assertThat(body.path("message").asText()).contains(message);
    }

    static Set<String> ids(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Set<String> out = new TreeSet<>();
        json(response).forEach(entry -> out.add(entry.path("id").asText()));
        return out;
    }

    WsTestClient connect(TestGateway node, String token) {
        WsTestClient client = WsTestClient.connect(node.wsUri(), token);
        open.add(client);
        return client;
    }

    /** Updates as "guild:ID" or "user:ID", with everything that came before a heartbeat's ACK. */
    static List<String> updates(WsTestClient client) {
        List<String> out = new ArrayList<>();
        client.sync().forEach(m -> out.add(name(m)));
        return out;
    }

    /**
     * The next {@code count} updates (a resume's answer comes after the store is read, so a heartbeat
     * cannot wait for it), then those before a heartbeat's ACK: whatever else the resume sent.
     */
    static List<String> updates(WsTestClient client, int count) {
        List<String> out = new ArrayList<>();
        while (out.size() < count) {
            JsonNode m = client.next(WAIT);
            if (m.path("code").asInt() != 10001) {
                out.add(name(m));
            }
        }
        out.addAll(updates(client));
        return out;
    }

    private static String name(JsonNode update) {
        JsonNode data = update.path("data");
        return data.has("guildID") ? "guild:" + data.path("guildID").asText() : "user:" + data.path("userID").asText();
    }

    // ---- REST ------------------------------------------------------------------------------

    @Test
    void restRoutesRefuseEntriesOutsideTheScope() {
        seed("/api/guilds/12", "{}");
        seed("/api/users/22", "{}");
        String token = scoped(Access.only(List.of("11"), List.of("21"), false));
        TestGateway b = b();

        assertThat(b.http("PUT", "/api/guilds/11", token, "{\"a\":1}").statusCode()).isEqualTo(200);
        assertThat(b.http("PATCH", "/api/guilds/11", token, "{\"b\":2}").statusCode()).isEqualTo(200);
        assertThat(b.http("GET", "/api/guilds/11", token, null).statusCode()).isEqualTo(200);
        assertThat(b.http("POST", "/api/postUserData", token, "{\"id\":\"21\"}").statusCode()).isEqualTo(200);
        assertThat(b.http("GET", "/api/getUserData/21", token, null).statusCode()).isEqualTo(200);

        assertForbidden(b.http("GET", "/api/guilds/12", token, null), "does not include guild 12");
        assertForbidden(b.http("GET", "/api/guilds/13", token, null), "does not include guild 13");
        assertForbidden(b.http("PUT", "/api/guilds/12", token, "{}"), "does not include guild 12");
        assertForbidden(b.http("PATCH", "/api/guilds/12", token, "{}"), "does not include guild 12");
        assertForbidden(b.http("DELETE", "/api/guilds/12", token, null), "does not include guild 12");
        assertForbidden(b.http("GET", "/api/users/22", token, null), "does not include user 22");
        assertForbidden(b.http("PUT", "/api/users/22", token, "{}"), "does not include user 22");
        assertForbidden(b.http("GET", "/api/getGuildData/12", token, null), "does not include guild 12");
        assertForbidden(b.http("GET", "/api/getUserData/22", token, null), "does not include user 22");
        assertForbidden(b.http("POST", "/api/postGuildData", token, "{\"id\":\"12\"}"), "does not include guild 12");
        assertForbidden(b.http("PUT", "/api/postUserData", token, "{\"id\":\"22\"}"), "does not include user 22");

        assertThat(ids(b.http("GET", "/api/guilds?ids=11,12,13", token, null))).containsExactly("11");
        assertThat(ids(b.http("GET", "/api/guilds", token, null))).containsExactly("11");
        assertThat(ids(b.http("GET", "/api/users", token, null))).containsExactly("21");
        assertThat(ids(b.http("GET", "/api/getGuildData/%5B11,12%5D", token, null))).containsExactly("11");
        assertThat(ids(b.http("GET", "/api/getUserData/%5B%2221%22,%2222%22%5D", token, null))).containsExactly("21");
        assertThat(ids(a().http("GET", "/api/guilds", a().privateToken, null))).containsExactly("11", "12");

        assertForbidden(b.http("PUT", "/api/status/bot", token, "{\"shards\":[]}"), "unrestricted private token");
        assertForbidden(b.http("DELETE", "/api/status/bot", token, null), "unrestricted private token");
        assertThat(b.http("GET", "/api/status", token, null).statusCode()).isEqualTo(200);
        assertThat(b.http("GET", "/api/guilds/12", a().privateToken, null).statusCode()).isEqualTo(200);
    }

    @Test
    void readOnlyTokensReadButNeverWrite() {
        seed("/api/guilds/11", "{}");
        String token = scoped(Access.READ_ANY);
        TestGateway b = b();
        assertThat(b.http("GET", "/api/guilds/11", token, null).statusCode()).isEqualTo(200);
        assertThat(b.http("GET", "/api/getGuildData/11", token, null).statusCode()).isEqualTo(200);
        assertForbidden(b.http("PUT", "/api/guilds/11", token, "{}"), "may only read");
        assertForbidden(b.http("PATCH", "/api/guilds/11", token, "{}"), "may only read");
        assertForbidden(b.http("DELETE", "/api/guilds/11", token, null), "may only read");
        assertForbidden(b.http("POST", "/api/postGuildData", token, "{\"id\":\"11\"}"), "may only read");
        assertForbidden(b.http("PUT", "/api/status/bot", token, "{\"shards\":[]}"), "unrestricted private token");

        try (WsTestClient ws = WsTestClient.connect(b.wsUri(), token)) {
            ws.send("{\"code\":20002,\"data\":{\"guilds\":[\"11\"],\"users\":[],\"since\":0}}");
            assertThat(updates(ws, 1)).containsExactly("guild:11");
        }
    }

    // ---- session tokens --------------------------------------------------------------------

    @Test
    void sessionTokensAreMintedWithinTheMintersScope() {
        long before = System.currentTimeMillis();
        HttpResponse<String> minted = mint(a(), a().privateToken,
                "{\"guilds\":[\"11\"],\"users\":[\"21\"],\"ttlSeconds\":900,\"readOnly\":true}");
        assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
        assertThat(minted.headers().firstValue("Cache-Control")).hasValue("no-store");
        String token = json(minted).path("token").asText();
        assertThat(token).matches("fxs_[A-Za-z0-9_-]{43}");
        assertThat(json(minted).path("expiresAt").asLong()).isBetween(before + 899_000, System.currentTimeMillis() + 900_000);
        TokenRecord stored = a().gateway.store().listTokens().stream()
                .filter(t -> t.hash().equals(Tokens.hash(token))).findFirst().orElseThrow();
        assertThat(stored.kind()).isEqualTo("session");
        assertThat(stored.access()).isEqualTo(Access.only(List.of("11"), List.of("21"), true));

        String scopedMinter = scoped(Access.only(List.of("11", "12"), List.of(), false));
        assertThat(mint(a(), scopedMinter, "{\"guilds\":[\"12\"],\"readOnly\":false}").statusCode()).isEqualTo(201);
        assertForbidden(mint(a(), scopedMinter, "{\"guilds\":[\"13\"]}"), "within the minting token's");
        assertForbidden(mint(a(), scopedMinter, "{\"users\":[\"21\"]}"), "within the minting token's");
        String readOnlyMinter = scoped(Access.READ_ANY);
        assertForbidden(mint(a(), readOnlyMinter, "{\"readOnly\":false}"), "within the minting token's");
        assertThat(mint(a(), readOnlyMinter, "{\"guilds\":[\"99\"]}").statusCode()).isEqualTo(201);
        assertForbidden(mint(a(), token, "{}"), "cannot mint");
        assertForbidden(mint(a(), a().publicToken, "{}"), "public tokens may only read");

        HttpResponse<String> tooLong = mint(a(), a().privateToken, "{\"ttlSeconds\":86401}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(json(tooLong).path("message").asText()).contains("ttlSeconds must be a whole number 1-86400");
        assertThat(mint(a(), a().privateToken, "{\"guild\":[\"11\"]}").statusCode()).isEqualTo(400);
        assertThat(mint(a(), a().privateToken, "{\"guilds\":[11]}").statusCode()).isEqualTo(400);
        assertThat(mint(a(), null, "{}").statusCode()).isEqualTo(401);
    }

    @Test
    void aSessionTokenWorksOnEveryNodeAtOnce() {
        seed("/api/guilds/11", "{}");
        String token = session("{\"guilds\":[\"11\"],\"readOnly\":false}");
        assertThat(b().http("GET", "/api/guilds/11", token, null).statusCode()).isEqualTo(200);
        assertThat(b().http("PUT", "/api/guilds/11", token, "{\"x\":1}").statusCode()).isEqualTo(200);
        assertForbidden(b().http("GET", "/api/guilds/12", token, null), "does not include guild 12");
        WsTestClient ws = connect(b(), token);
        ws.send("{\"code\":20002,\"data\":{\"guilds\":[\"11\"],\"users\":[]}}");
        assertThat(updates(ws)).isEmpty();
    }

    // ---- the socket ------------------------------------------------------------------------

    @Test
    void aScopedSocketNeverReceivesAnUpdateOutsideItsScope() {
        seed("/api/guilds/11", "{}");
        seed("/api/guilds/12", "{}");
        seed("/api/users/21", "{}");
        seed("/api/users/22", "{}");
        String token = session("{\"guilds\":[\"11\"],\"users\":[\"21\"]}");
        String listenAll = "{\"code\":20002,\"data\":{\"guilds\":[\"11\",\"12\"],\"users\":[\"21\",\"22\"]%s}}";

        // Snapshot: since 0 sends what exists, of the IDs in scope only.
        WsTestClient ws = connect(b(), token);
        ws.send(listenAll.formatted(",\"since\":0"));
        assertThat(updates(ws, 2)).containsExactlyInAnyOrder("guild:11", "user:21");

        // Live: writes to every listened ID reach the socket for those in scope only.
        seed("/api/guilds/12", "{\"v\":2}");
        seed("/api/users/22", "{\"v\":2}");
        seed("/api/guilds/11", "{\"v\":2}");
        JsonNode live = ws.next(WAIT);
        assertThat(live.path("data").path("guildID").asText()).isEqualTo("11");
        long seen = live.path("seq").asLong();
        assertThat(updates(ws)).isEmpty();

        // Resume: what changed after the last seq seen, in scope only.
        ws.close();
        seed("/api/guilds/12", "{\"v\":3}");
        seed("/api/users/21", "{\"v\":3}");
        seed("/api/users/22", "{\"v\":3}");
        WsTestClient resumed = connect(b(), token);
        resumed.send(listenAll.formatted(",\"since\":" + seen));
        assertThat(updates(resumed, 1)).containsExactly("user:21");
    }

    @Test
    void aSessionTokenThatExpiresClosesItsSocket() {
        String token = session("{\"ttlSeconds\":1}");
        WsTestClient ws = connect(b(), token);
        WsTestClient.Close close = ws.awaitClose(WAIT);
        assertThat(close.code()).isEqualTo(1008);
        assertThat(close.reason()).isEqualTo("token expired");
        assertThat(WsTestClient.refusedStatus(b().wsUri(), token)).isEqualTo(403);
        assertForbidden(b().http("GET", "/api/status", token, null), "unknown, revoked or expired token");
    }

    @Test
    void aRevokedSessionTokenOrMinterEndsTheSession() {
        String token = session("{}");
        WsTestClient ws = connect(b(), token);
        assertThat(a().gateway.store().revokeToken(idOf(token))).isTrue();
        assertThat(ws.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(1008, "token revoked"));
        assertForbidden(b().http("GET", "/api/status", token, null), "unknown, revoked or expired token");

        String minter = scoped(Access.UNRESTRICTED);
        HttpResponse<String> minted = mint(a(), minter, "{}");
        String child = json(minted).path("token").asText();
        WsTestClient childSocket = connect(b(), child);
        assertThat(a().gateway.store().revokeToken(idOf(minter))).isTrue();
        assertThat(childSocket.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(1008, "token revoked"));
        assertForbidden(b().http("GET", "/api/status", child, null), "unknown, revoked or expired token");
    }

    private long idOf(String token) {
        return a().gateway.store().listTokens().stream().filter(t -> t.hash().equals(Tokens.hash(token)))
                .findFirst().orElseThrow().id();
    }
}
