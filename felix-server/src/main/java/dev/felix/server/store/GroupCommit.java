package dev.felix.server.store;

import dev.felix.protocol.EntryKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The write core both stores share: one writer thread takes what is queued, up to a batch at a
 * time, and commits it in one transaction of the store's {@link Backend}.
 *
 * <p>What it promises, whatever the database does: every write's future completes, once; a write
 * refused by its mutation or its expected seq fails alone; when a batch's transaction fails, each
 * write is tried again alone, so one bad write fails alone too; a write the writer did not take
 * within the write deadline is answered {@link StoreException.Unavailable} and is then never sent.
 * It also tracks whether the store can write, for readiness: a write that failed for lack of space
 * or of a database marks it unable until a commit or a probe succeeds.
 */
public final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    /** How often a store that cannot write is probed while no write comes. */
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** How a backend sees a failure; the core decides from it what the writers are told. */
    public enum Failure {
        /** Out of space: the database or its disk is full. */
        FULL,
        /** The database cannot be reached or is busy; nothing was sent. */
        UNAVAILABLE,
        /** The connection broke: what was sent may have reached the database. */
        LOST,
        /** Anything else, such as a value the database refuses: a retry alone finds the culprit. */
        OTHER
    }

    /** The database under the core; every method runs on the writer thread. */
    public interface Backend {
        /** Opens a write transaction; may block until the database answers. */
        Transaction begin() throws SQLException;

        Failure classify(SQLException e);

        /** Fails unless the store could commit a write now; run while it is marked unable to. */
        void probe() throws SQLException;
    }

    /** One write transaction; after {@link #commit()} or {@link #rollback()} it is done with. */
    public interface Transaction {
        /** The entry's current row, deletions included, or null when there is none. */
        Entry current(EntryKind kind, String id) throws SQLException;

        /** Stores the new version under a new seq and returns it. */
        Entry write(EntryKind kind, String id, String json, Entry current) throws SQLException;

        /** As {@link #write}, for a version that replaces whatever the entry holds, which need not be read for it. */
        default Entry replace(EntryKind kind, String id, String json) throws SQLException {
            return write(kind, id, json, current(kind, id));
        }

        void commit() throws SQLException;

        /** Ends the transaction without committing; never throws. */
        void rollback();
    }

    private static final class Write {
        final EntryKind kind;
        final String id;
        final Long expectedSeq;
        final Mutation mutation;
        final CompletableFuture<Entry> result = new CompletableFuture<>();
        /** Set once, by the writer taking it or by its deadline: whichever comes first answers it. */
        final AtomicBoolean taken = new AtomicBoolean();
        final long submittedAt = System.nanoTime();

        Write(EntryKind kind, String id, Long expectedSeq, Mutation mutation) {
            this.kind = kind;
            this.id = id;
            this.expectedSeq = expectedSeq;
            this.mutation = mutation;
        }
    }

    private static final Write[] NONE = new Write[0];

    /**
     * Queued writes in the order they came, so the oldest is first, which the deadline thread relies on
     * (two racing submitters may land a few microseconds out of order, delaying one expiry that much).
     */
    private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
    /** The batch the writer took from the queue and has not answered yet, for the deadline thread. */
    private volatile Write[] inHand = NONE;
    private final int maxBatch;
    private final Duration deadline;
    private final Backend backend;
    private final Consumer<Entry> committed;
    private final Thread writer;
    private final Thread deadlines;
    private volatile boolean stopped;
    private volatile StoreException cannotWrite;
    private long lastProbe = System.nanoTime();
    private volatile boolean closed;

    /**
     * Starts the writer thread, and the thread that answers the writes whose deadline passed.
     *
     * @param deadline  how long a write may wait to be taken by the writer
     * @param committed gets every committed version, in seq order, on the writer thread; must not throw
     */
    public GroupCommit(String threadName, int maxBatch, Duration deadline, Backend backend, Consumer<Entry> committed) {
        this.maxBatch = maxBatch;
        this.deadline = deadline;
        this.backend = backend;
        this.committed = committed;
        this.writer = new Thread(this::run, threadName);
        this.writer.setDaemon(true);
        this.deadlines = new Thread(this::expireLate, threadName + "-deadlines");
        this.deadlines.setDaemon(true);
        this.writer.start();
        this.deadlines.start();
    }

    /** Queues a write; the future fails at once when the queue is closed. */
    public CompletableFuture<Entry> submit(EntryKind kind, String id, Long expectedSeq, Mutation mutation) {
        Write w = new Write(kind, id, expectedSeq, mutation);
        if (closed) {
            w.result.completeExceptionally(new StoreException.Unavailable("not written: the store is closed", null));
            return w.result;
        }
        // Hop: onto the writer thread, which commits queued writes together; the future completes there, or on
        // the deadline thread when the writer has not taken it in time.
        writes.add(w);
        if (closed && writes.remove(w) && take(w)) {
            // Closed between the check above and the add: close() may have drained the queue already.
            fail(w, new StoreException.Unavailable("not written: the store is closed", null));
        }
        return w.result;
    }

    /** Why entry writes fail now (out of space, database unreachable), or empty when they work. */
    public Optional<String> cannotWrite() {
        StoreException failure = cannotWrite;
        return failure == null ? Optional.empty() : Optional.of(failure.getMessage());
    }

    /** Whether the last attempt found the database unreachable, so that reads need not wait for it. */
    public boolean unreachable() {
        StoreException failure = cannotWrite;
        return failure instanceof StoreException.Unavailable || failure instanceof StoreException.OutcomeUnknown;
    }

    /**
     * The deadline thread: answers every write the writer has not taken within the deadline, then sleeps
     * until the oldest one left is due, or an eighth of the deadline at most. Writes are queued and taken in order, so only the batch in the
     * writer's hand and the head of the queue can be due; a write costs no timer of its own.
     */
    private void expireLate() {
        long limit = deadline.toNanos();
        while (!stopped) {
            try {
                LockSupport.parkNanos(this, expireDue(limit));
            } catch (RuntimeException | Error e) {
                // A surprise here must not end deadlines for good, as a dead thread would.
                log.error("write deadline check failed", e);
                LockSupport.parkNanos(this, limit / 8);
            }
        }
    }

    /** Answers the writes that are due; returns how long to sleep until the next one is. */
    private long expireDue(long limit) {
        long now = System.nanoTime();
        // Never longer than an eighth of the deadline: writes the writer has drained from the queue but
        // not yet published as in hand are in neither place, and are seen at the next look.
        long sleep = limit / 8;
        for (Write w : inHand) {
            long waited = now - w.submittedAt;
            if (waited >= limit) {
                expire(w);
            } else if (!w.taken.get()) {
                sleep = Math.min(sleep, limit - waited);
            }
        }
        for (Iterator<Write> it = writes.iterator(); it.hasNext(); ) {
            Write w = it.next();
            long waited = now - w.submittedAt;
            if (waited < limit) {
                sleep = Math.min(sleep, limit - waited);
                break;
            }
            expire(w);
            // Answered: the writer would only skip it.
            it.remove();
        }
        return sleep;
    }

    private void expire(Write w) {
        if (w.taken.compareAndSet(false, true)) {
            StoreException failure = new StoreException.Unavailable("not written: the store did not take the write within "
                    + deadline.toMillis() + " ms (the write deadline)", null);
            markUnable(failure);
            w.result.completeExceptionally(failure);
        }
    }

    private void run() {
        List<Write> batch = new ArrayList<>(maxBatch);
        while (!closed || !writes.isEmpty()) {
            try {
                Write first = writes.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    probeIfUnable();
                    continue;
                }
                batch.add(first);
                writes.drainTo(batch, maxBatch - 1);
                inHand = batch.toArray(NONE);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // A bug or a driver's surprise must not leave a writer waiting forever.
                log.error("write batch failed unexpectedly", e);
                StoreException failure = new StoreException("write failed: " + e, e);
                for (Write w : batch) {
                    take(w);
                    fail(w, failure);
                }
            } finally {
                inHand = NONE;
                batch.clear();
            }
        }
    }

    private void commit(List<Write> batch) {
        Transaction tx;
        try {
            tx = backend.begin();
        } catch (SQLException e) {
            // Nothing was sent: every write not yet answered gets the reason.
            StoreException failure = failure(e, false);
            for (Write w : batch) {
                if (take(w)) {
                    w.result.completeExceptionally(failure);
                }
            }
            return;
        }
        List<Write> mine = new ArrayList<>(batch.size());
        for (Write w : batch) {
            if (take(w)) {
                mine.add(w);
            }
        }
        if (mine.isEmpty()) {
            tx.rollback();
            return;
        }
        StoreException failure = attempt(tx, mine);
        if (failure == null) {
            return;
        }
        if (mine.size() == 1 || failure instanceof StoreException.Unavailable
                || failure instanceof StoreException.OutcomeUnknown) {
            mine.forEach(w -> fail(w, failure));
            return;
        }
        log.debug("write transaction of {} entries failed, trying each alone: {}", mine.size(), failure.getMessage());
        for (int i = 0; i < mine.size(); i++) {
            StoreException alone = attemptAlone(mine.get(i));
            if (alone instanceof StoreException.Unavailable) {
                // The database went away: the others would only wait for it again.
                mine.subList(i + 1, mine.size()).forEach(w -> fail(w, alone));
                return;
            }
        }
    }

    /** Retries one write in a transaction of its own; returns its failure, or null when it was answered. */
    private StoreException attemptAlone(Write w) {
        Transaction tx;
        try {
            tx = backend.begin();
        } catch (SQLException e) {
            StoreException failure = failure(e, false);
            fail(w, failure);
            return failure;
        }
        StoreException failure = attempt(tx, List.of(w));
        if (failure != null) {
            fail(w, failure);
        }
        return failure;
    }

    /**
     * Applies and commits the writes in one transaction and answers them; or rolls back, answers
     * none and returns why. Refusals are answered only after the commit: a retry alone may see an
     * entry that a failed write of the batch had changed, and decide otherwise.
     */
    private StoreException attempt(Transaction tx, List<Write> batch) {
        List<Object> outcomes = new ArrayList<>(batch.size());
        boolean committing = false;
        try {
            for (Write w : batch) {
                outcomes.add(apply(tx, w));
            }
            committing = true;
            tx.commit();
        } catch (SQLException e) {
            tx.rollback();
            return failure(e, committing);
        } catch (RuntimeException e) {
            tx.rollback();
            return new StoreException("write failed: " + e, e);
        }
        markAble();
        for (int i = 0; i < batch.size(); i++) {
            Object outcome = outcomes.get(i);
            if (outcome instanceof Entry entry) {
                batch.get(i).result.complete(entry);
            } else {
                batch.get(i).result.completeExceptionally((StoreException) outcome);
            }
        }
        // The answers first: each is one hop onto a loop, while the listeners' work (encoding the update) runs here.
        for (Object outcome : outcomes) {
            if (outcome instanceof Entry entry) {
                committed.accept(entry);
            }
        }
        return null;
    }

    /** The new version, or the refusal of the write's expected seq or its mutation. */
    private static Object apply(Transaction tx, Write w) throws SQLException {
        if (w.expectedSeq == null && w.mutation instanceof Mutation.Replace replace) {
            return tx.replace(w.kind, w.id, replace.json());
        }
        Entry current = tx.current(w.kind, w.id);
        if (w.expectedSeq != null && (current == null || current.seq() != w.expectedSeq)) {
            return new StoreException.PreconditionFailed("entry " + w.id + " is at seq "
                    + (current == null ? "none" : current.seq()) + ", not " + w.expectedSeq);
        }
        String json;
        try {
            json = w.mutation.apply(current == null || current.deleted() ? null : current);
        } catch (StoreException e) {
            return e;
        } catch (RuntimeException e) {
            return new StoreException("write refused: " + e.getMessage(), e);
        }
        return tx.write(w.kind, w.id, json, current);
    }

    private StoreException failure(SQLException e, boolean committing) {
        String cause = e.getMessage();
        Failure kind = backend.classify(e);
        StoreException failure = switch (kind) {
            case FULL -> new StoreException.Full("not written: the store is out of space (" + cause + ")", e);
            case UNAVAILABLE -> new StoreException.Unavailable("not written: the database is unavailable (" + cause + ")", e);
            case LOST -> committing
                    ? new StoreException.OutcomeUnknown("the connection to the database broke during the commit: the write "
                    + "may or may not be committed (" + cause + ")", e)
                    : new StoreException.Unavailable("not written: the connection to the database broke (" + cause + ")", e);
            case OTHER -> new StoreException("write failed: " + cause, e);
        };
        if (kind != Failure.OTHER) {
            markUnable(failure);
        }
        return failure;
    }

    private static boolean take(Write w) {
        return w.taken.compareAndSet(false, true);
    }

    private static void fail(Write w, StoreException failure) {
        w.result.completeExceptionally(failure);
    }

    private void markUnable(StoreException failure) {
        if (cannotWrite == null) {
            log.warn("the store cannot write: {}", failure.getMessage());
        }
        cannotWrite = failure;
    }

    private void markAble() {
        if (cannotWrite != null) {
            cannotWrite = null;
            log.info("the store writes again");
        }
    }

    private void probeIfUnable() {
        if (cannotWrite == null || System.nanoTime() - lastProbe < PROBE_INTERVAL_NANOS) {
            return;
        }
        lastProbe = System.nanoTime();
        try {
            backend.probe();
            markAble();
        } catch (SQLException e) {
            log.debug("store probe failed: {}", e.getMessage());
        }
    }

    /** Refuses new writes and waits (up to 10 s) for the queued ones to be committed. */
    public void close() {
        closed = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
        LockSupport.unpark(deadlines);
        // A write queued while the queue closed, or left when the writer gave up, is refused, not left hanging.
        StoreException failure = new StoreException.Unavailable("not written: the store is closed", null);
        for (Write left = writes.poll(); left != null; left = writes.poll()) {
            if (take(left)) {
                left.result.completeExceptionally(failure);
            }
        }
        // A writer still stuck in its batch after the wait: what it has not taken yet is refused too.
        for (Write held : inHand) {
            if (take(held)) {
                held.result.completeExceptionally(failure);
            }
        }
    }
}
