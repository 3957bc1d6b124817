package dev.felix.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import dev.felix.server.testing.RawWebSocket;
import dev.felix.server.testing.RunningGateway;
import dev.felix.server.testing.TestGateway;
import dev.felix.server.testing.TestLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST port's HTTP layer, byte by byte: request targets, framing, Host, versions, required headers. */
@RunningGateway
class HttpWireTest {
    private static final String ENTRY = "/api/guilds/1";
    private static final String BODY = "{\"a\":1}";
    /** A second request behind the first: if it is ever answered, the connection was desynchronised. */
    private static final String SMUGGLED = "GET /api HTTP/1.1\r\nHost: x\r\n\r\n";

    private static TestGateway gw;

    /** One response read off a raw connection, and whether the server ended the connection right after it. */
    private record Answer(String head, int status, String body, boolean closedAfter) {
        String header(String name) {
            Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\r?$").matcher(head);
            return m.find() ? m.group(1) : null;
        }

        JsonNode json() throws IOException {
            return Wire.mapper().readTree(body);
        }
    }

    /** Sends raw bytes on a new connection and reads one answer; {@code thenClosed} also waits for the end. */
    private static Answer exchange(String request, boolean thenClosed) throws IOException {
        try (RawWebSocket connection = RawWebSocket.open(gw.gateway.httpPort(), 0)) {
            connection.write(request.getBytes(StandardCharsets.ISO_8859_1));
            Answer answer = read(connection);
            if (!thenClosed) {
                return answer;
            }
            // A read that returns data means the server answered bytes it should have dropped.
            int next = connection.input().read();
            return new Answer(answer.head(), answer.status(), answer.body(), next < 0);
        }
    }

    private static Answer read(RawWebSocket connection) throws IOException {
        String head = RawWebSocket.readHead(connection.input());
        Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
        assertThat(length.find()).as("Content-Length in %s", head).isTrue();
        byte[] body = connection.input().readNBytes(Integer.parseInt(length.group(1)));
        int status = Integer.parseInt(head.split(" ", 3)[1]);
        return new Answer(head, status, new String(body, StandardCharsets.UTF_8), false);
    }

    private static void assertJsonError(Answer answer, int status) throws IOException {
        assertThat(answer.status()).as(answer.head() + answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.json().path("status").asInt()).isEqualTo(status);
        assertThat(answer.json().path("message").asText()).isNotBlank();
    }

    private static String write(String framing, String body) {
        return "PUT " + ENTRY + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + gw.privateToken + "\r\n"
                + "Content-Type: application/json\r\n" + framing + "\r\n" + body;
    }

