package dev.felix.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code felix serve} as a child JVM on the test classpath, the way an operator runs it, so tests can
 * signal and kill it like an operator or the kernel would. Its stdout and stderr (where it logs, with
 * the felix command's logging configuration, which its main picks over the tests') are collected line
 * by line; it binds free loopback ports, read back from its start-up log line.
 */
public final class ServeProcess implements AutoCloseable {
    private static final Pattern BOUND =
            Pattern.compile("Felix.s WebSocket on wss?://127\\.0\\.0\\.1:(\\d+), REST API on https?://127\\.0\\.0\\.1:(\\d+)");

    public final Process process;
    /** Stdout lines not taken yet by {@link #nextStdoutLine()}. */
    public final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    /** Every stdout line, taken or not. */
    private final List<String> stdoutLines = new CopyOnWriteArrayList<>();
    /** Every stderr line: the server's log. */
    public final List<String> stderr = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> stderrQueue = new LinkedBlockingQueue<>();
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    public final int wsPort;
    public final int httpPort;

    private ServeProcess(Process process) {
        this.process = process;
        pump(process.getInputStream(), stdout, stdoutLines);
        pump(process.getErrorStream(), stderrQueue, stderr);
        Matcher bound = awaitLog(BOUND);
        this.wsPort = Integer.parseInt(bound.group(1));
        this.httpPort = Integer.parseInt(bound.group(2));
    }

    /** Starts {@code felix serve} on free loopback ports with the given data directory and extra options. */
    public static ServeProcess start(Path dataDir, String... options) {
        List<String> command = command(dataDir, "--ws-port", "0", "--http-port", "0");
        command.addAll(List.of(options));
        try {
            return new ServeProcess(new ProcessBuilder(command).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How a {@code felix serve} that stopped by itself ended. */
    public record Exit(int code, String stdout, String stderr) {
    }

    /**
     * Runs {@code felix serve} on loopback with the given data directory and options (ports included)
     * until it stops by itself, as it should when it cannot start; fails when it is still running after 60 s.
     */
    public static Exit runUntilExit(Path dataDir, String... options) throws IOException, InterruptedException {
        List<String> command = command(dataDir, options);
        Path out = Files.createTempFile("felix-serve", ".out");
        Path err = Files.createTempFile("felix-serve", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("felix serve still running after 60 s: " + Files.readString(err));
            }
            return new Exit(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    private static List<String> command(Path dataDir, String... options) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "dev.felix.server.cli.FelixCommand", "serve",
                "--data", dataDir.toString(), "--host", "127.0.0.1"));
        command.addAll(List.of(options));
        return command;
    }

    private void pump(InputStream stream, BlockingQueue<String> queue, List<String> all) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    all.add(line);
                    queue.add(line);
                }
            } catch (IOException e) {
                // the process is gone; what was read is kept
            }
        }, "serve-process-pump");
        t.setDaemon(true);
        t.start();
        pumps.add(t);
    }

    private Matcher awaitLog(Pattern pattern) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (System.nanoTime() < deadline) {
                String line = stderrQueue.poll(200, TimeUnit.MILLISECONDS);
                if (line != null) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                } else if (!process.isAlive()) {
                    throw new AssertionError("felix serve exited with " + process.exitValue() + ": " + stderr);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        throw new AssertionError("felix serve did not bind within 60 s: " + stderr);
    }

    /** The token {@code serve} minted and printed on first start, or null. */
    public String mintedToken() {
        return stdoutLines.stream().map(String::trim).filter(l -> l.startsWith("fxp_")).findFirst().orElse(null);
    }

    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + wsPort + "/");
    }

    /** A REST call over plain HTTP; {@code token} null sends no Authorization, {@code body} null sends none. */
    public HttpResponse<String> http(String method, String path, String token, String body) throws IOException {
        return Http.send(method, URI.create("http://127.0.0.1:" + httpPort + path), token, body);
    }

    /** The next stdout line, failing when none comes in time. */
    public String nextStdoutLine() {
        try {
            String line = stdout.poll(20, TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("no stdout line within 20 s; stderr: " + stderr);
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Everything the process printed on stdout and not taken yet; call once it has exited. */
    public List<String> remainingStdout() throws InterruptedException {
        awaitPumps();
        List<String> lines = new ArrayList<>();
        stdout.drainTo(lines);
        return lines;
    }

    /** Everything the process logged; call once it has exited. */
    public String log() throws InterruptedException {
        awaitPumps();
        return String.join("\n", stderr);
    }

    private void awaitPumps() throws InterruptedException {
        for (Thread pump : pumps) {
            pump.join(10_000);
        }
    }

    /**
     * Sends SIGTERM and returns at once. Through the process handle, because {@link Process#destroy()}
     * also closes the pipes, losing what the process prints while it stops.
     */
    public void sigterm() {
        process.toHandle().destroy();
    }

    /** Sends SIGTERM and returns the exit code. */
    public int terminate() {
        sigterm();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("felix serve still running 30 s after SIGTERM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** Kills the process (SIGKILL) and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("felix serve still running 10 s after SIGKILL");
        }
    }

    /** Kills the process if a test left it running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
