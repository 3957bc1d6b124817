package dev.felix.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Arrays;

/** {@code felix bench}: load scenarios against any server that speaks Felix's WebSocket, and microbenchmarks. */
@Command(name = "felix bench", mixinStandardHelpOptions = true,
        description = "Benchmarks for Felix's WebSocket: load scenarios against a running server, a soak run of mixed "
                + "load, a side-by-side comparison with the Node ws baseline, and JMH microbenchmarks of the server's "
                + "hot paths.",
        subcommands = {ConnectionsScenario.class, HeartbeatScenario.class, FanoutScenario.class, WritesScenario.class,
                SoakCommand.class, CompareCommand.class, JmhCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(JmhCommand.NAME) && !isHelp(args)) {
            // JMH parses its own options (-f, -wi, -i, regexps), which picocli would reject.
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(commandLine().execute(args));
    }

    private static boolean isHelp(String[] args) {
        return args.length == 2 && (args[1].equals("--help") || args[1].equals("-h"));
    }

    /** The command line with its house settings: a driver's child repeats options the parent passed. */
    static CommandLine commandLine() {
        return new CommandLine(new BenchCommand()).setOverwrittenOptionsAllowed(true)
                .setExecutionExceptionHandler((e, cl, parsed) -> {
                    cl.getErr().println("felix bench " + cl.getCommandName() + ": " + e.getMessage());
                    return 1;
                });
    }
}
