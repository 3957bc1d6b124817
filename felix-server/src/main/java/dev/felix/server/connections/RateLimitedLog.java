package dev.felix.server.connections;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Log lines that anyone able to reach a port can cause (refused handshakes and connections, errors a
 * client's bytes set off): at most
 * {@value #PER_SECOND} a second are written, and the first one after a second that dropped some says
 * how many. Thread-safe.
 */
public final class RateLimitedLog {
    static final int PER_SECOND = 10;
    private static final long SECOND_NANOS = 1_000_000_000L;

    private final Logger log;
    private final String what;
    private long windowStart = System.nanoTime();
    private int written;
    private long dropped;

    /** @param what what the lines are about, for the line that counts those left out */
    public RateLimitedLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** Logs at INFO, unless this second's lines are spent. */
    public void info(String format, Object... args) {
        write(Level.INFO, format, args);
    }

    /** Logs at WARN, unless this second's lines are spent; a last Throwable argument is logged with its trace. */
    public void warn(String format, Object... args) {
        write(Level.WARN, format, args);
    }

    private void write(Level level, String format, Object... args) {
        long droppedBefore;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart >= SECOND_NANOS) {
                windowStart = now;
                written = 0;
            }
            if (written >= PER_SECOND) {
                dropped++;
                return;
            }
            written++;
            droppedBefore = dropped;
            dropped = 0;
        }
        if (droppedBefore > 0) {
            log.atLevel(level).log("{} more {} were not logged (at most {} lines a second; the metrics count every one)",
                    droppedBefore, what, PER_SECOND);
        }
        log.atLevel(level).log(format, args);
    }
}
