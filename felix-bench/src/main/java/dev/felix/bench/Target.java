package dev.felix.bench;

import picocli.CommandLine.Option;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Where the load goes and how the load generator spreads itself: options every scenario shares. */
final class Target {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "ws://127.0.0.1:8090/",
            description = "Felix's WebSocket of the server under test (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:FELIX_BENCH_TOKEN}",
            description = "Private token for the socket and for REST writes (env FELIX_BENCH_TOKEN).")
    String token;

    @Option(names = "--http", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "Base URL of the REST API, for writes and status reports (default: ${DEFAULT-VALUE}).")
    String http;

    @Option(names = "--local-addresses", paramLabel = "N", defaultValue = "8",
            description = "Spread connections over 127.0.0.2 … 127.0.0.(N+1) so one address never runs out of "
                    + "ephemeral ports; 0 lets the system choose (default: ${DEFAULT-VALUE}).")
    int localAddresses;

    @Option(names = "--procs", paramLabel = "N", defaultValue = "1",
            description = "Driver processes sharing the connections (each process may hold at most ~20,000 "
                    + "open files); used by connections and heartbeat (default: ${DEFAULT-VALUE}).")
    int procs;

    @Option(names = "--server-pid", paramLabel = "PID",
            description = "Process of the server under test, to read its memory (VmRSS) before and after.")
    Long serverPid;

    @Option(names = "--connect-concurrency", paramLabel = "N", defaultValue = "256",
            description = "Handshakes in flight at once per driver process (default: ${DEFAULT-VALUE}).")
    int connectConcurrency;

    @Option(names = "--child", hidden = true, paramLabel = "I/N",
            description = "Internal: this process is driver I of N, started by a parent driver.")
    String child;

    void validate() {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a private token is needed: --token or FELIX_BENCH_TOKEN");
        }
        URI.create(url);
        URI.create(http);
        if (procs < 1 || localAddresses < 0 || connectConcurrency < 1) {
            throw new IllegalArgumentException("--procs and --connect-concurrency must be at least 1, "
                    + "--local-addresses at least 0");
        }
    }

    /** The local addresses connections are bound to, in turn; empty means unbound. */
    List<String> bindAddresses() {
        List<String> out = new ArrayList<>();
        String host = URI.create(url).getHost();
        boolean loopback = host != null && (host.startsWith("127.") || host.equals("localhost"));
        if (!loopback) {
            return out;
        }
        for (int i = 0; i < localAddresses; i++) {
            out.add("127.0.0." + (i + 2));
        }
        return out;
    }

    int childIndex() {
        return child == null ? 0 : Integer.parseInt(child.substring(0, child.indexOf('/')));
    }

    int childCount() {
        return child == null ? 1 : Integer.parseInt(child.substring(child.indexOf('/') + 1));
    }

    /** This process's share of {@code total} clients. */
    int share(int total) {
        int n = childCount();
        int i = childIndex();
        return total / n + (i < total % n ? 1 : 0);
    }
}
