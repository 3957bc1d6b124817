package dev.felix.dist;

import dev.felix.dist.ReadmeBlocks.Block;
import dev.felix.server.testing.RunningPostgres;
import dev.felix.server.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs every code block of the README, read from README.md itself, top to bottom, as a reader
 * following it would: in one folder laid out like a checkout, where {@code ./felix} runs the release
 * archive's {@code bin/felix}, with the real tools (bash and curl, Node and {@code ws}, javac and
 * java, psql). A block whose fence says {@code no-run} (an output sample, another tool's file, a
 * command that would rebuild the project or install it system-wide) is shown only; every other block
 * must run, and a block in a language this test cannot run fails it.
 *
 * <p>What each language means:
 * <ul>
 *   <li>{@code sh}: one bash per block, which must exit 0; shell variables carry over to the next
 *       blocks, and the folder it went to (cd) to the next blocks of the same section. Each {@code curl} must get an answer that is
 *       not a refusal of the request itself (400, 401, 403, 405, 413, 415, 5xx); 404 and 412
 *       depend on what earlier examples wrote. {@code ./felix serve} and {@code ./felix tail}
 *       are left running once up (bound; connected) and stopped at the end of the section.</li>
 *   <li>{@code js}: run with Node (as an ES module when it imports or awaits); it must open a
 *       WebSocket to the gateway and keep running, or exit 0. At the end of its section the gateway
 *       restarts, as in a deploy, and the example must not crash on the refused reconnects.</li>
 *   <li>{@code java}: the body of a main method (its imports go on top, with the packages of the
 *       client, the embedding API and JDA's sharding); compiled and run, it must exit 0. A variable
 *       the reader brings is given: {@code shardManager} a JDA ShardManager that has no shards yet,
 *       {@code backend} a dashboard backend minting session tokens over REST, {@code userId} a user.</li>
 *   <li>{@code yaml}: a configuration file named by its first line ({@code # felix.yml}), written
 *       to the folder and checked with {@code ./felix config --config FILE}.</li>
 *   <li>{@code xml}: Maven dependencies, which must name a module of this build at its version.</li>
 *   <li>{@code sql}: run with psql on the database the PostgreSQL section created.</li>
 * </ul>
 *
 * <p>Examples speak of the default ports, {@code localhost}, {@code gateway-host}, placeholder
 * tokens ({@code fxp_…}) and token files, {@code db.internal:5432}, {@code /var/lib/felix} and {@code /etc/felix/};
 * {@link #placeholders} puts the test's free ports, tokens, folder and PostgreSQL in their place.
 * A gateway runs for every example that needs one (started with {@code ./felix serve} on the folder's
 * {@code data}, whose first start mints the token the examples use) unless the example starts its own.
 */
@RunningPostgres
class ReadmeExamplesTest {
    private static final Set<String> RUNNABLE = Set.of("sh", "js", "java", "yaml", "xml", "sql");
    private static final List<String> TOOLS = List.of("bash", "curl", "node", "npm", "openssl", "jq", "psql", "tar");
    private static final Set<Integer> REFUSED = Set.of(0, 400, 401, 403, 405, 413, 415);
    private static final Pattern CURL_STATUS = Pattern.compile("(?m)^curl-status (\\d{3})$");
    private static final Pattern TOKEN_LINE = Pattern.compile("(?m)^\\s*(fxp_\\S+)\\s*$");
    private static final Pattern SERVES = Pattern.compile("\\./felix serve\\b|FelixGateway\\.builder\\(\\)");
    private static final Pattern YAML_FILE = Pattern.compile("^#\\s*(\\S+\\.ya?ml)\\s*\\n");
    private static final Pattern DEPENDENCY = Pattern.compile(
            "<dependency>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>");
    private static final String DB_PASSWORD = "felix-example";
    private static final String CLIENT_PACKAGE = "felix-gateway-client";
    private static final String TOKEN_FILE = "/run/dash/felix-token";
    /** Variables the Java examples use as the reader's own, and what stands in for them. */
    private static final Map<String, String> GIVEN = Map.of(
            "shardManager", "net.dv8tion.jda.api.sharding.ShardManager shardManager = dev.felix.dist.NoShards.shardManager();",
            "backend", "dev.felix.dist.SessionBackend backend = new dev.felix.dist.SessionBackend();",
            "userId", "String userId = \"987654321098765432\";");
    private static final String JAVA_IMPORTS = """
            import dev.felix.api.*;
            import dev.felix.client.*;
            import dev.felix.protocol.*;
            import dev.felix.jda.*;
            import java.nio.file.*;
            import java.time.*;
            import java.util.*;
            """;

    @TempDir
    static Path tmp;
    private static Path scratch;
    private static Path run;
    private static Path release;
    private static int wsPort;
    private static int httpPort;
    private static String token;
    private static String publicToken;
    private static TestPostgres postgres;
    /** serve processes the test started for examples that need a gateway, by their pid file. */
    private static final Set<Path> defaultGateways = new LinkedHashSet<>();
    private static final List<Process> runningExamples = new ArrayList<>();
    private static final Map<Process, Block> exampleOf = new HashMap<>();
    private static final Set<Block> ran = new LinkedHashSet<>();

    @BeforeAll
    static void prepare(TestPostgres server) throws Exception {
        List<String> missing = TOOLS.stream().filter(t -> !onPath(t)).toList();
        if (!missing.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the README's examples need " + missing + " on the PATH");
            }
            assumeTrue(false, "not on the PATH: " + missing);
        }
        postgres = server;
        release = Release.unpack(Files.createDirectories(tmp.resolve("release")));
        scratch = Files.createDirectories(tmp.resolve("checkout"));
        run = Files.createDirectories(tmp.resolve("run"));
        wsPort = freePort();
        httpPort = freePort();
        Path felix = scratch.resolve("felix");
        Files.writeString(felix, resource("felix").replace("@RELEASE@", release.toString()).replace("@RUN@", run.toString()));
        felix.toFile().setExecutable(true);
        Path clients = Release.ROOT.resolve("clients");
        if (Files.isDirectory(clients)) {
            copySources(clients, scratch.resolve("clients"));
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        runningExamples.forEach(Process::destroyForcibly);
        if (run != null) {
            stopGateways();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyExampleOfTheReadmeRuns() {
        List<Block> blocks = ReadmeBlocks.parse(Release.read(Release.ROOT.resolve("README.md")));
        List<DynamicTest> tests = new ArrayList<>();
        String section = null;
        for (Block block : blocks) {
            if (!block.section().equals(section) && section != null) {
                String ended = section;
                tests.add(DynamicTest.dynamicTest("end of section " + ended, () -> endSection(ended)));
            }
            section = block.section();
            tests.add(DynamicTest.dynamicTest(block.toString(), () -> runBlock(block)));
        }
        if (section != null) {
            String ended = section;
            tests.add(DynamicTest.dynamicTest("end of section " + ended, () -> endSection(ended)));
        }
        tests.add(DynamicTest.dynamicTest("every block ran or is marked no-run", () -> {
            List<Block> expected = blocks.stream().filter(Block::runs).toList();
            assertThat(ran).containsExactlyElementsOf(expected);
        }));
        return tests.stream();
    }

    private static void runBlock(Block block) throws Exception {
        if (!block.runs()) {
            return;
        }
        if (!RUNNABLE.contains(block.lang())) {
            fail(block + ": a block must be in one of the languages " + RUNNABLE + " or marked '" + ReadmeBlocks.NO_RUN
                    + "' after its language (```text no-run) when it is not meant to run");
        }
        if (SERVES.matcher(block.text()).find()) {
            stopGateways();
        } else if (Set.of("sh", "js", "java").contains(block.lang()) && liveGateways().isEmpty()) {
            startDefaultGateway();
        }
        if (block.text().contains("fxu_…") && publicToken == null) {
            publicToken = lastLine(shell("./felix token create --public --owner 123456789012345678", block).out());
        }
        String code = placeholders(block.text());
        switch (block.lang()) {
            case "sh" -> runShell(block, code);
            case "js" -> runJavaScript(block, code);
            case "java" -> runJava(block, code);
            case "yaml" -> runYaml(block, code);
            case "xml" -> checkDependencies(block, code);
            case "sql" -> runSql(block, code);
            default -> throw new IllegalStateException(block.lang());
        }
        ran.add(block);
    }

    /** The test's ports, tokens, folder and database in place of the README's placeholders. */
    private static String placeholders(String text) {
        String s = text.contains("fxp_…") ? text.replace("fxp_…your token…", token()).replace("fxp_…", token()) : text;
        s = s.replace("gateway-host", "localhost")
                .replaceAll("\\b8090\\b", String.valueOf(wsPort))
                .replaceAll("\\b8080\\b", String.valueOf(httpPort))
                .replace("/var/lib/felix", "data")
                .replace("/etc/felix/", "")
                .replace("--owner ID", "--owner 123456789012345678")
                .replace("PASSWORD '…'", "PASSWORD '" + DB_PASSWORD + "'")
                .replace("FELIX_DB_PASSWORD=…", "FELIX_DB_PASSWORD=" + DB_PASSWORD);
        if (publicToken != null) {
            s = s.replace("fxu_…", publicToken);
        }
        if (s.contains(TOKEN_FILE)) {
            s = s.replace(TOKEN_FILE, tokenFile().toString());
        }
        return s.replace("db.internal:5432", "localhost:" + postgres.port());
    }

    private record Result(int code, String out, String err) {
        String describe() {
            return "exit " + code + "\n--- stdout\n" + tail(out) + "\n--- stderr\n" + tail(err);
        }
    }

    private static void runShell(Block block, String code) throws Exception {
        Result result = shell(code, block);
        assertThat(result.code()).as("%s\n%s", block, result.describe()).isZero();
        Matcher status = CURL_STATUS.matcher(result.err());
        while (status.find()) {
            int http = Integer.parseInt(status.group(1));
            assertThat(REFUSED.contains(http) || http >= 500).as("%s: a curl was answered %d\n%s", block, http,
                    result.describe()).isFalse();
        }
        Path state = run.resolve("state.sh");
        Files.move(run.resolve("state.sh.new"), state, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Result shell(String code, Block block) throws Exception {
        Path script = run.resolve("block-" + block.line() + "-" + System.nanoTime() + ".sh");
        Files.writeString(script, resource("prelude.sh").replace("@SCRATCH@", scratch.toString())
                .replace("@STATE@", run.resolve("state.sh").toString()) + "\n" + code);
        Result result = exec(List.of("bash", script.toString()), scratch, Map.of(), 600);
        findToken();
        return result;
    }

    private static void runJavaScript(Block block, String code) throws Exception {
        boolean module = Pattern.compile("(?m)^\\s*(import\\s|export\\s)|^\\s*await\\s|\\sawait\\s").matcher(code).find();
        Path dir = currentDir();
        if (code.contains("'" + CLIENT_PACKAGE + "'") && !Files.isDirectory(dir.resolve("node_modules").resolve(CLIENT_PACKAGE))) {
            installClientPackage(block, dir);
        }
        Path file = dir.resolve("readme-example-" + block.line() + (module ? ".mjs" : ".js"));
        Files.writeString(file, code);
        Path events = run.resolve("js-" + block.line() + ".events");
        Files.writeString(events, "");
        Path hook = run.resolve("hook.js");
        Files.writeString(hook, resource("hook.js"));
        ProcessBuilder pb = new ProcessBuilder("node", "-r", hook.toString(), file.toString()).directory(dir.toFile())
                .redirectOutput(run.resolve("js-" + block.line() + ".out").toFile())
                .redirectError(run.resolve("js-" + block.line() + ".err").toFile());
        pb.environment().clear();
        pb.environment().putAll(environment(Map.of("FELIX_EXAMPLE_EVENTS", events.toString())));
        Process node = pb.start();
        exampleOf.put(node, block);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Release.read(events).contains("\"event\":\"open\"")) {
            if (!node.isAlive() || System.nanoTime() > deadline) {
                node.destroyForcibly().waitFor();
                fail(block + ": the example opened no WebSocket" + (node.isAlive() ? " within 60 s" : "")
                        + "\n" + jsReport(block, node));
            }
            Thread.sleep(100);
        }
        runningExamples.add(node);
    }

    /**
     * Installs the TypeScript client the build packed into the folder of an example that imports it
     * before the README's section on the client (which installs it the same way) comes up.
     */
    private static void installClientPackage(Block block, Path dir) throws Exception {
        Path target = Release.ROOT.resolve("clients/js/target");
        List<Path> packed;
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            packed = files.filter(p -> p.getFileName().toString().matches(CLIENT_PACKAGE + "-.*\\.tgz")).toList();
        }
        assertThat(packed).as("%s imports %s: mvn package packs it into %s", block, CLIENT_PACKAGE, target).hasSize(1);
        Result install = exec(List.of("npm", "install", "--no-save", packed.get(0).toString()), dir, Map.of(), 600);
        assertThat(install.code()).as("%s: npm install %s\n%s", block, packed.get(0), install.describe()).isZero();
    }

    private static String jsReport(Block block, Process node) {
        return (node.isAlive() ? "running" : "exit " + node.exitValue())
                + "\n--- socket events\n" + tail(Release.read(run.resolve("js-" + block.line() + ".events")))
                + "\n--- stdout\n" + tail(Release.read(run.resolve("js-" + block.line() + ".out")))
                + "\n--- stderr\n" + tail(Release.read(run.resolve("js-" + block.line() + ".err")));
    }

    private static void runJava(Block block, String code) throws Exception {
        StringBuilder imports = new StringBuilder(JAVA_IMPORTS);
        StringBuilder body = new StringBuilder();
        for (String line : code.lines().toList()) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        GIVEN.forEach((name, declaration) -> {
            if (Pattern.compile("\\b" + name + "\\b").matcher(body).find()
                    && !Pattern.compile("\\b" + name + "\\s*=").matcher(body).find()) {
                body.insert(0, declaration + "\n");
            }
        });
        String name = "ReadmeExample" + block.line();
        Path src = Files.createDirectories(run.resolve("java-" + block.line()));
        Path file = src.resolve(name + ".java");
        // The example returns from main; what it leaves running (JDA's threads) is not its subject.
        Files.writeString(file, imports + "\npublic class " + name + " {\n"
                + "    public static void main(String[] args) throws Exception {\n" + body + "        System.exit(0);\n    }\n}\n");
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        String classpath = System.getProperty("java.class.path");
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, errors, errors,
                "-d", src.toString(), "-cp", classpath, file.toString());
        assertThat(compiled).as("%s does not compile:\n%s", block, errors.toString(StandardCharsets.UTF_8)).isZero();
        Result result = exec(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", src + File.pathSeparator + classpath, name), currentDir(), Map.of(), 120);
        assertThat(result.code()).as("%s\n%s", block, result.describe()).isZero();
    }

    private static void runYaml(Block block, String code) throws Exception {
        Matcher named = YAML_FILE.matcher(code);
        assertThat(named.find()).as("%s: a configuration example names its file in its first line (# felix.yml), "
                + "or is marked no-run", block).isTrue();
        Files.writeString(currentDir().resolve(named.group(1)), code);
        Result result = exec(List.of(scratch.resolve("felix").toString(), "config", "--config", named.group(1)),
                currentDir(), Map.of(), 120);
        assertThat(result.code()).as("%s: felix config --config %s\n%s", block, named.group(1), result.describe()).isZero();
    }

    private static void checkDependencies(Block block, String code) {
        Matcher dependency = DEPENDENCY.matcher(code);
        int found = 0;
        while (dependency.find()) {
            found++;
            String artifact = dependency.group(2);
            assertThat(dependency.group(1)).as(block.toString()).isEqualTo("dev.felix");
            assertThat(dependency.group(3)).as("%s: the version of %s", block, artifact)
                    .isEqualTo(System.getProperty("felix.version"));
            Path pom = Release.ROOT.resolve(artifact).resolve("pom.xml");
            assertThat(pom).as("%s: %s is a module of this build", block, artifact).isRegularFile();
            assertThat(Release.read(pom)).contains("<artifactId>" + artifact + "</artifactId>");
        }
        assertThat(found).as("%s: a Maven example is <dependency> elements", block).isPositive();
    }

    private static void runSql(Block block, String code) throws Exception {
        Path file = run.resolve("block-" + block.line() + ".sql");
        Files.writeString(file, code);
        Result result = exec(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "felix", "-d", "felix",
                "-f", file.toString()), scratch, Map.of("PGPASSWORD", DB_PASSWORD), 120);
        assertThat(result.code()).as("%s\n%s", block, result.describe()).isZero();
    }

    /**
     * Ends a section: what its examples left running is stopped, and the next section starts in
     * the checkout again, without the FELIX_* variables this one exported (which configured its own
     * gateway); other shell variables, like {@code $T} of the REST section, stay as in a terminal. JavaScript examples still running first see the gateway go away for a
     * few seconds, as in a deploy, longer than their reconnect delay: one that crashes on a refused
     * reconnect fails here.
     */
    private static void endSection(String section) throws Exception {
        Path state = run.resolve("state.sh");
        if (Files.exists(state)) {
            Files.write(state, Files.readAllLines(state).stream()
                    .filter(line -> !line.startsWith("cd ") && !line.startsWith("declare -x FELIX_")).toList());
        }
        Files.deleteIfExists(run.resolve("state.sh.cwd"));
        List<String> failures = new ArrayList<>();
        if (!runningExamples.isEmpty()) {
            failures.addAll(stopGateways());
            Thread.sleep(3000);
            for (Process node : runningExamples) {
                if (!node.isAlive() && node.exitValue() != 0) {
                    failures.add(exampleOf.get(node) + " did not survive its gateway going away:\n"
                            + jsReport(exampleOf.get(node), node));
                }
                node.destroyForcibly().waitFor();
            }
            runningExamples.clear();
        }
        failures.addAll(stopGateways(liveGateways().stream().filter(g -> !defaultGateways.contains(g)).toList()));
        assertThat(failures).as("end of section %s", section).isEmpty();
    }

    private static void startDefaultGateway() throws Exception {
        Set<Path> before = Set.copyOf(pidFiles());
        Result result = exec(List.of(scratch.resolve("felix").toString(), "serve"), scratch, Map.of(), 120);
        assertThat(result.code()).as("./felix serve for the examples\n%s", result.describe()).isZero();
        pidFiles().stream().filter(p -> !before.contains(p)).forEach(defaultGateways::add);
        findToken();
    }

    private static List<String> stopGateways() throws Exception {
        return stopGateways(liveGateways());
    }

    /** Stops gateways with SIGTERM, as an operator does; each must exit 0. */
    private static List<String> stopGateways(List<Path> pidFiles) throws Exception {
        List<String> failures = new ArrayList<>();
        for (Path pidFile : pidFiles) {
            ProcessHandle.of(Long.parseLong(Release.read(pidFile).strip())).ifPresent(ProcessHandle::destroy);
        }
        for (Path pidFile : pidFiles) {
            Path rc = sibling(pidFile, ".rc");
            for (int i = 0; i < 300 && !(Files.exists(rc) && !Release.read(rc).isBlank()); i++) {
                Thread.sleep(100);
            }
            String code = Files.exists(rc) ? Release.read(rc).strip() : "(still running)";
            if (!code.equals("0")) {
                failures.add("felix serve (" + pidFile.getFileName() + ") ended with " + code + ":\n"
                        + tail(Release.read(sibling(pidFile, ".err"))));
            }
        }
        return failures;
    }

    private static List<Path> liveGateways() throws IOException {
        return pidFiles().stream().filter(p -> !Files.exists(sibling(p, ".rc"))).toList();
    }

    private static List<Path> pidFiles() throws IOException {
        try (Stream<Path> files = Files.list(run)) {
            return files.filter(p -> p.getFileName().toString().matches("serve-\\d+\\.pid")).sorted().toList();
        }
    }

    private static Path sibling(Path pidFile, String suffix) {
        return pidFile.resolveSibling(pidFile.getFileName().toString().replace(".pid", suffix));
    }

    /** The token the first start of felix serve on the folder's data minted. */
    private static void findToken() throws IOException {
        if (token != null) {
            return;
        }
        for (Path pidFile : pidFiles()) {
            Path out = sibling(pidFile, ".out");
            Matcher m = TOKEN_LINE.matcher(Files.exists(out) ? Release.read(out) : "");
            if (m.find()) {
                token = m.group(1);
                return;
            }
        }
    }

    private static String token() {
        if (token == null) {
            try {
                startDefaultGateway();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return Objects.requireNonNull(token, "no felix serve printed a first token");
    }

    /** A file holding the token, for examples that read it from one. */
    private static Path tokenFile() {
        try {
            return Files.writeString(run.resolve("felix-token"), token());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder the section's shell examples went to (cd), where its other examples run. */
    private static Path currentDir() {
        Path cwd = run.resolve("state.sh.cwd");
        return Files.exists(cwd) ? Path.of(Release.read(cwd).strip()) : scratch;
    }

    private static Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("FELIX_") || k.startsWith("PG"));
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + env.getOrDefault("PATH", ""));
        env.put("FELIX_WS_PORT", String.valueOf(wsPort));
        env.put("FELIX_HTTP_PORT", String.valueOf(httpPort));
        env.put("FELIX_HOST", "127.0.0.1");
        env.put("FELIX_URL", "ws://localhost:" + wsPort);
        env.put("npm_config_update_notifier", "false");
        env.put("npm_config_fund", "false");
        env.put("npm_config_audit", "false");
        if (token != null) {
            env.put("FELIX_TOKEN", token);
        }
        env.put("PGHOST", "localhost");
        env.put("PGPORT", String.valueOf(postgres.port()));
        env.put("PGUSER", "postgres");
        env.putAll(extra);
        return env;
    }

    private static Result exec(List<String> command, Path dir, Map<String, String> extraEnv, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(run, "out", ".txt");
        Path err = Files.createTempFile(run, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(environment(extraEnv));
        Process process = pb.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            return new Result(-1, Release.read(out), Release.read(err) + "\n(killed after " + timeoutSeconds + " s)");
        }
        return new Result(process.exitValue(), Release.read(out), Release.read(err));
    }

    private static String lastLine(String text) {
        return text.strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : "…" + text.substring(text.length() - 4000);
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ReadmeExamplesTest.class.getResourceAsStream("/readme/" + name)) {
            return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Copies a source folder as a fresh checkout holds it: without what builds leave in it. */
    private static void copySources(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(p -> !from.relativize(p).toString()
                    .matches("(.*/)?(node_modules|target|dist)(/.*)?")).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
