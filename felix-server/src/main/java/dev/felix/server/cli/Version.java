package dev.felix.server.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The project version, which the build writes into {@code version.properties}: a resource rather than
 * the jar manifest, so that it is also right when the classes run outside the jar.
 */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String[] {"Felix Gateway " + properties.getProperty("version")};
    }
}
