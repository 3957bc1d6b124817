package dev.felix.server.store;

import dev.felix.protocol.EntryKind;
import dev.felix.protocol.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What every store does, whichever database is underneath: one suite, run once per store by the
 * subclasses.
 */
public abstract class StoreContractTest {
    protected Store store;

    /** A fresh, empty store. */
    protected abstract Store openStore();

    /** Another store on the database of the last {@link #openStore()}, as another process or node opens it. */
    protected abstract Store openSameDatabase();

    @BeforeEach
    void open() {
        store = openStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static <T> T done(CompletableFuture<T> f) {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String field(Entry e, String name) {
        try {
            return Wire.mapper().readTree(e.json()).path(name).asText();
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void putThenGetReturnsTheCommittedVersion() {
        Entry written = done(store.put(EntryKind.GUILD, "1", "{\"id\":\"1\",\"prefix\":\"!\"}"));
        assertThat(written.seq()).isPositive();
        assertThat(written.deleted()).isFalse();

        Optional<Entry> read = done(store.get(EntryKind.GUILD, "1"));
        assertThat(read).isPresent();
        assertThat(read.get().seq()).isEqualTo(written.seq());
        assertThat(field(read.get(), "prefix")).isEqualTo("!");
        assertThat(read.get().json()).doesNotContain(" ");
        assertThat(done(store.get(EntryKind.USER, "1"))).isEmpty();
    }

    @Test
    void seqGrowsWithEveryWriteAcrossKinds() {
        long a = done(store.put(EntryKind.GUILD, "1", "{\"n\":1}")).seq();
        long b = done(store.put(EntryKind.USER, "1", "{\"n\":2}")).seq();
        long c = done(store.put(EntryKind.GUILD, "1", "{\"n\":3}")).seq();
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
    }

    @Test
    void mutationSeesTheCurrentVersion() {
        done(store.put(EntryKind.USER, "7", "{\"n\":1}"));
        Entry next = done(store.write(EntryKind.USER, "7", null,
                current -> "{\"n\":" + (Integer.parseInt(field(current, "n")) + 1) + "}"));
        assertThat(field(next, "n")).isEqualTo("2");
    }

    @Test
    void expectedSeqRefusesAStaleWrite() {
        Entry first = done(store.put(EntryKind.GUILD, "5", "{\"n\":1}"));
        done(store.put(EntryKind.GUILD, "5", "{\"n\":2}"));
        CompletableFuture<Entry> stale = store.write(EntryKind.GUILD, "5", first.seq(), c -> "{\"n\":3}");
        assertThatThrownBy(stale::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(StoreException.PreconditionFailed.class);
        assertThat(field(done(store.get(EntryKind.GUILD, "5")).orElseThrow(), "n")).isEqualTo("2");
    }

    @Test
    void refusedWriteDoesNotFailOthersInTheSameBatch() {
        List<CompletableFuture<Entry>> writes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = String.valueOf(100 + i);
            writes.add(i == 10
                    ? store.write(EntryKind.GUILD, id, null, c -> {
                        throw new StoreException.NotFound("no entry " + id);
                    })
                    : store.put(EntryKind.GUILD, id, "{\"i\":" + i + "}"));
        }
        for (int i = 0; i < 20; i++) {
            if (i == 10) {
                assertThatThrownBy(writes.get(i)::join).hasCauseInstanceOf(StoreException.NotFound.class);
            } else {
                assertThat(done(writes.get(i)).seq()).isPositive();
            }
        }
    }

    @Test
    void aMutationThatThrowsFailsAloneAndEveryWriteIsAnswered() {
        List<CompletableFuture<Entry>> writes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String id = String.valueOf(200 + i);
            writes.add(i % 10 == 3
                    ? store.write(EntryKind.USER, id, null, c -> {
                        throw new IllegalStateException("broken mutation " + id);
                    })
                    : store.put(EntryKind.USER, id, "{\"i\":" + i + "}"));
        }
        for (int i = 0; i < 50; i++) {
            if (i % 10 == 3) {
                assertThatThrownBy(writes.get(i)::join).hasCauseInstanceOf(StoreException.class)
                        .hasMessageContaining("broken mutation " + (200 + i));
            } else {
                assertThat(done(writes.get(i)).seq()).isPositive();
            }
        }
        assertThat(done(store.put(EntryKind.USER, "1", "{}")).seq()).isPositive();
        assertThat(store.cannotWrite()).isEmpty();
    }

    @Test
    void deleteLeavesATombstoneThatChangedSinceReports() {
        Entry put = done(store.put(EntryKind.USER, "9", "{\"n\":1}"));
        Entry gone = done(store.write(EntryKind.USER, "9", null, c -> null));
        assertThat(gone.deleted()).isTrue();
        assertThat(gone.seq()).isGreaterThan(put.seq());
        assertThat(done(store.get(EntryKind.USER, "9"))).isEmpty();
        assertThat(done(store.getAll(EntryKind.USER, List.of("9")))).isEmpty();

        List<Entry> changed = done(store.changedSince(EntryKind.USER, List.of("9", "10"), put.seq()));
        assertThat(changed).singleElement().satisfies(e -> {
            assertThat(e.id()).isEqualTo("9");
            assertThat(e.deleted()).isTrue();
            assertThat(e.seq()).isEqualTo(gone.seq());
        });
        assertThat(done(store.changedSince(EntryKind.USER, List.of("9"), gone.seq()))).isEmpty();
    }

    @Test
    void getAllAndListReturnExistingEntriesOrderedById() {
        for (String id : List.of("30", "10", "20", "40")) {
            done(store.put(EntryKind.GUILD, id, "{}"));
        }
        done(store.write(EntryKind.GUILD, "40", null, c -> null));

        assertThat(done(store.getAll(EntryKind.GUILD, List.of("20", "10", "99", "40"))))
                .extracting(Entry::id).containsExactly("10", "20");
        assertThat(done(store.list(EntryKind.GUILD, null, 10))).extracting(Entry::id)
                .containsExactly("10", "20", "30");
        assertThat(done(store.list(EntryKind.GUILD, "10", 1))).extracting(Entry::id).containsExactly("20");
        assertThat(done(store.list(EntryKind.USER, null, 10))).isEmpty();
    }

    @Test
    void changedSinceGivesTheLatestVersionOfEachChangedId() {
        long start = done(store.put(EntryKind.GUILD, "1", "{\"n\":1}")).seq();
        done(store.put(EntryKind.GUILD, "2", "{\"n\":1}"));
        done(store.put(EntryKind.GUILD, "1", "{\"n\":2}"));
        List<Entry> changed = done(store.changedSince(EntryKind.GUILD, List.of("1", "2", "3"), start));
        assertThat(changed).extracting(Entry::id).containsExactly("1", "2");
        assertThat(field(changed.get(0), "n")).isEqualTo("2");
    }

    @Test
    void aSinceAboveTheHeadIsUnknownHistoryAnsweredWithEveryExistingEntry() {
        done(store.put(EntryKind.GUILD, "1", "{\"n\":1}"));
        done(store.put(EntryKind.GUILD, "2", "{\"n\":1}"));
        long head = done(store.write(EntryKind.GUILD, "2", null, c -> null)).seq();
        done(store.put(EntryKind.USER, "7", "{\"n\":1}"));
        head++;

        assertThat(done(store.changedSince(EntryKind.GUILD, List.of("1", "2", "3"), head))).isEmpty();
        List<Entry> unknown = done(store.changedSince(
                Map.of(EntryKind.GUILD, List.of("1", "2", "3"), EntryKind.USER, List.of("7")), head + 1));
        assertThat(unknown).extracting(e -> e.kind() + ":" + e.id()).containsExactlyInAnyOrder("GUILD:1", "USER:7");
        assertThat(unknown).noneMatch(Entry::deleted);
    }

    @Test
    void listenersGetEveryCommittedChangeOnceInSeqOrder() {
        List<Entry> seen = Collections.synchronizedList(new ArrayList<>());
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        store.onChange(e -> {
            seen.add(e);
            threads.add(Thread.currentThread().getName());
        });
        List<CompletableFuture<Entry>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add(store.put(i % 2 == 0 ? EntryKind.GUILD : EntryKind.USER, String.valueOf(i % 7),
                    "{\"i\":" + i + "}"));
        }
        writes.add(store.write(EntryKind.GUILD, "0", null, c -> null));
        List<Long> committed = writes.stream().map(f -> done(f).seq()).toList();

        await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= committed.size());
        List<Long> seqs;
        synchronized (seen) {
            seqs = seen.stream().map(Entry::seq).toList();
            assertThat(seen.get(seen.size() - 1).deleted()).isTrue();
        }
        assertThat(seqs).containsExactlyElementsOf(committed.stream().sorted().toList());
        assertThat(seqs).isSorted().doesNotHaveDuplicates();
        assertThat(threads.stream().distinct()).hasSize(1);
    }

    @Test
    void tokensAreStoredListedAndRevoked() {
        TokenRecord a = store.createToken(Tokens.hash("a"), "owner-a", Scope.PRIVATE, "first");
        TokenRecord b = store.createToken(Tokens.hash("b"), "owner-b", Scope.PUBLIC, null);
        assertThat(b.id()).isGreaterThan(a.id());

        assertThat(store.listTokens()).extracting(TokenRecord::hash, TokenRecord::owner, TokenRecord::scope,
                        TokenRecord::label, TokenRecord::active)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Tokens.hash("a"), "owner-a", Scope.PRIVATE, "first", true),
                        org.assertj.core.groups.Tuple.tuple(Tokens.hash("b"), "owner-b", Scope.PUBLIC, null, true));

