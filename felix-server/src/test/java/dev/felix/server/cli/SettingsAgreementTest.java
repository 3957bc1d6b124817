package dev.felix.server.cli;

import dev.felix.server.api.EmbeddedGatewayProvider;
import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.Setting;
import dev.felix.server.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every setting means the same from its flag, its environment variable, its file key, the
 * configuration builder and the embedding builder's options.
 */
class SettingsAgreementTest {
    @TempDir
    Path dir;

    /** A value for every setting that is in its range and differs from its default. */
    private static Map<Setting<?>, Object> changedValues() {
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        for (Setting<?> setting : Settings.all()) {
            Object def = setting.defaultValue();
            Object value;
            if (def instanceof Integer n) {
                value = n + 1;
            } else if (def instanceof Duration d) {
                value = d.multipliedBy(2);
            } else if (setting.flagType() == Path.class) {
                value = Path.of("custom", setting.name());
            } else if (setting == Settings.CORS_ORIGINS) {
                value = List.of("https://custom.example", "http://localhost:3000");
            } else if (setting == Settings.DB_URL) {
                value = "jdbc:postgresql://custom.example/felix";
            } else {
                value = "custom-" + setting.name();
            }
            values.put(setting, value);
        }
        return values;
    }

    /** The value as a user writes it on the command line, in a variable or in the file. */
    @SuppressWarnings("unchecked")
    private static <T> String text(Setting<T> setting, Object value) {
        return String.valueOf(setting.toFlag((T) value));
    }

    @SuppressWarnings("unchecked")
    private static <T> void set(GatewayConfig.Builder builder, Setting<T> setting, Object value) {
        builder.set(setting, (T) value);
    }

    /** What {@code felix serve} would run with, given these arguments and this environment. */
    private static GatewayConfig serve(Map<String, String> env, String... serveArgs) {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(serveArgs));
        CommandLine commandLine = FelixCommand.commandLine();
        String[] argv = args.toArray(String[]::new);
        ConfigDefaults.install(commandLine, argv, env::get);
        CommandLine.ParseResult parsed = commandLine.parseArgs(argv);
        ServeCommand serve = parsed.subcommand().commandSpec().commandLine().getCommand();
        return serve.config();
    }

    @Test
    void flagVariableFileAndBuilderGiveTheSameConfiguration() throws IOException {
        Map<Setting<?>, Object> values = changedValues();
        GatewayConfig.Builder builder = GatewayConfig.builder();
        values.forEach((setting, value) -> set(builder, setting, value));
        GatewayConfig built = builder.build();
        for (Setting<?> setting : Settings.all()) {
            assertThat(built.get(setting)).as(setting.name()).isNotEqualTo(setting.defaultValue());
        }

        List<String> flags = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        Map<String, String> env = new HashMap<>();
        StringBuilder yaml = new StringBuilder();
        values.forEach((setting, value) -> {
            flags.add(setting.flag() + "=" + text(setting, value));
            env.put(setting.envName(), text(setting, value));
            options.put(setting.name(), text(setting, value));
            yaml.append(setting.name()).append(": \"").append(text(setting, value)).append("\"\n");
        });
        Path file = Files.writeString(dir.resolve("felix.yml"), yaml);

        assertThat(serve(Map.of(), flags.toArray(String[]::new))).as("flags").isEqualTo(built);
        assertThat(serve(env)).as("environment").isEqualTo(built);
        assertThat(serve(Map.of(), "--config", file.toString())).as("file").isEqualTo(built);
        assertThat(EmbeddedGatewayProvider.config(options)).as("embedding options").isEqualTo(built);
    }

    @Test
    void withNothingSetServeRunsOnTheBuildersDefaultsAndConfigShowsThem() {
        assertThat(serve(Map.of())).isEqualTo(GatewayConfig.defaults());

        StringWriter out = new StringWriter();
        CommandLine commandLine = FelixCommand.commandLine().setOut(new PrintWriter(out, true));
        assertThat(FelixCommand.run(commandLine, new String[]{"config"}, name -> null)).isZero();
        for (Setting<?> setting : Settings.all()) {
            Object def = setting.defaultValue();
            String line = def == null ? "# " + setting.name() + ": (not set)"
                    : setting.name() + ": " + text(setting, def);
            assertThat(out.toString()).as(setting.name()).containsPattern("(?m)^" + Pattern.quote(line)
                    + (def == null ? "$" : " +# default$"));
        }
    }

    @Test
    void everyOptionHelpNamesItsVariableAndDefault() {
        String help = FelixCommand.commandLine().getSubcommands().get("serve").getUsageMessage()
                .replaceAll("\\s+", " ");
        for (Setting<?> setting : Settings.all()) {
            String tail = setting.defaultValue() == null ? "(env " + setting.envName() + ")."
                    : "(env " + setting.envName() + ", default: " + text(setting, setting.defaultValue()) + ").";
            assertThat(help).as(setting.name()).contains(setting.flag() + "=" + setting.label())
                    .contains(setting.help().replaceAll("\\s+", " ") + " " + tail);
        }
    }

    @Test
    void theTokenCommandsTakeTheStoreSettingsOnly() {
        CommandLine token = FelixCommand.commandLine().getSubcommands().get("token");
        for (String command : List.of("create", "list", "revoke")) {
            CommandLine.Model.CommandSpec spec = token.getSubcommands().get(command).getCommandSpec();
            for (Setting<?> setting : Settings.all()) {
                boolean store = setting.group() == Setting.Group.STORE;
                assertThat(spec.findOption(setting.flag()) != null).as(command + " " + setting.flag()).isEqualTo(store);
            }
        }
    }

    /** The README's option table has one row per setting, with its variable and its default. */
    @Test
    void theReadmeListsEverySettingWithItsVariableAndDefault() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Function<Setting<?>, Pattern> row = setting -> Pattern.compile("(?m)^\\| `" + Pattern.quote(setting.flag())
                + " [^`]+` \\| `" + setting.envName() + "` \\| ([^|]+) \\|$");
        for (Setting<?> setting : Settings.all()) {
            var match = row.apply(setting).matcher(readme);
            assertThat(match.find()).as("README row of " + setting.flag()).isTrue();
            Object def = setting.defaultValue();
            assertThat(match.group(1)).as(setting.flag())
                    .contains(def == null ? "none" : text(setting, def));
        }
    }
}
