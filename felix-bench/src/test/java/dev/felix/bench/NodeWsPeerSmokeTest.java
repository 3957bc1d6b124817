package dev.felix.bench;

import java.nio.file.Path;

/** The Node ws baseline. */
class NodeWsPeerSmokeTest extends PeerSmokeTest {
    NodeWsPeerSmokeTest() {
        super("node-ws");
    }

    @Override
    String installed() {
        return "node_modules/ws";
    }

    @Override
    ProcessBuilder command(Path dir) {
        return new ProcessBuilder("node", "server.js");
    }
}
