package dev.felix.server.cli;

import dev.felix.server.config.ConfigFile;
import dev.felix.server.config.Setting;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Option defaults from the environment and the configuration file, so that a value comes from,
 * in this order: the command line, a {@code FELIX_*} environment variable, {@code felix.yml},
 * the built-in default (picocli applies the first and the last). The only place the command
 * line reads the environment.
 *
 * <p>An option {@code --ws-port} has the file key {@code ws-port} and the environment variable
 * {@code FELIX_WS_PORT}.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    static final String CONFIG_OPTION = "--config";
    static final String CONFIG_ENV = "FELIX_CONFIG";

    /** Where a value came from, as {@code felix config} shows it. */
    enum Source { FLAG, ENV, FILE, DEFAULT }

    private final Path file;
    private final Map<String, String> fileValues;
    private final Function<String, String> env;

    private ConfigDefaults(Path file, Map<String, String> fileValues, Function<String, String> env) {
        this.file = file;
        this.fileValues = Map.copyOf(fileValues);
        this.env = env;
    }

    /**
     * Reads the configuration file named by {@code --config} in {@code args} (or {@code FELIX_CONFIG})
     * and makes it, and {@code env}, the defaults of every command.
     *
     * <p>The file configures the gateway: its keys are the options of {@code serve}, which
     * {@code config} shows, and the token commands take the store options from it.
     *
     * @throws IllegalArgumentException when the file cannot be read, has an unknown or repeated key, or a
     *                                  value its option cannot take
     */
    static void install(CommandLine commandLine, String[] args, Function<String, String> env) {
        Path file = configFile(args, env);
        CommandSpec serve = new CommandLine(new ServeCommand()).getCommandSpec();
        Map<String, String> values = file == null ? Map.of() : ConfigFile.load(file, keys(serve));
        values.forEach((key, value) -> checkValue(file, key, serve.findOption(key), value));
        commandLine.setDefaultValueProvider(new ConfigDefaults(file, values, env));
    }

    /**
     * Converts a value from the file as the option's flag would be. Left to picocli, a wrong value
     * would be blamed on the flag, which the user never gave, and shown in the usage as its default.
     */
    private static void checkValue(Path file, String key, OptionSpec option, String value) {
        CommandSpec probe = CommandSpec.create().addOption(OptionSpec.builder(option.longestName())
                .type(option.type()).auxiliaryTypes(option.auxiliaryTypes()).build());
        try {
            new CommandLine(probe).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(option.longestName() + "=" + value);
        } catch (CommandLine.ParameterException e) {
            String reason = e.getCause() instanceof CommandLine.TypeConversionException conversion
                    ? conversion.getMessage() : e.getMessage();
            throw new IllegalArgumentException("key '" + key + "' in " + file + ": " + reason);
        }
    }

    /** Defaults from the process environment only, for command lines built without {@link #install}. */
    static ConfigDefaults environmentOnly() {
        return new ConfigDefaults(null, Map.of(), System::getenv);
    }

    /**
     * The file named on the command line or in the environment. Read before parsing, because picocli
     * asks for defaults before it reads the arguments.
     */
    private static Path configFile(String[] args, Function<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(CONFIG_OPTION) && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith(CONFIG_OPTION + "=")) {
                return Path.of(args[i].substring(CONFIG_OPTION.length() + 1));
            }
        }
        String fromEnv = env.apply(CONFIG_ENV);
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    /** Every key a file may use: the options of a command, but the file itself. */
    private static Set<String> keys(CommandSpec command) {
        Set<String> keys = new TreeSet<>();
        for (OptionSpec option : command.options()) {
            if (configurable(option)) {
                keys.add(key(option));
            }
        }
        keys.remove(key(CONFIG_OPTION));
        return keys;
    }

    static boolean configurable(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp();
    }

    static String key(OptionSpec option) {
        return key(option.longestName());
    }

    private static String key(String optionName) {
        return optionName.replaceFirst("^-+", "");
    }

    Path file() {
        return file;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !configurable(option)) {
            return null;
        }
        String key = key(option);
        String fromEnv = env.apply(Setting.envName(key));
        return fromEnv != null ? fromEnv : fileValues.get(key);
    }

    /** Where the value of an option not given on the command line comes from. */
    Source sourceOf(OptionSpec option) {
        String key = key(option);
        if (env.apply(Setting.envName(key)) != null) {
            return Source.ENV;
        }
        return fileValues.containsKey(key) ? Source.FILE : Source.DEFAULT;
    }
}
