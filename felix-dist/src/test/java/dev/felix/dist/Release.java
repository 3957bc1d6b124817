package dev.felix.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The release archive the build made, unpacked into a folder of its own. */
final class Release {
    /** The archive, as the build's package phase wrote it. */
    static final Path ARCHIVE = Path.of(System.getProperty("felix.archive", "target/felix-gateway.tar.gz"));
    /** The source checkout, whose README the examples test reads. */
    static final Path ROOT = Path.of(System.getProperty("felix.root", "..")).toAbsolutePath().normalize();

    private Release() {
    }

    /** Unpacks the archive into {@code dir} and returns the folder it holds, felix-gateway-VERSION. */
    static Path unpack(Path dir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(ARCHIVE)) {
            throw new AssertionError("no release archive at " + ARCHIVE + "; it is made by mvn package");
        }
        Process tar = new ProcessBuilder("tar", "-xzf", ARCHIVE.toString(), "-C", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new AssertionError("tar -xzf " + ARCHIVE + " failed: " + output);
        }
        String name = ARCHIVE.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        return dir.resolve(name);
    }

    /** The directory holding the java command that runs these tests: a PATH with a Java runtime and nothing else. */
    static String javaOnlyPath() {
        return Path.of(System.getProperty("java.home"), "bin").toString();
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
