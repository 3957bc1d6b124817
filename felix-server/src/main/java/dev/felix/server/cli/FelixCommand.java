package dev.felix.server.cli;

import dev.felix.server.StartException;
import dev.felix.server.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.function.Function;

/** {@code felix}: the gateway's command line. */
@Command(name = "felix", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Felix Gateway: Felix's WebSocket and REST API.",
        footer = "%nWatch a gateway live: ${sys:" + FelixCommand.LAUNCHER_PROPERTY + ":-" + FelixCommand.SOURCE_LAUNCHER
                + "} tail --help",
        subcommands = {ServeCommand.class, TokenCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class})
public final class FelixCommand implements Runnable {
    /**
     * The command the user typed to start felix ({@code bin/felix} in a release, {@code ./felix} in a
     * source checkout), set by the launcher so that hints name a command that works where it runs.
     */
    static final String LAUNCHER_PROPERTY = "felix.command";
    /** The launcher of a source checkout, the hints' command when felix is started without one. */
    static final String SOURCE_LAUNCHER = "./felix";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The felix command's Logback configuration. A library must not bring one to the applications that
     * embed it, so it is not named {@code logback.xml}: only {@link #main} points Logback at it.
     */
    static final String LOGBACK_CONFIGURATION = "dev/felix/server/cli/logback.xml";

    public static void main(String[] args) {
        // Set before the first logger, when Logback reads its configuration; -Dlogback.configurationFile
        // given to the JVM (FELIX_JAVA_OPTS) still wins.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
        }
        System.exit(run(args, System::getenv));
    }

    /** Runs a command line with this environment, reading the configuration file it names. */
    static int run(String[] args, Function<String, String> env) {
        return run(commandLine(), args, env);
    }

    static int run(CommandLine commandLine, String[] args, Function<String, String> env) {
        try {
            ConfigDefaults.install(commandLine, args, env);
        } catch (IllegalArgumentException e) {
            commandLine.getErr().println("felix: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        return commandLine.execute(args);
    }

    /**
     * The command tree, for the launcher and for tests that run commands in-process: options default
     * to their environment variables, without a configuration file.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new FelixCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setDefaultValueProvider(ConfigDefaults.environmentOnly())
                // A store that cannot be opened (database down, wrong password) or a port that cannot be
                // bound (in use, TLS files unreadable) is an operator error: one line, no trace.
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof StoreException || e instanceof StartException) {
                        cmd.getErr().println("felix: " + e.getMessage());
                        return 1;
                    }
                    if (e instanceof ConfigValueException) {
                        cmd.getErr().println("felix: " + e.getMessage());
                        return CommandLine.ExitCode.USAGE;
                    }
                    throw e;
                });
    }

    /** How hints name the felix command, e.g. {@code bin/felix token create}. */
    static String launcher() {
        return System.getProperty(LAUNCHER_PROPERTY, SOURCE_LAUNCHER);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
