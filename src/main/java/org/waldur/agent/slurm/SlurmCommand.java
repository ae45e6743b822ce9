package org.waldur.agent.slurm;

import java.util.List;

/**
 * One SLURM program run: the executable and its arguments as a List, handed to camel-exec as such,
 * so no shell ever parses them. Getters, because the YAML routes read them with simple expressions.
 */
public final class SlurmCommand {

    private final List<String> argv;

    public SlurmCommand(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.argv = List.copyOf(argv);
    }

    public String getExecutable() {
        return argv.get(0);
    }

    public List<String> getArgs() {
        return argv.subList(1, argv.size());
    }

    public List<String> argv() {
        return argv;
    }

    @Override
    public String toString() {
        return String.join(" ", argv);
    }
}
