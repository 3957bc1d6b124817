package dev.felix.server.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code felix} itself, run in-process as the launcher runs it. */
class FelixCommandTest {

    @Test
    void versionIsTheProjectVersion() {
        TokenCommandTest.Run run = TokenCommandTest.felix("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).matches("Felix Gateway \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void helpNamesTheSourceCheckoutsLauncherWhenStartedWithoutOne() {
        TokenCommandTest.Run run = TokenCommandTest.felix("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Watch a gateway live: ./felix tail --help");
    }
}
