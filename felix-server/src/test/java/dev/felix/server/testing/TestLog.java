package dev.felix.server.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The log file tests write to (see logback-test.xml), read back to check what the gateway logged:
 * whole, or from a mark on, so a test reads only what it caused.
 */
public final class TestLog {
    public static final Path FILE = Path.of("target", "test.log");

    private final long mark;

    private TestLog(long mark) {
        this.mark = mark;
    }

    public static String read() {
        try {
            return Files.exists(FILE) ? Files.readString(FILE, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Marks the current end of the log. */
    public static TestLog mark() {
        try {
            return new TestLog(Files.exists(FILE) ? Files.size(FILE) : 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything logged since the mark. */
    public String since() {
        try (RandomAccessFile f = new RandomAccessFile(FILE.toFile(), "r")) {
            long length = f.length();
            byte[] bytes = new byte[(int) Math.max(0, length - mark)];
            f.seek(Math.min(mark, length));
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