        assertThat(store.revokeToken(a.id())).isTrue();
        assertThat(store.revokeToken(a.id())).isFalse();
        assertThat(store.revokeToken(9999)).isFalse();
        assertThat(store.listTokens()).filteredOn(TokenRecord::active).extracting(TokenRecord::id)
                .containsExactly(b.id());
        assertThatThrownBy(() -> store.createToken(Tokens.hash("b"), "x", Scope.PUBLIC, null))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void scopedAndSessionTokensKeepTheirScopeAndExpire() {
        long now = System.currentTimeMillis();
        Access scope = Access.only(List.of("11", "12"), List.of(), true);
        TokenRecord parent = store.createToken(Tokens.hash("parent"), "backend", Scope.PRIVATE, null);
        TokenRecord live = store.createToken(new TokenTable.NewToken(Tokens.hash("live"), "backend", Scope.PRIVATE,
                null, scope, Instant.ofEpochMilli(now + 60_000), parent.id()));
        TokenRecord expired = store.createToken(new TokenTable.NewToken(Tokens.hash("expired"), "backend",
                Scope.PRIVATE, null, Access.UNRESTRICTED, Instant.ofEpochMilli(now - 1000), parent.id()));

        TokenRecord found = store.findToken(Tokens.hash("live")).orElseThrow();
        assertThat(found).isEqualTo(live);
        assertThat(found.access()).isEqualTo(scope);
        assertThat(found.parent()).isEqualTo(parent.id());
        assertThat(store.findToken(Tokens.hash("nothing"))).isEmpty();
        assertThat(store.listValidTokens(now)).extracting(TokenRecord::id).containsExactly(parent.id(), live.id());
        assertThat(store.listTokens()).extracting(TokenRecord::id).contains(expired.id());

        assertThat(store.deleteExpiredTokens(now)).isEqualTo(1);
        assertThat(store.listTokens()).extracting(TokenRecord::id).containsExactly(parent.id(), live.id());
    }

