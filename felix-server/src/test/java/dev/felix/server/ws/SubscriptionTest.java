package dev.felix.server.ws;

import dev.felix.protocol.EntryKind;
import dev.felix.server.store.Entry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

/** The resume state machine driven directly: snapshots answered when the test says, on the test's thread. */
class SubscriptionTest {
    private record Read(Map<EntryKind, ? extends Collection<String>> ids, long since,
                        CompletableFuture<List<Entry>> answer) {
    }

    private final List<Read> reads = new ArrayList<>();
    private final List<String> sent = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();
    private int flushes;

    private final Subscription subscription = new Subscription(this::read, Runnable::run, new Subscription.Output() {
        @Override
        public void send(Entry entry) {
            sent.add(entry.id() + "@" + entry.seq());
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void resumeFailed(Throwable error) {
            failures.add(error);
        }
    });

    private CompletionStage<List<Entry>> read(Map<EntryKind, ? extends Collection<String>> ids, long since) {
        Read read = new Read(ids, since, new CompletableFuture<>());
        reads.add(read);
        return read.answer();
    }

    private static Entry guild(String id, long seq) {
        return new Entry(EntryKind.GUILD, id, "{\"v\":" + seq + "}", seq);
    }

    /** A live update; the session sends its shared frame right away when told to, in the same order. */
    private void live(Entry e) {
        if (subscription.deliver(e)) {
            sent.add(e.id() + "@" + e.seq());
        }
    }

    private void listenGuilds(Long since, String... ids) {
        subscription.listen(Map.of(EntryKind.GUILD, Set.of(ids), EntryKind.USER, Set.of()), since);
    }

    @Test
    void liveUpdatesAreSentOnlyWhenNewerThanTheLastSentForTheirEntry() {
        listenGuilds(null, "1", "2");
        assertThat(reads).isEmpty();
        live(guild("1", 5));
        live(guild("2", 6));
        live(guild("1", 4));
        live(guild("1", 7));
        assertThat(sent).containsExactly("1@5", "2@6", "1@7");
    }

    @Test
    void duringAResumeLiveUpdatesAreHeldAndMergedWithTheSnapshotInSeqOrder() {
        listenGuilds(10L, "1", "2", "3");
        assertThat(reads).hasSize(1);
        assertThat(reads.get(0).since()).isEqualTo(10);
        assertThat(reads.get(0).ids().get(EntryKind.GUILD)).containsExactlyInAnyOrder("1", "2", "3");
        live(guild("2", 14));
        live(guild("3", 15));
        live(guild("3", 16));
        assertThat(sent).isEmpty();

        // The snapshot was read after the live update 14 committed, so it has 2@14 too.
        reads.get(0).answer().complete(List.of(guild("1", 12), guild("2", 14), guild("3", 13)));
        assertThat(sent).containsExactly("1@12", "2@14", "3@16");
        assertThat(flushes).isEqualTo(1);

        live(guild("3", 15));
        live(guild("1", 17));
        assertThat(sent).containsExactly("1@12", "2@14", "3@16", "1@17");
    }

    @Test
    void sinceZeroLeavesOutDeletionsAndLaterSincesSendThem() {
        listenGuilds(0L, "1", "2");
        reads.get(0).answer().complete(List.of(new Entry(EntryKind.GUILD, "1", null, 3), guild("2", 4)));
        assertThat(sent).containsExactly("2@4");

        listenGuilds(3L, "1", "2");
        reads.get(1).answer().complete(List.of(new Entry(EntryKind.GUILD, "1", null, 5)));
        assertThat(sent).containsExactly("2@4", "1@5");
    }

    @Test
    void oneSnapshotAtATimeAndOnlyTheLatestResumeAskedMeanwhileIsRead() {
        listenGuilds(1L, "1");
        listenGuilds(2L, "2");
        listenGuilds(3L, "3");
        assertThat(reads).hasSize(1);
        live(guild("3", 9));

        reads.get(0).answer().complete(List.of(guild("1", 5)));
        assertThat(reads).hasSize(2);
        assertThat(reads.get(1).since()).isEqualTo(3);
        assertThat(reads.get(1).ids().get(EntryKind.GUILD)).containsExactly("3");
        assertThat(sent).isEmpty();

        reads.get(1).answer().complete(List.of(guild("3", 8)));
        assertThat(sent).containsExactly("3@9");
    }

    @Test
    void entriesNoLongerListenedToWhenTheSnapshotArrivesAreNotSent() {
        listenGuilds(1L, "1", "2");
        live(guild("2", 5));
        listenGuilds(null, "1");
        assertThat(subscription.listened(EntryKind.GUILD)).containsExactly("1");
        reads.get(0).answer().complete(List.of(guild("2", 4), guild("1", 3)));
        assertThat(sent).containsExactly("1@3");
    }

    @Test
    void aFailedSnapshotDropsWhatWasHeldAndSaysSo() {
        listenGuilds(1L, "1");
        live(guild("1", 4));
        reads.get(0).answer().completeExceptionally(new IllegalStateException("store down"));
        assertThat(failures).hasSize(1);
        assertThat(sent).isEmpty();
        live(guild("1", 5));
        assertThat(sent).containsExactly("1@5");
    }

    @Test
    void aSnapshotAnsweredAfterTheSessionEndedSendsNothing() {
        listenGuilds(1L, "1");
        live(guild("1", 4));
        subscription.close();
        reads.get(0).answer().complete(List.of(guild("1", 3)));
        assertThat(sent).isEmpty();
        assertThat(flushes).isZero();
    }
}
