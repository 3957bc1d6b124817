package dev.felix.server.store.postgres;

/** PostgreSQL prints jsonb with a space after every {@code :} and {@code ,}; entries travel compact. */
final class Json {
    private Json() {
    }

    /** Drops whitespace outside strings; the text must be valid JSON (as jsonb output is). Null stays null. */
    static String compact(String json) {
        if (json == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(json.length());
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
                out.append(c);
            }
        }
        return out.toString();
    }
}
