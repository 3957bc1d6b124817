package dev.felix.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Bun/uWebSockets peer, on a bun:sqlite file of its own. */
class BunUwsPeerSmokeTest extends PeerSmokeTest {
    BunUwsPeerSmokeTest() {
        super("bun-uws");
    }

    @Override
    String installed() {
        return "node_modules/.bin/bun";
    }

    @Override
    ProcessBuilder command(Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(dir.resolve(installed()).toString(), "server.js");
        pb.environment().put("DATA", Files.createTempDirectory("bun-uws").toString());
        return pb;
    }
}
