package dev.felix.server.cli;

import dev.felix.server.config.Setting;
import dev.felix.server.config.Settings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** {@code felix config}: the configuration {@code felix serve} would run with, secrets masked. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Print the effective configuration of 'felix serve' as felix.yml lines, each with where "
                + "its value came from (flag > FELIX_* environment > config file > default). Secrets are masked.",
                "Takes the same options as 'felix serve', e.g. felix config --config felix.yml --ws-port 9000."})
final class ConfigCommand implements Callable<Integer> {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._/-]+");

    @Spec
    CommandSpec spec;

    @Unmatched
    List<String> serveArgs = new ArrayList<>();

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        ConfigDefaults defaults = root.getDefaultValueProvider() instanceof ConfigDefaults d ? d
                : ConfigDefaults.environmentOnly();
        ServeCommand serve = new ServeCommand();
        // Its errors are config's: reported where config reports, with config's name in the usage.
        CommandLine serveLine = new CommandLine(serve).setCaseInsensitiveEnumValuesAllowed(true)
                .setCommandName(spec.qualifiedName())
                .setDefaultValueProvider(defaults)
                .setOut(spec.commandLine().getOut())
                .setErr(spec.commandLine().getErr());
        ParseResult parsed = serveLine.parseArgs(serveArgs.toArray(String[]::new));
        // Checks the values as serve would, so a bad file or variable shows here rather than at start.
        serve.config();

        PrintWriter out = spec.commandLine().getOut();
        out.println("# Effective configuration of 'felix serve'"
                + (defaults.file() == null ? " (no config file)" : " (config file " + defaults.file() + ")"));
        for (OptionSpec option : inSettingsOrder(serveLine.getCommandSpec().options())) {
            String key = ConfigDefaults.key(option);
            if (!ConfigDefaults.configurable(option) || option.longestName().equals(ConfigDefaults.CONFIG_OPTION)) {
                continue;
            }
            ConfigDefaults.Source source = parsed.hasMatchedOption(option) ? ConfigDefaults.Source.FLAG
                    : defaults.sourceOf(option);
            String from = "# " + source.name().toLowerCase(Locale.ROOT);
            Object value = option.getValue();
            if (value == null) {
                out.println("# " + key + ": (not set)");
            } else {
                out.printf("%-40s %s%n", key + ": " + yaml(masked(key, String.valueOf(value))), from);
            }
        }
        out.flush();
        return 0;
    }

    /** The settings in their declared order, then the options of the process itself (logging). */
    private static List<OptionSpec> inSettingsOrder(List<OptionSpec> options) {
        List<String> order = Settings.all().stream().map(Setting::flag).toList();
        return options.stream().sorted(Comparator.comparingInt(option -> {
            int index = order.indexOf(option.longestName());
            return index < 0 ? order.size() : index;
        })).toList();
    }

    /** The value as its setting shows it (secrets masked); an option that is not a setting as it is. */
    static String masked(String key, String value) {
        return Settings.all().stream().filter(s -> s.name().equals(key)).findFirst()
                .map(setting -> setting.masked(value)).orElse(value);
    }

    /** A YAML scalar: plain when it can be, else double-quoted. */
    private static String yaml(String value) {
        if (PLAIN.matcher(value).matches()) {
            return value;
        }
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
