package dev.felix.server.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The frame rules on their own, on an embedded channel: what reaches the session, and what goes back. */
class FrameRulesTest {
    static final Peer PEER = new Peer(new InetSocketAddress("127.0.0.1", 1), "frame-test", 7);
    private static final long PING_MS = 1000;
    private static final int MAX_MESSAGE = 16;

    private final FrameRules rules = new FrameRules(PEER,
            new SessionSettings(Duration.ofMillis(PING_MS), MAX_MESSAGE, 10, 1 << 20, 100, 100),
            new Pings(Duration.ofMillis(PING_MS)));
    private final EmbeddedChannel ch = new EmbeddedChannel(rules);

    FrameRulesTest() {
        // Only the test moves the channel's clock, so a busy machine cannot run a timer early.
        ch.freezeTime();
    }

    private static ByteBuf utf8(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private CloseWebSocketFrame closeWritten() {
        Object out = ch.readOutbound();
        assertThat(out).isInstanceOf(CloseWebSocketFrame.class);
        return (CloseWebSocketFrame) out;
    }

    @Test
    void pingIsAnsweredWithPongCarryingItsPayloadAtTheEndOfTheRead() {
        ch.writeInbound(new PingWebSocketFrame(utf8("abc")));
        PongWebSocketFrame pong = ch.readOutbound();
        assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("abc");
        pong.release();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void fragmentsReachTheSessionAsOneTextAndBinaryMessagesNotAtAll() {
        ch.writeInbound(new TextWebSocketFrame(false, 0, utf8("{\"code\":")),
                new ContinuationWebSocketFrame(false, 0, utf8("2000")),
                new ContinuationWebSocketFrame(true, 0, utf8("1}")),
                new BinaryWebSocketFrame(utf8("binary")),
                new TextWebSocketFrame("whole"));
        assertThat((String) ch.readInbound()).isEqualTo("{\"code\":20001}");
        assertThat((String) ch.readInbound()).isEqualTo("whole");
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void invalidUtf8ClosesWith1007() {
        ch.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[]{(byte) 0xC3, (byte) 0x28})));
        CloseWebSocketFrame close = closeWritten();
        assertThat(close.statusCode()).isEqualTo(1007);
        assertThat(close.reasonText()).isEqualTo("invalid UTF-8");
        close.release();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void fragmentsOverTheSizeLimitCloseWith1009() {
        ch.writeInbound(new TextWebSocketFrame(false, 0, utf8("x".repeat(10))),
                new ContinuationWebSocketFrame(false, 0, utf8("x".repeat(10))));
        CloseWebSocketFrame close = closeWritten();
        assertThat(close.statusCode()).isEqualTo(1009);
        assertThat(close.reasonText()).isEqualTo("message larger than 16 bytes");
        close.release();
    }

    @Test
    void aPeerCloseIsEchoedAndEndsTheConnection() {
        ch.writeInbound(new CloseWebSocketFrame(4000, "bye"));
        CloseWebSocketFrame echo = closeWritten();
        assertThat(echo.statusCode()).isEqualTo(4000);
        assertThat(echo.reasonText()).isEqualTo("bye");
        echo.release();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void onlyTheFirstCloseLeavesAndNothingFollowsItUntilThePeerAnswers() {
        ch.writeAndFlush(new CloseWebSocketFrame(1008, "first"));
        ch.writeAndFlush(new CloseWebSocketFrame(1001, "second"));
        ch.writeAndFlush(new TextWebSocketFrame("late"));
        ch.writeInbound(new TextWebSocketFrame("{\"code\":20001}"), new PingWebSocketFrame());
        CloseWebSocketFrame close = closeWritten();
        assertThat(close.reasonText()).isEqualTo("first");
        close.release();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat((Object) ch.readInbound()).isNull();

        ch.writeInbound(new CloseWebSocketFrame(1008, "first"));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aPeerThatNeverAnswersTheCloseIsDroppedAfterTheClosingTimeout() {
        ch.writeAndFlush(new CloseWebSocketFrame(1001, "server shutting down"));
        closeWritten().release();
        ch.advanceTimeBy(WsServer.CLOSING_TIMEOUT_MS - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void pingsEveryIntervalAndDropsAPeerThatMissedThePong() {
        rules.start(ch.eventLoop());
        ch.advanceTimeBy(PING_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).isInstanceOf(PingWebSocketFrame.class);
        ch.writeInbound(new PongWebSocketFrame());

        ch.advanceTimeBy(PING_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).isInstanceOf(PingWebSocketFrame.class);
        assertThat(ch.isOpen()).isTrue();

        ch.advanceTimeBy(PING_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aFrameTheDecoderRefusesClosesWithItsCodeAndWhy() {
        ch.pipeline().fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                "Max frame length of 16 has been exceeded."));
        CloseWebSocketFrame close = closeWritten();
        assertThat(close.statusCode()).isEqualTo(1009);
        assertThat(close.reasonText()).isEqualTo("message larger than 16 bytes");
        close.release();
        assertThat(ch.isOpen()).isFalse();
    }
}
