package dev.felix.server.ws;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The frame budget on an embedded channel, whose clock the test moves. */
class FrameBudgetTest {
    private static final int PER_SECOND = 10;
    private static final int BURST = 3;

    private final WsStats stats = new WsStats(List.of());
    private final EmbeddedChannel ch = new EmbeddedChannel();

    FrameBudgetTest() {
        ch.freezeTime();
        ch.pipeline().addLast(new FrameBudget(FrameRulesTest.PEER,
                new SessionSettings(Duration.ofSeconds(30), 1024, 10, 1 << 20, PER_SECOND, BURST), stats));
    }

    private List<Object> passed() {
        List<Object> out = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            out.add(m);
            ReferenceCountUtil.release(m);
        }
        return out;
    }

    @Test
    void aBurstPassesAndTheFrameAfterItClosesWith1008AndStillPassesOn() {
        ch.writeInbound(new TextWebSocketFrame("1"), new PingWebSocketFrame(), new PongWebSocketFrame());
        assertThat((Object) ch.readOutbound()).isNull();
        ch.writeInbound(new TextWebSocketFrame("4"));
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1008);
        assertThat(close.reasonText()).isEqualTo("rate limit exceeded");
        close.release();
        assertThat(passed()).hasSize(4);
        assertThat(stats.rateLimited()).isEqualTo(1);

        ch.writeInbound(new TextWebSocketFrame("5"));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(stats.rateLimited()).isEqualTo(1);
    }

    @Test
    void theBucketRefillsAtTheConfiguredRate() {
        ch.writeInbound(new TextWebSocketFrame("1"), new TextWebSocketFrame("2"), new TextWebSocketFrame("3"));
        ch.advanceTimeBy(1000 / PER_SECOND, TimeUnit.MILLISECONDS);
        ch.writeInbound(new TextWebSocketFrame("4"));
        assertThat((Object) ch.readOutbound()).isNull();
        ch.writeInbound(new TextWebSocketFrame("5"));
        assertThat((Object) ch.readOutbound()).isInstanceOf(CloseWebSocketFrame.class);
        passed();
    }

    @Test
    void closeFramesAndWhateverFollowsAClosingFrameCostNothing() {
        ch.writeAndFlush(new CloseWebSocketFrame(1001, "server shutting down"));
        ReferenceCountUtil.release(ch.readOutbound());
        List<WebSocketFrame> many = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            many.add(new PongWebSocketFrame());
        }
        ch.writeInbound(many.toArray());
        ch.writeInbound(new CloseWebSocketFrame(1001, ""));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(passed()).hasSize(11);
        assertThat(stats.rateLimited()).isZero();
    }
}
