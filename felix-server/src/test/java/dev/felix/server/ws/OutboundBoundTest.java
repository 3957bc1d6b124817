package dev.felix.server.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The slow-consumer bound on an embedded channel: what is written and not flushed stays pending in
 * the channel, as bytes the operating system has not taken stay pending on a socket.
 */
class OutboundBoundTest {
    private static final int BOUND = 4096;

    private final WsStats stats = new WsStats(List.of());
    private final EmbeddedChannel ch = new EmbeddedChannel();

    OutboundBoundTest() {
        ch.freezeTime();
        ch.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OutboundBound.waterMark(BOUND));
        ch.pipeline().addLast(new OutboundBound(FrameRulesTest.PEER, stats));
    }

    private static TextWebSocketFrame message(int bytes) {
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[bytes]));
    }

    private void drain() {
        for (Object m; (m = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(m);
        }
    }

    @Test
    void messagesQueueUpToTheBoundAndTheOneOverItClosesTheSlowConsumer() {
        ch.write(message(1000));
        ch.write(message(1000));
        long queued = OutboundBound.queuedBytes(ch);
        assertThat(queued).isGreaterThanOrEqualTo(2000).isLessThan(BOUND);
        TextWebSocketFrame over = message((int) (BOUND - queued) + 1);
        ch.write(over);
        assertThat(over.refCnt()).isZero();
        assertThat(stats.slowConsumers()).isEqualTo(1);

        ch.flush();
        assertThat((Object) ch.readOutbound()).isInstanceOf(TextWebSocketFrame.class);
        assertThat((Object) ch.readOutbound()).isInstanceOf(TextWebSocketFrame.class);
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1008);
        assertThat(close.reasonText()).isEqualTo("slow consumer");
        close.release();
        drain();

        ch.advanceTimeBy(OutboundBound.SLOW_CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void sentBytesMakeRoomAgain() {
        ch.write(message(3000));
        ch.flush();
        drain();
        assertThat(OutboundBound.queuedBytes(ch)).isZero();
        ch.writeAndFlush(message(3000));
        drain();
        assertThat(stats.slowConsumers()).isZero();
    }

    @Test
    void pongsAreBoundedAndPingsAndClosesAreNot() {
        ch.write(message(BOUND - 200));
        ch.write(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[125])));
        ch.write(new CloseWebSocketFrame(1000, "x".repeat(100)));
        assertThat(stats.slowConsumers()).isZero();
        ch.write(new PongWebSocketFrame(Unpooled.wrappedBuffer(new byte[125])));
        assertThat(stats.slowConsumers()).isEqualTo(1);
        ch.flush();
        drain();
    }
}
