package dev.felix.server.cli;

import dev.felix.server.Gateway;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.store.Tokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code felix serve}: runs the gateway until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.All.class,
        description = "Run the gateway: Felix's WebSocket and the REST API.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigFileOption configFile;

    @Mixin
    LogOptions logs;

    /** The configuration the options hold; a value out of range is a usage error naming its option. */
    GatewayConfig config() {
        return SettingOptions.config(spec);
    }

    @Override
    public Integer call() throws InterruptedException {
        logs.apply();
        CountDownLatch stop = new CountDownLatch(1);
        // A handled signal, rather than a shutdown hook, lets a SIGTERM end in exit code 0.
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Gateway gateway = Gateway.start(config());
        mintFirstToken(gateway);
        stop.await();
        log.info("shutting down");
        gateway.close();
        return 0;
    }

    /** A fresh install has no private token: mint one so the socket can be used at all. */
    private static void mintFirstToken(Gateway gateway) {
        Optional<Tokens.Minted> first = Tokens.mintFirstPrivate(gateway.store(), "admin", "first start");
        if (first.isEmpty()) {
            return;
        }
        Tokens.Minted minted = first.get();
        gateway.tokens().reload();
        String rule = "=".repeat(72);
        System.out.println(rule);
        System.out.println("No private token existed, so one was minted (id " + minted.record().id() + ", owner admin).");
        System.out.println("It is shown only this once. Use it in the Authorization header of the WebSocket:");
        System.out.println();
        System.out.println("    " + minted.token());
        System.out.println();
        System.out.println("Mint more with: " + FelixCommand.launcher() + " token create --private --owner ID");
        System.out.println(rule);
        System.out.flush();
    }
}
