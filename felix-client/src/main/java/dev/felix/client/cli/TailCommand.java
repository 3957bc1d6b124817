package dev.felix.client.cli;

import dev.felix.client.ConnectionState;
import dev.felix.client.FelixClient;
import dev.felix.client.FelixListener;
import dev.felix.protocol.EncodedShards;
import dev.felix.protocol.ServerMessage;
import dev.felix.protocol.Wire;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code felix tail}: a live view of Felix's WebSocket built on {@link FelixClient}. Standard output
 * gets one JSON line per server message (updates, and heartbeat ACKs unless {@code --quiet-status}),
 * as the server sent it; connection changes go to standard error.
 */
@Command(name = "felix tail",
        description = {"Connect to Felix's WebSocket, listen to guilds and users, and print one JSON line per "
                + "update and one per heartbeat ACK. Connection changes go to stderr.",
                "Reconnects by itself; exits 2 when the server refuses the --token, 1 when its TLS certificate "
                        + "is not trusted."})
public final class TailCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:FELIX_URL:-ws://localhost:8090}",
            description = "Felix's WebSocket (env FELIX_URL, default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:FELIX_TOKEN}",
            description = "A private token (env FELIX_TOKEN, which keeps it out of the process list).")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", defaultValue = "${env:FELIX_TOKEN_FILE}",
            description = "Read the token from this file before every connection attempt, so a program that "
                    + "rewrites it (with a fresh session token) keeps tail connected; a refused token is then "
                    + "retried (env FELIX_TOKEN_FILE). Instead of --token.")
    Path tokenFile;

    @Option(names = "--guild", paramLabel = "ID", description = "A guild to listen to; repeat for more.")
    List<String> guilds = new ArrayList<>();

    @Option(names = "--user", paramLabel = "ID", description = "A user to listen to; repeat for more.")
    List<String> users = new ArrayList<>();

    @Option(names = "--quiet-status", description = "Do not print heartbeat ACKs, only updates.")
    boolean quietStatus;

    @Option(names = "--heartbeat-ms", paramLabel = "MS", defaultValue = "1000",
            description = "Time between heartbeats (default: ${DEFAULT-VALUE}).")
    long heartbeatMs;

    @Option(names = "--user-agent", paramLabel = "UA", defaultValue = "felix tail",
            description = "User-Agent of the handshake (default: ${DEFAULT-VALUE}).")
    String userAgent;

    @Option(names = "--limit", paramLabel = "N",
            description = "Exit after printing N updates (default: run until interrupted).")
    Integer limit;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TailCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        // A flag beats the other option's environment variable, as everywhere in felix: with
        // FELIX_TOKEN exported, --token-file still reads the file.
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        if (given.hasMatchedOption("--token-file") && !given.hasMatchedOption("--token")) {
            token = null;
        } else if (given.hasMatchedOption("--token") && !given.hasMatchedOption("--token-file")) {
            tokenFile = null;
        }
        boolean hasToken = token != null && !token.isBlank();
        if (hasToken == (tokenFile != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), hasToken
                    ? "give --token (FELIX_TOKEN) or --token-file (FELIX_TOKEN_FILE), not both"
                    : "a token is required: --token or FELIX_TOKEN, or --token-file or FELIX_TOKEN_FILE");
        }
        if (heartbeatMs <= 0 || (limit != null && limit <= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--heartbeat-ms and --limit must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger();
        FelixClient client;
        try {
            FelixClient.Builder builder = FelixClient.builder();
            if (tokenFile != null) {
                builder.tokenSupplier(() -> readToken(tokenFile));
            } else {
                builder.token(token);
            }
            client = builder
                    .url(url)
                    .userAgent(userAgent)
                    .heartbeatInterval(Duration.ofMillis(heartbeatMs))
                    .addListener(new Printer(out, err, done, exitCode))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        client.listen(users, guilds);
        Thread hook = new Thread(client::close, "felix-tail-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            done.await();
        } finally {
            client.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return exitCode.get();
    }

    /** The file's first line, trimmed; read anew for every connection attempt. */
    static String readToken(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why a connection is down, in words. The JDK's WebSocket client leaves the message of some
     * failures empty (a refused connection is a bare ConnectException), so those are named here.
     */
    static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof WebSocketHandshakeException handshake) {
                return "handshake answered with HTTP " + handshake.getResponse().statusCode();
            }
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return cause instanceof ConnectException ? "connection refused" : cause.getClass().getSimpleName();
    }

    /**
     * Whether a connection failed on the server's certificate (no trusted path to it, expired, or for
     * another host name): retrying cannot change that, unlike a dropped or refused connection.
     */
    static boolean untrustedCertificate(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathBuilderException
                    || t instanceof CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }

    /** Runs on the client's event thread, so lines come out whole and in arrival order. */
    private final class Printer implements FelixListener {
        private final PrintWriter out;
        private final PrintWriter err;
        private final CountDownLatch done;
        private final AtomicInteger exitCode;
        private int updates;

        Printer(PrintWriter out, PrintWriter err, CountDownLatch done, AtomicInteger exitCode) {
            this.out = out;
            this.err = err;
            this.done = done;
            this.exitCode = exitCode;
        }

        @Override
        public void onGuildUpdate(ServerMessage.EntryUpdate update) {
            printUpdate(update);
        }

        @Override
        public void onUserUpdate(ServerMessage.EntryUpdate update) {
            printUpdate(update);
        }

        private void printUpdate(ServerMessage.EntryUpdate u) {
            if (done.getCount() == 0) {
                return;
            }
            line(Wire.encodeEntryUpdate(u.kind(), u.id(), u.data().isNull() ? null : u.data().toString(), u.seq()));
            if (limit != null && ++updates >= limit) {
                done.countDown();
            }
        }

        @Override
        public void onStatus(ServerMessage.HeartbeatAck ack) {
            if (!quietStatus && done.getCount() > 0) {
                var s = ack.status();
                line(Wire.encodeHeartbeatAck(ack.receivedAt(), EncodedShards.encode(s.shards()), s.guildsCount(),
                        s.memoryUsage(), s.uptime()));
            }
        }

        private void line(byte[] json) {
            out.println(new String(json, StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void onStateChange(ConnectionState state, Throwable cause) {
            err.println("felix tail: " + state.name().toLowerCase() + " " + url
                    + (cause == null ? "" : " (" + reason(cause) + ")"));
            err.flush();
            if (state == ConnectionState.FAILED) {
                exitCode.set(2);
                done.countDown();
            } else if (state == ConnectionState.DISCONNECTED && untrustedCertificate(cause)) {
                err.println("felix tail: the server's certificate is not trusted for " + url + "; give the JVM a "
                        + "trust store that holds it: FELIX_JAVA_OPTS=\"-Djavax.net.ssl.trustStore=FILE "
                        + "-Djavax.net.ssl.trustStorePassword=…\"");
                err.flush();
                exitCode.set(1);
                done.countDown();
            }
        }
    }
}
