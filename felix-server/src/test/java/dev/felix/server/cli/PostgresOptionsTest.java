package dev.felix.server.cli;

import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.postgres.PostgresStore;
import dev.felix.server.testing.RunningPostgres;
import dev.felix.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The store options of the felix command, pointed at PostgreSQL. */
@RunningPostgres
class PostgresOptionsTest {
    @Test
    void tokenCommandsUseThePostgresStoreWithTheUserFromItsOption(TestPostgres postgres) {
        String url = postgres.newDatabase();
        String withoutUser = url.substring(0, url.indexOf('?'));

        int exit = FelixCommand.commandLine().execute("token", "create", "--private", "--owner", "42",
                "--label", "cli", "--db-url", withoutUser, "--db-user", "postgres", "--db-password", "unused");

        assertThat(exit).isZero();
        try (PostgresStore store = PostgresStore.open(TestPostgres.settings(url))) {
            List<TokenRecord> tokens = store.listTokens();
            assertThat(tokens).singleElement().satisfies(t -> {
                assertThat(t.owner()).isEqualTo("42");
                assertThat(t.label()).isEqualTo("cli");
            });
        }
    }

    @Test
    void tokenCreatePrintsTheTokenAndNoStartUpLogLines(TestPostgres postgres) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                FelixCommand.class.getName(), "token", "create", "--private", "--owner", "42",
                "--db-url", postgres.newDatabase()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        assertThat(out.strip().lines().reduce((a, b) -> b).orElseThrow()).startsWith("fxp_");
        assertThat(err).isEmpty();
    }

    @Test
    void anUnreachableDatabaseIsOneClearLineWithoutThePassword() {
        StringWriter err = new StringWriter();
        CommandLine cli = FelixCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("token", "list", "--db-url", "jdbc:postgresql://127.0.0.1:1/felix?password=secret");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString().strip())
                .startsWith("felix: cannot open PostgreSQL store at jdbc:postgresql://127.0.0.1:1/felix:")
                .doesNotContain("secret")
                .doesNotContain("\tat ");
    }

    @Test
    void aPasswordInTheUserInfoOfTheUrlIsNotShownEither() {
        for (String url : List.of("jdbc:postgresql://felix:hunter2@127.0.0.1:1/felix", "postgresql://felix:hunter2@db/felix")) {
            StringWriter err = new StringWriter();
            CommandLine cli = FelixCommand.commandLine();
            cli.setErr(new PrintWriter(err, true));

            int exit = cli.execute("token", "list", "--db-url", url);

            assertThat(exit).as(url).isNotZero();
            assertThat(err.toString()).as(url).contains("felix:****@").doesNotContain("hunter2");
        }
    }
}
