package dev.felix.bench;

import io.vertx.core.http.UpgradeRejectedException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connections of a run that the server refused or closed, counted by reason. A run with any
 * measured fewer clients than it was asked for, or clients the server stopped serving, so it fails:
 * its numbers would describe another load than the one given.
 */
final class Refusals {
    /** Prefix of the counters in a {@link Result}, which add up over driver processes. */
    private static final String COUNT = "refused: ";
    /** What lifts the limit behind a reason, for the reasons the gateway gives (its close reasons and 429). */
    private static final Map<String, String> HINTS = Map.of(
            "HTTP 429", "the server's per-token connection limit: start it with --max-connections-per-token above the clients of the run",
            "HTTP 403", "the token is unknown, revoked or public: give a private token with --token",
            "rate limit exceeded", "the server's per-socket frame rate: start it with higher --max-messages-per-second and --message-burst",
            "slow consumer", "the server's per-socket send queue: start it with a higher --max-queued-bytes, or read faster",
            "too many IDs", "the server's --max-listen-ids",
            "1009", "the server's --max-message-bytes");

    private final ConcurrentHashMap<String, LongAdder> byReason = new ConcurrentHashMap<>();

    /** A handshake that failed. */
    void refused(Throwable cause) {
        count(cause instanceof UpgradeRejectedException rejected
                ? "handshake refused with HTTP " + rejected.getStatus()
                : "connect failed: " + cause.getMessage());
    }

    /** A socket the server closed with a close frame; 1000 is a normal end and not counted. */
    void closed(Short code, String reason) {
        if (code != null && code != 1000) {
            count("closed by the server with " + code + (reason == null || reason.isEmpty() ? "" : " " + reason));
        }
    }

    private void count(String reason) {
        byReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    void addTo(Result result) {
        byReason.forEach((reason, n) -> result.add(COUNT + reason, n.sum()));
    }

    /** One line per reason in a (merged) result, with what lifts it where known; empty when nothing was refused. */
    static List<String> explain(Result result) {
        List<String> lines = new ArrayList<>();
        result.counts.forEach((name, n) -> {
            if (name.startsWith(COUNT) && n > 0) {
                String reason = name.substring(COUNT.length());
                String hint = HINTS.entrySet().stream().filter(h -> reason.contains(h.getKey()))
                        .map(h -> " (" + h.getValue() + ")").findFirst().orElse("");
                lines.add(n + " connection" + (n == 1 ? "" : "s") + ": " + reason + hint);
            }
        });
        return lines;
    }
}
