package dev.felix.server.cli;

import dev.felix.server.entries.EntryService;
import dev.felix.server.entries.InvalidEntry;
import dev.felix.server.store.Access;
import dev.felix.server.store.Scope;
import dev.felix.server.store.Store;
import dev.felix.server.store.TokenRecord;
import dev.felix.server.store.Tokens;
import dev.felix.server.Gateway;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code felix token create|list|revoke}: token management, also while the server runs. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Mint, list and revoke API tokens. Works while the gateway runs: it picks changes up within a second.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The store the command's store options name. */
    static Store open(CommandSpec spec) {
        return Gateway.openStore(SettingOptions.config(spec));
    }

    /** Prints a new token's record and, as the last line, the token itself. */
    static void printCreated(PrintWriter out, TokenRecord record, String token) {
        out.printf("Created %s token %d for owner %s%s, scope %s. It is shown once; store it now:%n",
                record.kind(), record.id(), record.owner(), record.label() == null ? "" : " (" + record.label() + ")",
                record.access().describe());
        out.println(token);
        out.flush();
    }

    @Command(name = "create", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.Store.class,
            description = "Mint a token. The token is printed once, as the last line of stdout; only its hash is stored.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        static final class ScopeChoice {
            @Option(names = "--private", required = true, description = "May open the socket and write.")
            boolean privateScope;

            @Option(names = "--public", required = true, description = "May only read over REST (rate limited).")
            boolean publicScope;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        ScopeChoice scope;

        @Option(names = "--owner", required = true, paramLabel = "ID", description = "Who the token is for.")
        String owner;

        @Option(names = "--label", paramLabel = "TEXT", description = "Free text shown by 'token list'.")
        String label;

        @Option(names = "--guilds", paramLabel = "ID[,ID...]", split = ",",
                description = "Scope the token to these guilds (and the --users given, if any).")
        List<String> guilds;

        @Option(names = "--users", paramLabel = "ID[,ID...]", split = ",",
                description = "Scope the token to these users (and the --guilds given, if any).")
        List<String> users;

        @Option(names = "--read-only", description = "May open the socket and read, never write.")
        boolean readOnly;

        @Mixin
        ConfigFileOption configFile;

        @Override
        public Integer call() {
            Scope chosen = scope.privateScope ? Scope.PRIVATE : Scope.PUBLIC;
            Access access;
            try {
                access = access();
            } catch (InvalidEntry e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            try (Store s = open(spec)) {
                Tokens.Minted minted = Tokens.mint(s, chosen, owner, label, access);
                printCreated(spec.commandLine().getOut(), minted.record(), minted.token());
            }
            return 0;
        }

        /** Unrestricted without --guilds and --users; else only the IDs given, of either kind. */
        private Access access() {
            if (guilds == null && users == null) {
                return readOnly ? Access.READ_ANY : Access.UNRESTRICTED;
            }
            List<String> g = guilds == null ? List.of() : guilds;
            List<String> u = users == null ? List.of() : users;
            g.forEach(EntryService::checkId);
            u.forEach(EntryService::checkId);
            if (g.size() > EntryService.MAX_IDS || u.size() > EntryService.MAX_IDS) {
                throw new InvalidEntry("a scope holds at most " + EntryService.MAX_IDS + " guilds and "
                        + EntryService.MAX_IDS + " users");
            }
            return Access.only(g, u, readOnly);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.Store.class,
            description = "List tokens: id, owner, kind, scope, label, created, expires, revoked. Never the tokens themselves.")
    static final class ListTokens implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConfigFileOption configFile;

        @Override
        public Integer call() {
            List<TokenRecord> all;
            try (Store s = open(spec)) {
                all = s.listTokens();
            }
            PrintWriter out = spec.commandLine().getOut();
            String format = "%-5s %-20s %-8s %-24s %-20s %-24s %-24s %s%n";
            out.printf(format, "ID", "OWNER", "KIND", "SCOPE", "LABEL", "CREATED", "EXPIRES", "REVOKED");
            for (TokenRecord t : all) {
                out.printf(format, t.id(), t.owner(), t.kind(), t.access().describe(),
                        t.label() == null ? "-" : t.label(), t.created(), t.expires() == null ? "-" : t.expires(),
                        t.revoked() == null ? "-" : t.revoked());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.Store.class,
            description = "Revoke a token by id. A running gateway closes its sockets within 2 seconds.")
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "The token's id, as 'token list' shows it.")
        long id;

        @Mixin
        ConfigFileOption configFile;

        @Override
        public Integer call() {
            try (Store s = open(spec)) {
                if (!s.revokeToken(id)) {
                    spec.commandLine().getErr().println("No valid token has id " + id + ".");
                    return 1;
                }
            }
            spec.commandLine().getOut().println("Revoked token " + id + ".");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
