package org.waldur.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Python agent's {@code -c/--config-file}, plus {@code --sandbox} (a self-contained demonstration, see
 * {@link org.waldur.agent.sandbox.Sandbox}); anything else is handed to Camel Main (e.g. {@code -D} style options).
 */
public record CommandLine(Path configFile, boolean help, boolean sandbox, List<String> camelArgs) {

    public static final String DEFAULT_CONFIG = "waldur-site-agent-config.yaml";

    public static CommandLine parse(String[] args) {
        Path config = Path.of(DEFAULT_CONFIG);
        boolean help = false;
        boolean sandbox = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-c") || a.equals("--config-file")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a file name");
                }
                config = Path.of(args[++i]);
            } else if (a.startsWith("--config-file=")) {
                config = Path.of(a.substring("--config-file=".length()));
            } else if (a.equals("--sandbox")) {
                sandbox = true;
            } else if (a.equals("-h") || a.equals("--help")) {
                help = true;
            } else {
                rest.add(a);
            }
        }
        return new CommandLine(config, help, sandbox, List.copyOf(rest));
    }

    public static String usage() {
        return """
                Usage: java -jar waldur-camel-agent.jar [-c|--config-file <file>]
                       java -jar waldur-camel-agent.jar --sandbox
                  -c, --config-file   site agent YAML configuration (default: waldur-site-agent-config.yaml)
                  --sandbox           try it: run the agent against an embedded MQTT broker, a Waldur simulator
                                      and a SLURM stand-in (needs python3), play a short story and exit
                  -h, --help          this text
                Routes are read from ./routes when that folder exists, else from the jar;
                ./application.properties overrides the packaged one; -D<key>=<value> overrides both.
                """;
    }
}
