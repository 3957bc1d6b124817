package dev.felix.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code felix bench jmh [JMH options]}: the microbenchmarks of the server's hot paths. */
@Command(name = JmhCommand.NAME, mixinStandardHelpOptions = true,
        description = "Run the JMH microbenchmarks (heartbeat ACK encoding, update encoding, hub lookup and fan-out). "
                + "Every argument goes to JMH, e.g. 'felix bench jmh -f 1 -wi 3 -i 5 Hub' "
                + "or 'felix bench jmh -l' to list them.")
final class JmhCommand implements Callable<Integer> {
    static final String NAME = "jmh";

    @Parameters(paramLabel = "JMH_ARGS", arity = "0..*", description = "Options and benchmark patterns for JMH.")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }
}