    @Test
    void aFirstPrivateTokenIsMintedOnlyWhileNoValidPrivateTokenExists() {
        store.createToken(Tokens.hash("public"), "someone", Scope.PUBLIC, null);
        Optional<TokenRecord> first = store.createFirstPrivateToken(Tokens.hash("first"), "admin", "first start");
        assertThat(first).get().extracting(TokenRecord::scope, TokenRecord::owner, TokenRecord::active)
                .containsExactly(Scope.PRIVATE, "admin", true);
        assertThat(store.createFirstPrivateToken(Tokens.hash("second"), "admin", "first start")).isEmpty();

        store.revokeToken(first.orElseThrow().id());
        assertThat(store.createFirstPrivateToken(Tokens.hash("third"), "admin", "first start")).isPresent();
        assertThat(store.listTokens()).extracting(TokenRecord::hash)
                .containsExactly(Tokens.hash("public"), Tokens.hash("first"), Tokens.hash("third"));
    }

    @Test
    void nodesStartingTogetherMintOneFirstPrivateToken() throws Exception {
        List<Store> nodes = new ArrayList<>(List.of(store));
        for (int i = 0; i < 3; i++) {
            nodes.add(openSameDatabase());
        }
        int attempts = 16;
        ExecutorService threads = Executors.newFixedThreadPool(attempts);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Optional<TokenRecord>>> results = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                Store node = nodes.get(i % nodes.size());
                String hash = Tokens.hash("first-" + i);
                results.add(threads.submit(() -> {
                    go.await();
                    return node.createFirstPrivateToken(hash, "admin", "first start");
                }));
            }
            go.countDown();
            long minted = 0;
            for (Future<Optional<TokenRecord>> result : results) {
                minted += result.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            assertThat(minted).isEqualTo(1);
            assertThat(store.listTokens()).hasSize(1);
        } finally {
            threads.shutdownNow();
            nodes.subList(1, nodes.size()).forEach(Store::close);
        }
    }

    @Test
    void publishedStatusReachesStatusListeners() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        store.onStatus((reporter, json) -> seen.add(reporter + "=" + (json == null ? "gone" : "report")));
        store.publishStatus("bot-1", "{\"shards\":[],\"guildsCount\":3}");
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("bot-1=report"));
        store.publishStatus("bot-1", null);
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("bot-1=gone"));
    }

    @Test
    void pingAnswers() {
        assertThat(store.ping()).isTrue();
    }
}