    private static String chunked(String body) {
        return Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/guilds?ids=%zz", "/api/guilds?limit=%zz", "/api/guilds?after=%", "/api/guilds?%",
            "/api/guilds?ids=%4", "/api/guilds/%zz", "/api/%zz", "/%zz", "/api/guilds?x=%zz"})
    void malformedPercentEscapesAreAJson400WithoutAStackTrace(String target) throws IOException {
        TestLog log = TestLog.mark();
        Answer answer = exchange("GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + gw.privateToken + "\r\n\r\n", false);
        assertJsonError(answer, 400);
        assertThat(answer.json().path("message").asText()).contains("percent-escape");
        assertThat(log.since()).doesNotContain("Exception").doesNotContain("ERROR");
    }

    @Test
    void wellFormedEscapesStillWork() {
        assertThat(gw.http("PUT", "/api/guilds/77", gw.privateToken, "{}").statusCode()).isEqualTo(200);
        HttpResponse<String> response = gw.http("GET", "/api/guilds?ids=%37%37%2C78", gw.privateToken, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[{\"id\":\"77\"}]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Content-Length with Transfer-Encoding | Content-Length: 7\\r\\nTransfer-Encoding: chunked\\r\\n | 400",
            "chunked then identity | Transfer-Encoding: chunked, identity\\r\\n | 501",
            "chunked twice | Transfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n | 400",
            "gzip then chunked | Transfer-Encoding: gzip, chunked\\r\\n | 501",
    })
    void ambiguousChunkedFramingIsAnsweredThenClosed(String name, String framing, int status) throws IOException {
        String id = "/api/guilds/" + (1000 + status + framing.length());
        Answer answer = exchange(write(framing.replace("\\r\\n", "\r\n"), chunked(BODY)).replace(ENTRY, id)
                + SMUGGLED, true);
        assertJsonError(answer, status);
        assertThat(answer.header("Connection")).isEqualTo("close");
        assertThat(answer.closedAfter()).as("connection closed, the request behind never answered").isTrue();
        assertThat(gw.http("GET", id, gw.privateToken, null).statusCode()).as("nothing stored").isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no token | | application/json | 401",
            "unknown token | fxp_unknown | application/json | 403",
            "not JSON | PRIVATE | text/plain | 415",
    })
    void aWriteRefusedBeforeItsBodyIsAnsweredThenClosed(String name, String token, String type, int status)
            throws IOException {
        String authorization = token == null ? "" : "Authorization: Bearer "
                + (token.equals("PRIVATE") ? gw.privateToken : token) + "\r\n";
        Answer answer = exchange("PUT " + ENTRY + " HTTP/1.1\r\nHost: x\r\n" + authorization + "Content-Type: "
                + type + "\r\nContent-Length: " + BODY.length() + "\r\n\r\n" + BODY + SMUGGLED, true);
        assertJsonError(answer, status);
        assertThat(answer.header("Connection")).isEqualTo("close");
        assertThat(answer.closedAfter()).as("closed after the answer, not left waiting on an unread body").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"xchunked", "identity"})
    void anUnknownCodingIsNotAnEmptyBody(String coding) throws IOException {
        Answer answer = exchange(write("Transfer-Encoding: " + coding + "\r\n", SMUGGLED), true);
        assertJsonError(answer, 501);
        assertThat(answer.closedAfter()).isTrue();
    }

    @Test
    void transferEncodingInHttp10IsRefused() throws IOException {
        Answer answer = exchange(write("Transfer-Encoding: chunked\r\n", chunked(BODY)).replace("HTTP/1.1", "HTTP/1.0"),
                true);
        assertJsonError(answer, 400);
        assertThat(answer.closedAfter()).isTrue();
    }

    @Test
    void aBrokenChunkSizeIsAnswered400ThenClosed() throws IOException {
        Answer answer = exchange(write("Transfer-Encoding: chunked\r\n", "zz\r\n" + BODY + "\r\n0\r\n\r\n"), true);
        assertJsonError(answer, 400);
        assertThat(answer.json().path("message").asText()).contains("chunked");
        assertThat(answer.closedAfter()).isTrue();
    }

    @Test
    void aRefusalBeforeTheBodyStillArrivesWhenTheBodyIsBroken() throws IOException {
        Answer answer = exchange("PUT " + ENTRY + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", true);
        assertJsonError(answer, 401);
        assertThat(answer.closedAfter()).isTrue();
    }

    @Test
    void wellFramedChunkedWritesAndPipelinedRequestsStillWork() throws IOException {
        try (RawWebSocket connection = RawWebSocket.open(gw.gateway.httpPort(), 0)) {
            connection.write((write("Transfer-Encoding: chunked\r\n", chunked(BODY)) + SMUGGLED)
                    .getBytes(StandardCharsets.US_ASCII));
            Answer stored = read(connection);
            assertThat(stored.status()).as(stored.body()).isEqualTo(200);
            assertThat(stored.json().path("a").asInt()).isEqualTo(1);
            assertThat(read(connection).status()).isEqualTo(200);
        }
    }

    @Test
    void http11NeedsExactlyOneHost() throws IOException {
        Answer none = exchange("GET /api HTTP/1.1\r\n\r\n", true);
        assertJsonError(none, 400);
        assertThat(none.closedAfter()).isTrue();
        Answer two = exchange("GET /api HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", true);
        assertJsonError(two, 400);
        assertThat(two.closedAfter()).isTrue();
        Answer bad = exchange("GET /api HTTP/1.1\r\nHost: a b\r\n\r\n", true);
        assertJsonError(bad, 400);
        assertThat(exchange("GET /api HTTP/1.0\r\n\r\n", false).status()).as("HTTP/1.0 needs none").isEqualTo(200);
    }

    @Test
    void aLaterMinorVersionIsServedAsHttp11() throws IOException {
        try (RawWebSocket connection = RawWebSocket.open(gw.gateway.httpPort(), 0)) {
            connection.write("GET /api HTTP/1.2\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Answer first = read(connection);
            assertThat(first.head()).startsWith("HTTP/1.1 200 ");
            connection.write("GET /api HTTP/1.9\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(read(connection).head()).as("kept alive as 1.1").startsWith("HTTP/1.1 200 ");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET /api HTTP/2.0\r\nHost: x\r\n\r\n",
            "GET /api HTTP/3.1\r\nHost: x\r\n\r\n"})
    void anotherMajorVersionIs505(String request) throws IOException {
        Answer answer = exchange(request, true);
        assertThat(answer.head()).startsWith("HTTP/1.1 505 ");
        assertJsonError(answer, 505);
        assertThat(answer.closedAfter()).isTrue();
    }

    @Test
    void everyResponseCarriesDate() throws IOException {
        for (String path : new String[] {"/api", "/api/guilds/1", "/nowhere", "/healthz"}) {
            HttpResponse<String> response = gw.http("GET", path, gw.privateToken, null);
            String date = response.headers().firstValue("Date").orElseThrow(() -> new AssertionError(path));
            // IMF-fixdate (RFC 9110 §5.6.7): parses as RFC 1123 with a two-digit day.
            assertThat(date).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
            ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT));
        }
        assertThat(exchange("GET /api HTTP/1.1\r\n\r\n", false).header("Date")).as("on a refusal too").isNotNull();
    }

    @Test
    void a401NamesTheBearerScheme() throws IOException {
        HttpResponse<String> none = gw.http("GET", "/api/guilds/1", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        Answer basic = exchange("GET /api/guilds/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YTpi\r\n\r\n", false);
        assertJsonError(basic, 401);
        assertThat(basic.header("WWW-Authenticate")).isEqualTo("Bearer");
        HttpResponse<String> forbidden = gw.http("GET", "/api/guilds/1", "fxp_unknown", null);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.headers().firstValue("WWW-Authenticate")).isEmpty();
    }
}
