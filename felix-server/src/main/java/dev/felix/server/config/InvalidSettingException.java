package dev.felix.server.config;

/** A value out of its setting's range, e.g. {@code ws-port must be 0-65535, was 70000}. */
public final class InvalidSettingException extends IllegalArgumentException {
    private final transient Setting<?> setting;
    private final String problem;

    InvalidSettingException(Setting<?> setting, String problem) {
        super(setting.name() + " " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    public Setting<?> setting() {
        return setting;
    }

    /** What is wrong, without the setting's name, e.g. {@code must be 0-65535, was 70000}. */
    public String problem() {
        return problem;
    }
}
