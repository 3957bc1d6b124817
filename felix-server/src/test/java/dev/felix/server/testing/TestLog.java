package dev.felix.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The log file tests write to (see logback-test.xml), read back to check what the gateway logged. */
public final class TestLog {
    public static final Path FILE = Path.of("target", "test.log");

    private TestLog() {
    }

    public static String read() {
        try {
            return Files.exists(FILE) ? Files.readString(FILE, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
