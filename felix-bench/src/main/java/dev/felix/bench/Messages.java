package dev.felix.bench;

import dev.felix.protocol.OpCode;
import dev.felix.protocol.ServerMessage;
import dev.felix.protocol.Wire;

/**
 * Cheap reading of server messages on the load generator's side, so the generator spends its
 * CPU on load rather than on parsing every delivery into a tree.
 */
final class Messages {
    /** The field the bench puts in every entry it writes: the writer's {@link System#nanoTime()}. */
    static final String SENT_AT = "benchSentAt";
    private static final String CODE_PREFIX = "{\"code\":";
    private static final String SENT_AT_KEY = "\"" + SENT_AT + "\":";

    private Messages() {
    }

    /**
     * The code of a server message. Both servers put {@code code} first; any other layout falls
     * back to a full decode.
     */
    static OpCode codeOf(String text) {
        if (text.startsWith(CODE_PREFIX)) {
            int end = CODE_PREFIX.length();
            int value = 0;
            while (end < text.length() && Character.isDigit(text.charAt(end))) {
                value = value * 10 + (text.charAt(end) - '0');
                end++;
            }
            if (end > CODE_PREFIX.length()) {
                return OpCode.of(value);
            }
        }
        ServerMessage message = Wire.decodeServer(text);
        return message == null ? null : message.code();
    }

    /** The writer's send time carried by an update, or -1 when it carries none. */
    static long sentAt(String text) {
        int at = text.indexOf(SENT_AT_KEY);
        if (at < 0) {
            return -1;
        }
        int i = at + SENT_AT_KEY.length();
        boolean negative = i < text.length() && text.charAt(i) == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        int start = i;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        if (i == start) {
            return -1;
        }
        return negative ? -value : value;
    }

    /** An entry body carrying a send time, padded to roughly {@code bytes} bytes like a real guild entry. */
    static String entryBody(long sentAt, long n, String padding) {
        return "{\"" + SENT_AT + "\":" + sentAt + ",\"n\":" + n + ",\"prefix\":\"!\",\"settings\":\"" + padding + "\"}";
    }
}
