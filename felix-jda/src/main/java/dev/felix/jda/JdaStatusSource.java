package dev.felix.jda;

import dev.felix.api.StatusSink;
import dev.felix.api.StatusSource;
import dev.felix.protocol.Shard;
import dev.felix.protocol.StatusReport;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.events.GatewayPingEvent;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.events.StatusChangeEvent;
import net.dv8tion.jda.api.events.guild.GuildAvailableEvent;
import net.dv8tion.jda.api.events.guild.GuildJoinEvent;
import net.dv8tion.jda.api.events.guild.GuildLeaveEvent;
import net.dv8tion.jda.api.events.guild.GuildReadyEvent;
import net.dv8tion.jda.api.events.guild.GuildUnavailableEvent;
import net.dv8tion.jda.api.events.guild.UnavailableGuildJoinedEvent;
import net.dv8tion.jda.api.events.guild.UnavailableGuildLeaveEvent;
import net.dv8tion.jda.api.events.session.GenericSessionEvent;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.sharding.ShardManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The shards of a JDA bot as a gateway {@link StatusSource}: one Eris-like shard per JDA shard, with
 * its {@code id}, {@code status} (see {@link #erisStatus(JDA.Status)}), {@code ping} (the gateway
 * ping, 0 until the first heartbeat), {@code ready} and {@code guildCount}; and the bot's
 * {@code guildsCount} from the guild cache.
 *
 * <p>A report goes out on every JDA event that changes these (status changes, session events, guilds
 * joined, left, ready, available or unavailable) and, for the ping, once a second. Event reports are
 * made on JDA's event thread; the periodic ones on this source's {@code felix-jda-status} thread.
 * The JDA listener needs JDA's default (interfaced) event manager; with another one, the
 * once-a-second report alone keeps the status current.
 */
public final class JdaStatusSource implements StatusSource {
    /** How often the ping (which JDA updates without an event we listen to) is reported. */
    static final Duration PERIOD = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(JdaStatusSource.class);

    private final Supplier<List<JDA>> shards;
    private final LongSupplier guildsCount;
    private final Consumer<Object> addListener;
    private final Consumer<Object> removeListener;
    private final EventListener listener = this::onEvent;
    private final Object reporting = new Object();
    private volatile StatusSink sink;
    private ScheduledExecutorService timer;

    private JdaStatusSource(Supplier<List<JDA>> shards, LongSupplier guildsCount, Consumer<Object> addListener,
                            Consumer<Object> removeListener) {
        this.shards = shards;
        this.guildsCount = guildsCount;
        this.addListener = addListener;
        this.removeListener = removeListener;
    }

    /** Every shard a shard manager runs, shards it starts later included. */
    public static JdaStatusSource of(ShardManager manager) {
        Objects.requireNonNull(manager, "manager");
        return new JdaStatusSource(() -> manager.getShardCache().asList(), () -> manager.getGuildCache().size(),
                manager::addEventListener, manager::removeEventListener);
    }

    /** A single JDA instance: one shard, numbered as its shard info says (0 when unsharded). */
    public static JdaStatusSource of(JDA jda) {
        Objects.requireNonNull(jda, "jda");
        return new JdaStatusSource(() -> List.of(jda), () -> jda.getGuildCache().size(),
                jda::addEventListener, jda::removeEventListener);
    }

    /**
     * The Eris word for a JDA status.
     *
     * <table>
     * <caption>JDA.Status to Eris shard status</caption>
     * <tr><th>JDA.Status</th><th>Eris</th><th>why</th></tr>
     * <tr><td>INITIALIZING, INITIALIZED, LOGGING_IN, CONNECTING_TO_WEBSOCKET</td><td>connecting</td>
     *     <td>on the way to an open gateway socket</td></tr>
     * <tr><td>IDENTIFYING_SESSION, AWAITING_LOGIN_CONFIRMATION, LOADING_SUBSYSTEMS</td><td>handshaking</td>
     *     <td>socket open, IDENTIFY/READY and cache set-up not done</td></tr>
     * <tr><td>CONNECTED</td><td>ready</td><td>READY received, events flow</td></tr>
     * <tr><td>ATTEMPTING_TO_RECONNECT</td><td>resuming</td>
     *     <td>JDA has no status of its own for a resume; this is the step where it sets out to
     *     resume its session</td></tr>
     * <tr><td>DISCONNECTED, RECONNECT_QUEUED, WAITING_TO_RECONNECT, SHUTTING_DOWN, SHUTDOWN,
     *     FAILED_TO_LOGIN</td><td>disconnected</td><td>no gateway socket</td></tr>
     * </table>
     */
    public static String erisStatus(JDA.Status status) {
        return switch (status) {
            case INITIALIZING, INITIALIZED, LOGGING_IN, CONNECTING_TO_WEBSOCKET -> Shard.CONNECTING;
            case IDENTIFYING_SESSION, AWAITING_LOGIN_CONFIRMATION, LOADING_SUBSYSTEMS -> Shard.HANDSHAKING;
            case CONNECTED -> Shard.READY;
            case ATTEMPTING_TO_RECONNECT -> Shard.RESUMING;
            case DISCONNECTED, RECONNECT_QUEUED, WAITING_TO_RECONNECT, SHUTTING_DOWN, SHUTDOWN, FAILED_TO_LOGIN ->
                    Shard.DISCONNECTED;
        };
    }

    /** What the shards look like now. */
    public StatusReport snapshot() {
        List<Shard> out = new ArrayList<>();
        for (JDA jda : shards.get()) {
            JDA.Status status = jda.getStatus();
            out.add(new Shard(jda.getShardInfo().getShardId(), erisStatus(status), Math.max(0, jda.getGatewayPing()),
                    status == JDA.Status.CONNECTED, null, null, (int) jda.getGuildCache().size()));
        }
        out.sort(Comparator.comparingInt(Shard::id));
        return new StatusReport(out, guildsCount.getAsLong(), null, null);
    }

    @Override
    public synchronized void start(StatusSink target) {
        if (timer != null) {
            throw new IllegalStateException("already started");
        }
        sink = Objects.requireNonNull(target, "target");
        addListener.accept(listener);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "felix-jda-status");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::reportSafely, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (timer == null) {
            return;
        }
        removeListener.accept(listener);
        synchronized (reporting) {
            sink = null;
        }
        timer.shutdownNow();
        timer = null;
    }

    private void onEvent(GenericEvent event) {
        if (event instanceof StatusChangeEvent || event instanceof GenericSessionEvent
                || event instanceof GuildJoinEvent || event instanceof GuildLeaveEvent
                || event instanceof GuildReadyEvent || event instanceof GuildAvailableEvent
                || event instanceof GuildUnavailableEvent || event instanceof UnavailableGuildJoinedEvent
                || event instanceof UnavailableGuildLeaveEvent || event instanceof GatewayPingEvent) {
            report();
        }
    }

    /** A periodic task that throws is never run again, so a failing snapshot is logged instead. */
    private void reportSafely() {
        try {
            report();
        } catch (RuntimeException e) {
            log.warn("cannot read the JDA shard status: {}", e.toString());
        }
    }

    private void report() {
        // Reports come from every shard's event thread and from the timer: taken and handed on under
        // one lock, an older snapshot cannot overwrite a newer one, and none follows close().
        synchronized (reporting) {
            StatusSink target = sink;
            if (target != null) {
                target.report(snapshot());
            }
        }
    }
}
