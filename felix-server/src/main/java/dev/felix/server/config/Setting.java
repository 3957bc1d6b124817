package dev.felix.server.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One gateway setting, declared once in {@link Settings}: its name, which is also the flag
 * ({@code --NAME}), the {@code felix.yml} key ({@code NAME}) and the environment variable
 * ({@code FELIX_NAME}); its type, default, range and help. The command line, the file, the
 * environment and the embedding builder all read it from here.
 *
 * @param <T> the value the gateway works with ({@link Duration} for a setting given in ms or minutes)
 */
public final class Setting<T> {
    /** The parts of the gateway a setting belongs to, in the order help and {@code felix config} list them. */
    public enum Group { LISTEN, SOCKET, REST, STATUS, TOKENS, STORE, TLS }

    /** What a secret, or the secret part of a value, is shown as. */
    public static final String MASK = "****";

    private final Group group;
    private final String name;
    private final String label;
    private final String help;
    private final T defaultValue;
    private final Class<?> flagType;
    private final Function<Object, T> fromFlag;
    private final Function<T, Object> toFlag;
    private final Function<T, String> problem;
    private final UnaryOperator<String> mask;

    private Setting(Group group, String name, String label, String help, T defaultValue, Class<?> flagType,
                    Function<Object, T> fromFlag, Function<T, Object> toFlag, Function<T, String> problem,
                    UnaryOperator<String> mask) {
        this.group = group;
        this.name = name;
        this.label = label;
        this.help = help;
        this.defaultValue = defaultValue;
        this.flagType = flagType;
        this.fromFlag = fromFlag;
        this.toFlag = toFlag;
        this.problem = problem;
        this.mask = mask;
    }

    /** A whole number of at least {@code min}. */
    static Setting<Integer> count(Group group, String name, int defaultValue, int min, String help) {
        return new Setting<>(group, name, "N", help, defaultValue, int.class, Integer.class::cast, v -> v,
                v -> v < min ? "must be at least " + min + ", was " + v : null, UnaryOperator.identity());
    }

    /** A TCP port; 0 picks a free one. */
    static Setting<Integer> port(Group group, String name, int defaultValue, String help) {
        return new Setting<>(group, name, "PORT", help, defaultValue, int.class, Integer.class::cast, v -> v,
                v -> v < 0 || v > 65535 ? "must be 0-65535, was " + v : null, UnaryOperator.identity());
    }

    /** A positive duration, given in {@code unit} (the name ends in {@code -ms} or {@code -minutes}). */
    static Setting<Duration> duration(Group group, String name, ChronoUnit unit, Duration defaultValue, String help) {
        String label = unit == ChronoUnit.MILLIS ? "MS" : unit == ChronoUnit.MINUTES ? "MIN" : null;
        String suffix = unit == ChronoUnit.MILLIS ? " ms" : " min";
        if (label == null) {
            throw new IllegalArgumentException("durations are given in ms or minutes, not " + unit);
        }
        Function<Duration, Long> inUnit = d -> unit == ChronoUnit.MILLIS ? d.toMillis() : d.toMinutes();
        return new Setting<>(group, name, label, help, defaultValue, long.class,
                v -> Duration.of((Long) v, unit), inUnit::apply,
                v -> v.isZero() || v.isNegative() ? "must be positive, was " + inUnit.apply(v) + suffix : null,
                UnaryOperator.identity());
    }

    /** A path; {@code defaultValue} null means unset. */
    static Setting<Path> path(Group group, String name, String label, Path defaultValue, String help) {
        return new Setting<>(group, name, label, help, defaultValue, Path.class, Path.class::cast, v -> v,
                v -> null, UnaryOperator.identity());
    }

    /** Free text; {@code defaultValue} null means unset. */
    static Setting<String> text(Group group, String name, String label, String defaultValue, String help) {
        return text(group, name, label, defaultValue, help, v -> null);
    }

