package dev.felix.server.rest;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The REST port's HTTP/1.1 framing, where Vert.x's server leaves it to Netty's lenient defaults
 * (RFC 9112). Vert.x has no option for any of this, so {@link #install} puts two handlers into each
 * connection's Netty pipeline, reached through Vert.x's internal connection type:
 * <ul>
 *   <li>a request decoder that refuses a head whose body length is ambiguous (Content-Length with
 *   Transfer-Encoding, a coding other than chunked, Transfer-Encoding in HTTP/1.0), a missing or
 *   repeated Host, and a major version other than 1; and serves HTTP/1.2 and later minors as 1.1
 *   (RFC 9110 §2.5), which Vert.x answers with an empty 501. A refused head reaches Vert.x as
 *   invalid, so the server's invalid-request handler answers it in order and then closes the
 *   connection, and no bytes after it are ever taken for a request of their own;</li>
 *   <li>a guard that gives every response its {@code Date} (RFC 9110 §6.6.1) and answers a body
 *   whose chunked framing is broken with 400 before closing: Vert.x closes such a connection at
 *   once, without an answer.</li>
 * </ul>
 */
public final class HttpWire {
    private static final Pattern HOST = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9\\-._~!$&'()*+,;=%]*)(:[0-9]*)?");

    private HttpWire() {
    }

    /** A request refused for its framing: the status and message of its answer. */
    static final class Refused extends DecoderException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /** The Netty channel under a connection of the REST port, for what Vert.x has no API for. */
    public static Channel channel(HttpConnection connection) {
        return ((HttpServerConnection) connection).channelHandlerContext().channel();
    }

    /** Runs as Vert.x hands over a new connection, before it has read a byte of a request. */
    public static void install(HttpConnection connection, HttpServerOptions options) {
        ChannelPipeline pipeline = channel(connection).pipeline();
        pipeline.replace("httpDecoder", "httpDecoder", new Decoder(options));
        pipeline.addBefore("handler", "felixGuard", new Guard());
    }

    /** Why a request head cannot be served, or null when it can (after bringing its version to 1.1). */
    static Refused refusal(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1) {
            return new Refused(505, "HTTP/" + version.majorVersion() + "." + version.minorVersion()
                    + " is not supported; this server speaks HTTP/1.1");
        }
        if (version.minorVersion() > 1) {
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
        HttpHeaders headers = request.headers();
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return new Refused(400, "more than one Host header");
        }
        if (hosts.isEmpty() && version.minorVersion() >= 1) {
            return new Refused(400, "an HTTP/1.1 request needs a Host header");
        }
        if (!hosts.isEmpty() && !HOST.matcher(hosts.get(0)).matches()) {
            return new Refused(400, "Host is not a host[:port]");
        }
        if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return null;
        }
        if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return new Refused(400, "Content-Length and Transfer-Encoding together");
        }
        if (version.minorVersion() == 0) {
            return new Refused(400, "Transfer-Encoding in an HTTP/1.0 request");
        }
        List<String> codings = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
            for (String coding : value.split(",", -1)) {
                String trimmed = coding.trim().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty()) {
                    codings.add(trimmed);
                }
            }
        }
        for (String coding : codings) {
            if (!coding.equals("chunked")) {
                return new Refused(501, "Transfer-Encoding '" + coding + "' is not supported (only chunked)");
            }
        }
        return codings.size() == 1 ? null : new Refused(400, "Transfer-Encoding must be chunked, once");
    }

    /** Vert.x's decoder, with {@link #refusal} checked on every request head. */
    private static final class Decoder extends VertxHttpRequestDecoder {
        Decoder(HttpServerOptions options) {
            super(options);
        }

        /**
         * Netty calls this once per message, right after its headers, before it reads the framing
         * headers to decide how long the body is (and before it drops Content-Length beside
         * Transfer-Encoding): the one place where the head can still be seen as it came.
         */
        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (msg instanceof HttpRequest request && msg.decoderResult().isSuccess()) {
                Refused refused = refusal(request);
                if (refused != null) {
                    // Vert.x answers a request of another major version with an empty 501 before
                    // any handler sees it; as 1.1 it reaches the invalid-request handler instead.
                    request.setProtocolVersion(HttpVersion.HTTP_1_1);
                    request.setDecoderResult(DecoderResult.failure(refused));
                }
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }

    /**
     * Between the codec and Vert.x. Counts request heads in and final responses out, so that it can
     * tell whether the request whose body broke has been answered yet.
     */
    private static final class Guard extends ChannelDuplexHandler {
        private long requests;
        private long responsesStarted;
        private long responsesEnded;
        private boolean closing;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                requests++;
                // Vert.x answers a refused head and then closes, but only once the answer is
                // written: meanwhile it would serve whatever the decoder read after it.
                closing = request.decoderResult().isFailure();
            } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                closing = true;
                if (responsesStarted == requests - 1 && responsesEnded == responsesStarted) {
                    ctx.writeAndFlush(badChunks()).addListener(ChannelFutureListener.CLOSE);
                } else {
                    // Answered already (a refusal before the body): that answer still goes out.
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse response && response.status().code() >= 200) {
                responsesStarted++;
                response.headers().set(HttpHeaderNames.DATE, Clock.now());
            }
            if (msg instanceof LastHttpContent && responsesEnded < responsesStarted) {
                responsesEnded++;
            }
            ctx.write(msg, promise);
        }

        private static FullHttpResponse badChunks() {
            byte[] body = RestApi.error(400, "malformed chunked body").encode().getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, Replies.JSON)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, "close")
                    .set(HttpHeaderNames.DATE, Clock.now());
            return response;
        }
    }

    /** The IMF-fixdate of the current second, formatted once per second rather than per response. */
    private static final class Clock {
        private record Stamp(long second, String text) {
        }

        private static volatile Stamp last = new Stamp(-1, "");

        static String now() {
            long millis = System.currentTimeMillis();
            Stamp stamp = last;
            if (stamp.second() != millis / 1000) {
                stamp = new Stamp(millis / 1000, DateFormatter.format(new Date(millis)));
                last = stamp;
            }
            return stamp.text();
        }
    }
}
