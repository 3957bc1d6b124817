package dev.felix.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples of RFC 7396 Appendix A, one by one. */
class MergePatchTest {

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', value = {
            "{\"a\":\"b\"}            | {\"a\":\"c\"}            | {\"a\":\"c\"}",
            "{\"a\":\"b\"}            | {\"b\":\"c\"}            | {\"a\":\"b\",\"b\":\"c\"}",
            "{\"a\":\"b\"}            | {\"a\":null}             | {}",
            "{\"a\":\"b\",\"b\":\"c\"} | {\"a\":null}             | {\"b\":\"c\"}",
            "{\"a\":[\"b\"]}          | {\"a\":\"c\"}            | {\"a\":\"c\"}",
            "{\"a\":\"c\"}            | {\"a\":[\"b\"]}          | {\"a\":[\"b\"]}",
            "{\"a\":{\"b\":\"c\"}}    | {\"a\":{\"b\":\"d\",\"c\":null}} | {\"a\":{\"b\":\"d\"}}",
            "{\"a\":[{\"b\":\"c\"}]}  | {\"a\":[1]}              | {\"a\":[1]}",
            "[\"a\",\"b\"]            | [\"c\",\"d\"]            | [\"c\",\"d\"]",
            "{\"a\":\"b\"}            | [\"c\"]                  | [\"c\"]",
            "{\"a\":\"foo\"}          | null                     | null",
            "{\"a\":\"foo\"}          | \"bar\"                  | \"bar\"",
            "{\"e\":null}             | {\"a\":1}                | {\"e\":null,\"a\":1}",
            "[1,2]                    | {\"a\":\"b\",\"c\":null} | {\"a\":\"b\"}",
            "{}                       | {\"a\":{\"bb\":{\"ccc\":null}}} | {\"a\":{\"bb\":{}}}",
    })
    void rfc7396AppendixA(String target, String patch, String expected) throws JsonProcessingException {
        JsonNode targetNode = json(target);
        JsonNode before = targetNode.deepCopy();
        assertThat(MergePatch.apply(targetNode, json(patch))).isEqualTo(json(expected));
        assertThat(targetNode).as("target left unchanged").isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"a\":1,\"b\":null} | {\"a\":1}"})
    void appliesToNoDocumentAsToAnEmptyObject(String patch, String expected) throws JsonProcessingException {
        assertThat(MergePatch.apply(null, json(patch))).isEqualTo(json(expected));
    }

    private static JsonNode json(String text) throws JsonProcessingException {
        return Wire.mapper().readTree(text);
    }
}
