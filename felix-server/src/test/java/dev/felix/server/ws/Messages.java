package dev.felix.server.ws;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks shared by the socket tests: the envelope every server message has. */
final class Messages {
    private Messages() {
    }

    /** {@code {code, name, data}} (updates also carry {@code seq}), with the original name for the code. */
    static JsonNode assertEnvelope(JsonNode message, int code, String name) {
        List<String> fields = new ArrayList<>();
        message.fieldNames().forEachRemaining(fields::add);
        if (code == 10001) {
            assertThat(fields).containsExactly("code", "name", "data");
        } else {
            assertThat(fields).containsExactly("code", "name", "data", "seq");
            assertThat(message.get("seq").isIntegralNumber()).isTrue();
        }
        assertThat(message.get("code").isInt()).isTrue();
        assertThat(message.get("code").intValue()).isEqualTo(code);
        assertThat(message.get("name").textValue()).isEqualTo(name);
        assertThat(message.get("data").isObject()).isTrue();
        return message.get("data");
    }

    static String listen(List<String> users, List<String> guilds) {
        return "{\"code\":20002,\"data\":{\"users\":" + array(users) + ",\"guilds\":" + array(guilds) + "}}";
    }

    static String array(List<String> ids) {
        return ids.stream().map(id -> "\"" + id + "\"").reduce((a, b) -> a + "," + b)
                .map(s -> "[" + s + "]").orElse("[]");
    }
}
