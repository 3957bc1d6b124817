package dev.felix.server.cli;

import dev.felix.server.config.GatewayConfig;
import dev.felix.server.config.InvalidSettingException;
import dev.felix.server.config.Setting;
import dev.felix.server.config.Settings;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.util.List;

/**
 * The gateway's {@link Settings} as options of a command, one per setting, made from its
 * declaration: flag, value label, type, default and help (which names the environment variable).
 * Values from the environment and the configuration file reach them through {@link ConfigDefaults}.
 */
final class SettingOptions {
    private SettingOptions() {
    }

    /** Every setting: the options of {@code serve} (and so of {@code config}). */
    static final class All implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, Settings.all());
        }
    }

    /** The store's settings: the options of the commands that open the store. */
    static final class Store implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, Settings.of(Setting.Group.STORE));
        }
    }

    private static CommandSpec add(CommandSpec spec, List<Setting<?>> settings) {
        for (Setting<?> setting : settings) {
            spec.addOption(option(setting));
        }
        return spec;
    }

    private static <T> OptionSpec option(Setting<T> setting) {
        T defaultValue = setting.defaultValue();
        String env = "env " + setting.envName() + (defaultValue == null ? "" : ", default: ${DEFAULT-VALUE}");
        return OptionSpec.builder(setting.flag())
                .paramLabel(setting.label())
                .type(setting.flagType())
                .defaultValue(defaultValue == null ? null : String.valueOf(setting.toFlag(defaultValue)))
                .description(setting.help() + " (" + env + ").")
                .build();
    }

    /**
     * The configuration the command's setting options hold (settings it has no option for keep their
     * defaults). A value out of its range is blamed on where it came from: a flag is a usage error,
     * a file key or an environment variable is named as such.
     */
    static GatewayConfig config(CommandSpec spec) {
        GatewayConfig.Builder builder = GatewayConfig.builder();
        for (Setting<?> setting : Settings.all()) {
            OptionSpec option = spec.findOption(setting.flag());
            if (option != null) {
                copy(setting, option, builder);
            }
        }
        try {
            return builder.build();
        } catch (InvalidSettingException e) {
            throw blamed(spec, e);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static RuntimeException blamed(CommandSpec spec, InvalidSettingException e) {
        Setting<?> setting = e.setting();
        OptionSpec option = spec.findOption(setting.flag());
        boolean flag = spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
        if (!flag && spec.commandLine().getDefaultValueProvider() instanceof ConfigDefaults defaults) {
            switch (defaults.sourceOf(option)) {
                case FILE -> {
                    return new ConfigValueException("key '" + setting.name() + "' in " + defaults.file() + ": "
                            + e.problem());
                }
                case ENV -> {
                    return new ConfigValueException(setting.envName() + " " + e.problem());
                }
                default -> { }
            }
        }
        return new ParameterException(spec.commandLine(), setting.flag() + " " + e.problem());
    }

    private static <T> void copy(Setting<T> setting, OptionSpec option, GatewayConfig.Builder builder) {
        builder.set(setting, setting.fromFlag(option.getValue()));
    }
}