    /** Free text that {@code problem} checks: why a value is wrong (null when fine). */
    static Setting<String> text(Group group, String name, String label, String defaultValue, String help,
                                Function<String, String> problem) {
        return new Setting<>(group, name, label, help, defaultValue, String.class, String.class::cast, v -> v,
                problem, UnaryOperator.identity());
    }

    /** A comma-separated list, unset by default; {@code itemProblem} says why one item is wrong (null when fine). */
    static Setting<List<String>> list(Group group, String name, String label, String help,
                                      Function<String, String> itemProblem) {
        return new Setting<>(group, name, label, help, null, String.class,
                v -> Arrays.stream(((String) v).split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList(),
                v -> String.join(",", v),
                v -> v.stream().map(itemProblem).filter(Objects::nonNull).findFirst().orElse(null),
                UnaryOperator.identity());
    }

    /** The same setting, masked wherever a configuration is shown or logged. */
    Setting<T> secret() {
        return maskedBy(text -> MASK);
    }

    /** The same setting, its text passed through {@code mask} wherever it is shown or logged. */
    Setting<T> maskedBy(UnaryOperator<String> mask) {
        return new Setting<>(group, name, label, help, defaultValue, flagType, fromFlag, toFlag, problem, mask);
    }

    public Group group() {
        return group;
    }

    /** The {@code felix.yml} key, e.g. {@code ws-port}. */
    public String name() {
        return name;
    }

    /** The command-line option, e.g. {@code --ws-port}. */
    public String flag() {
        return "--" + name;
    }

    /** The environment variable, e.g. {@code FELIX_WS_PORT}. */
    public String envName() {
        return envName(name);
    }

    /** The environment variable of any option name, e.g. {@code FELIX_LOG_LEVEL} for {@code log-level}. */
    public static String envName(String name) {
        return "FELIX_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** What the flag's value stands for in help, e.g. {@code PORT}. */
    public String label() {
        return label;
    }

    /** One sentence without its final period, e.g. {@code Port of Felix's WebSocket}. */
    public String help() {
        return help;
    }

    /** The value when nothing sets it; null when the setting is unset by default. */
    public T defaultValue() {
        return defaultValue;
    }

    /**
     * A value's text as it may be shown or logged: {@link #MASK} for a secret, a database URL without
     * its password, any other value as it is.
     */
    public String masked(String text) {
        return text == null ? null : mask.apply(text);
    }

    /** The Java type of the flag's value as written (a duration is a number of its unit). */
    public Class<?> flagType() {
        return flagType;
    }

    /** The value of a flag, converted from the text by {@link #flagType()}, as the gateway takes it. */
    public T fromFlag(Object flagValue) {
        return flagValue == null ? null : fromFlag.apply(flagValue);
    }

    /**
     * A value as the file, a variable or the embedding builder writes it, e.g. {@code 30000} for a
     * setting given in ms; its range is checked when a configuration is built.
     *
     * @throws IllegalArgumentException when the text is not of the setting's type
     */
    public T parse(String text) {
        try {
            if (flagType == int.class) {
                return fromFlag(Integer.valueOf(text.trim()));
            }
            if (flagType == long.class) {
                return fromFlag(Long.valueOf(text.trim()));
            }
            return fromFlag(flagType == Path.class ? Path.of(text) : text);
        } catch (NumberFormatException | InvalidPathException e) {
            String type = flagType == int.class ? "an int" : flagType == long.class ? "a long" : "a path";
            throw new IllegalArgumentException(name + ": '" + text + "' is not " + type);
        }
    }

    /** The value as its flag would be written, e.g. {@code 30000} for a 30 s setting given in ms. */
    public Object toFlag(T value) {
        return value == null ? null : toFlag.apply(value);
    }

    /** Why a value is out of range, e.g. {@code must be 0-65535, was 70000}; null when it is fine. */
    public String problem(T value) {
        if (value == null) {
            return defaultValue == null ? null : "must be set";
        }
        return problem.apply(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
