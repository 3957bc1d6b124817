package dev.felix.server.store;

import dev.felix.protocol.EntryKind;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The write queue of a store: one writer thread takes what is queued, up to a batch at a time, and
 * hands each batch to the store, which commits it in one transaction and completes the futures.
 */
public final class GroupCommit {
    /** One queued entry write; the store completes {@code result}. */
    public record Write(EntryKind kind, String id, Long expectedSeq, Mutation mutation,
                        CompletableFuture<Entry> result) {
    }

    private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final Consumer<List<Write>> commit;
    private final Thread writer;
    private volatile boolean closed;

    /** Starts the writer thread; {@code commit} runs on it, one batch at a time. */
    public GroupCommit(String threadName, int maxBatch, Consumer<List<Write>> commit) {
        this.maxBatch = maxBatch;
        this.commit = commit;
        this.writer = new Thread(this::run, threadName);
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Queues a write; the future fails at once when the queue is closed. */
    public CompletableFuture<Entry> submit(EntryKind kind, String id, Long expectedSeq, Mutation mutation) {
        CompletableFuture<Entry> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new StoreException("store is closed"));
            return result;
        }
        // Hop: onto the writer thread, which commits queued writes together; the future completes there.
        writes.add(new Write(kind, id, expectedSeq, mutation, result));
        return result;
    }

    private void run() {
        List<Write> batch = new ArrayList<>(maxBatch);
        while (!closed || !writes.isEmpty()) {
            try {
                Write first = writes.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                writes.drainTo(batch, maxBatch - 1);
                commit.accept(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
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
        // A write queued while the queue closed, or left when the writer gave up, is refused, not left hanging.
        for (Write left = writes.poll(); left != null; left = writes.poll()) {
            left.result().completeExceptionally(new StoreException("store is closed"));
        }
    }
}
