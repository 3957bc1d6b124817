package dev.felix.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layout rules the build cannot check: the server's packages depend on each other without a
 * cycle, no package is split across modules (one module reaching into another's package to use
 * what it keeps to itself), and no module uses what Vert.x keeps internal (it changes without notice).
 */
class PackageStructureTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern VERTX_INTERNAL = Pattern.compile("\\bio\\.vertx\\.[\\w.]*\\b(internal|impl)\\.");
    /**
     * The one file allowed Vert.x internals: the REST port's HTTP/1.1 framing, which Vert.x has no
     * option for and which can only be reached through its connection's pipeline.
     */
    private static final Set<String> VERTX_INTERNALS_ALLOWED = Set.of("HttpWire.java");
    private static final Pattern SERVER_TYPE = Pattern.compile("\\b(dev\\.felix\\.server(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** Each main source file of a module by its package. */
    private static Map<String, List<Path>> packagesOf(Path module) {
        Path sources = module.resolve("src/main/java");
        Map<String, List<Path>> packages = new TreeMap<>();
        if (!Files.isDirectory(sources)) {
            return packages;
        }
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = PACKAGE.matcher(Files.readString(file));
                if (m.find()) {
                    packages.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return packages;
    }

    private static List<Path> modules() throws IOException {
        Matcher m = MODULE.matcher(Files.readString(ROOT.resolve("pom.xml")));
        List<Path> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(ROOT.resolve(m.group(1)));
        }
        return modules;
    }

    @Test
    void noPackageIsSplitAcrossModules() throws IOException {
        List<Path> modules = modules();
        assertThat(modules).hasSizeGreaterThan(3);
        Map<String, Set<String>> modulesOfPackage = new TreeMap<>();
        for (Path module : modules) {
            for (String pkg : packagesOf(module).keySet()) {
                modulesOfPackage.computeIfAbsent(pkg, k -> new TreeSet<>()).add(module.getFileName().toString());
            }
        }
        assertThat(modulesOfPackage).containsKey("dev.felix.server.hub");
        assertThat(modulesOfPackage).allSatisfy((pkg, in) -> assertThat(in).as(pkg).hasSize(1));
    }

    @Test
    void noModuleUsesVertxInternals() throws IOException {
        List<String> users = new ArrayList<>();
        for (Path module : modules()) {
            for (List<Path> files : packagesOf(module).values()) {
                for (Path file : files) {
                    if (VERTX_INTERNAL.matcher(Files.readString(file)).find()
                            && !VERTX_INTERNALS_ALLOWED.contains(file.getFileName().toString())) {
                        users.add(file.toString());
                    }
                }
            }
        }
        assertThat(users).isEmpty();
    }

    @Test
    void theServersPackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> uses = new HashMap<>();
        for (Map.Entry<String, List<Path>> pkg : packagesOf(Path.of(".")).entrySet()) {
            Set<String> targets = uses.computeIfAbsent(pkg.getKey(), k -> new TreeSet<>());
            for (Path file : pkg.getValue()) {
                Matcher m = SERVER_TYPE.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg.getKey())) {
                        targets.add(m.group(1));
                    }
                }
            }
        }
        assertThat(uses).containsKeys("dev.felix.server.ws", "dev.felix.server.hub", "dev.felix.server.rest");
        for (String start : uses.keySet()) {
            assertThat(pathBack(uses, start)).as("a cycle through " + start).isEmpty();
        }
    }

    /** A chain of uses from {@code start} back to itself, or an empty list when there is none. */
    private static List<String> pathBack(Map<String, Set<String>> uses, String start) {
        Map<String, String> reachedFrom = new HashMap<>();
        List<String> queue = new ArrayList<>(List.of(start));
        Set<String> seen = new HashSet<>();
        while (!queue.isEmpty()) {
            String at = queue.remove(0);
            for (String next : uses.getOrDefault(at, Set.of())) {
                if (next.equals(start)) {
                    List<String> chain = new ArrayList<>();
                    for (String back = at; back != null; back = reachedFrom.get(back)) {
                        chain.add(0, back);
                    }
                    chain.add(start);
                    return chain;
                }
                if (seen.add(next)) {
                    reachedFrom.put(next, at);
                    queue.add(next);
                }
            }
        }
        return List.of();
    }
}
