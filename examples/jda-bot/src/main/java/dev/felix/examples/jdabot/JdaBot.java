package dev.felix.examples.jdabot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.api.FelixGateway;
import dev.felix.jda.JdaStatusSource;
import dev.felix.protocol.Wire;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.events.guild.GuildJoinEvent;
import net.dv8tion.jda.api.events.guild.GuildLeaveEvent;
import net.dv8tion.jda.api.events.guild.GuildReadyEvent;
import net.dv8tion.jda.api.events.guild.update.GuildUpdateNameEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;

import java.nio.file.Path;

/**
 * A small JDA bot with an embedded Felix gateway: its shards show in every heartbeat ACK, and it
 * keeps one guild entry per guild it is in (name and member count), which dashboards listening to the
 * guild receive live.
 *
 * <p>Run with {@code DISCORD_TOKEN} set to a bot token; {@code FELIX_DATA} (default {@code ./data})
 * names the gateway's data directory. Mint a WebSocket token beside it with
 * {@code ./felix token create --private --owner ID --data DIR}.
 */
public final class JdaBot extends ListenerAdapter {
    private final FelixGateway felix;

    private JdaBot(FelixGateway felix) {
        this.felix = felix;
    }

    public static void main(String[] args) {
        String token = System.getenv("DISCORD_TOKEN");
        if (token == null || token.isBlank()) {
            System.err.println("Set DISCORD_TOKEN to your bot's token (Discord developer portal, Bot tab).");
            System.exit(2);
        }
        ShardManager shards = DefaultShardManagerBuilder.createDefault(token).build();
        FelixGateway felix = FelixGateway.builder()
                .dataDir(Path.of(System.getenv().getOrDefault("FELIX_DATA", "data")))
                .statusSource("bot", JdaStatusSource.of(shards))
                .start();
        shards.addEventListener(new JdaBot(felix));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            felix.close();
            shards.shutdown();
        }, "jda-bot-shutdown"));
    }

    @Override
    public void onGuildReady(GuildReadyEvent event) {
        save(event.getGuild());
    }

    @Override
    public void onGuildJoin(GuildJoinEvent event) {
        save(event.getGuild());
    }

    @Override
    public void onGuildUpdateName(GuildUpdateNameEvent event) {
        save(event.getGuild());
    }

    @Override
    public void onGuildLeave(GuildLeaveEvent event) {
        felix.guilds().delete(event.getGuild().getId());
    }

    private void save(Guild guild) {
        ObjectNode entry = Wire.mapper().createObjectNode()
                .put("name", guild.getName())
                .put("memberCount", guild.getMemberCount());
        felix.guilds().put(guild.getId(), entry.toString());
    }
}
