package dev.felix.client;

import dev.felix.protocol.ServerMessage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps everything it is told, with the name of the thread that told it. */
final class Recorder implements FelixListener {
    record Call(String what, String thread) {
    }

    final List<ServerMessage.EntryUpdate> guilds = new CopyOnWriteArrayList<>();
    final List<ServerMessage.EntryUpdate> users = new CopyOnWriteArrayList<>();
    final List<ServerMessage.HeartbeatAck> statuses = new CopyOnWriteArrayList<>();
    final List<ConnectionState> states = new CopyOnWriteArrayList<>();
    final List<Throwable> causes = new CopyOnWriteArrayList<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public void onGuildUpdate(ServerMessage.EntryUpdate update) {
        record("guild " + update.id() + " #" + update.seq());
        guilds.add(update);
    }

    @Override
    public void onUserUpdate(ServerMessage.EntryUpdate update) {
        record("user " + update.id() + " #" + update.seq());
        users.add(update);
    }

    @Override
    public void onStatus(ServerMessage.HeartbeatAck status) {
        record("status");
        statuses.add(status);
    }

    @Override
    public void onStateChange(ConnectionState state, Throwable cause) {
        record("state " + state);
        states.add(state);
        if (cause != null) {
            causes.add(cause);
        }
    }

    private void record(String what) {
        calls.add(new Call(what, Thread.currentThread().getName()));
    }
}
