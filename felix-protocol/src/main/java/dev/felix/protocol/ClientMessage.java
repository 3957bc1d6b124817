package dev.felix.protocol;

import java.util.List;

/** A message a client sends that the server acts on. */
public sealed interface ClientMessage {

    /** Code 20001. */
    record Heartbeat() implements ClientMessage {
    }

    /**
     * Code 20002: the complete new sets of listened IDs.
     *
     * @param users  user IDs, duplicates removed
     * @param guilds guild IDs, duplicates removed
     * @param since  with the resume extension, the last change sequence the client saw; null when absent
     */
    record ListenersUpdate(List<String> users, List<String> guilds, Long since) implements ClientMessage {
        public ListenersUpdate {
            users = List.copyOf(users);
            guilds = List.copyOf(guilds);
        }

        public List<String> ids(EntryKind kind) {
            return kind == EntryKind.GUILD ? guilds : users;
        }
    }
}
