package dev.felix.server.store;

import dev.felix.server.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class TokenStorageTest {
    /** RFC 7230 tchar: what an HTTP header token and a WebSocket subprotocol may contain. */
    private static final String TCHAR = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

    @Test
    void databaseFilesHoldTheHashNeverTheToken(@TempDir Path dir) throws IOException {
        String token = Tokens.generate(Scope.PRIVATE);
        try (SqliteStore store = SqliteStore.open(dir)) {
            TokenRecord record = store.createToken(Tokens.hash(token), "owner-1", Scope.PRIVATE, "label-1");
            assertThat(record.hash()).isEqualTo(Tokens.hash(token)).doesNotContain(token);
            assertThat(store.listTokens()).singleElement().satisfies(t -> {
                assertThat(t.hash()).isEqualTo(Tokens.hash(token));
                assertThat(t.owner()).isEqualTo("owner-1");
                assertThat(t.scope()).isEqualTo(Scope.PRIVATE);
                assertThat(t.label()).isEqualTo("label-1");
                assertThat(t.revoked()).isNull();
            });
            // Read the files while the store is open too: WAL keeps recent writes beside the main file.
            assertThat(allBytes(dir)).contains(Tokens.hash(token)).doesNotContain(token).doesNotContain(token.substring(4));
        }
        assertThat(allBytes(dir)).contains(Tokens.hash(token)).doesNotContain(token).doesNotContain(token.substring(4));
    }

    private static String allBytes(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    @Test
    void hashIsHexSha256() {
        assertThat(Tokens.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void tokensCarry256RandomBitsInHeaderAndSubprotocolSafeCharacters() {
        Set<String> seen = new HashSet<>();
        for (Scope scope : Scope.values()) {
            for (int i = 0; i < 500; i++) {
                String token = Tokens.generate(scope);
                assertThat(token).matches(TCHAR).startsWith(scope == Scope.PRIVATE ? "fxp_" : "fxu_");
                byte[] random = Base64.getUrlDecoder().decode(token.substring(4));
                assertThat(random.length * 8).isGreaterThanOrEqualTo(256);
                assertThat(seen.add(token)).isTrue();
            }
        }
    }

    @Test
    void revokedTokensStayListedWithTheirRevocationTime(@TempDir Path dir) {
        try (SqliteStore store = SqliteStore.open(dir)) {
            TokenRecord a = store.createToken(Tokens.hash(Tokens.generate(Scope.PRIVATE)), "a", Scope.PRIVATE, null);
            TokenRecord b = store.createToken(Tokens.hash(Tokens.generate(Scope.PUBLIC)), "b", Scope.PUBLIC, null);
            assertThat(store.revokeToken(a.id())).isTrue();
            assertThat(store.revokeToken(a.id())).isFalse();
            assertThat(store.revokeToken(9999)).isFalse();
            List<TokenRecord> all = store.listTokens();
            assertThat(all).extracting(TokenRecord::id).containsExactly(a.id(), b.id());
            assertThat(all.get(0).revoked()).isNotNull();
            assertThat(all.get(1).revoked()).isNull();
        }
    }
}
