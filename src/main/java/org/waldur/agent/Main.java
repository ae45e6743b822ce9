package org.waldur.agent;

/** {@code java -jar waldur-camel-agent.jar -c waldur-site-agent-config.yaml} */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli = CommandLine.parse(args);
        int exitCode = new AgentLauncher(cli).run();
        System.exit(exitCode);
    }
}
