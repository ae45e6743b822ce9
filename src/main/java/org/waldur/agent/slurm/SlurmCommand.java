package org.waldur.agent.slurm;

import java.util.List;

/**
 * One SLURM program run: the executable and its arguments as a List, handed to camel-exec as such,
 * so no shell ever parses them. Getters, because the YAML routes read them with simple expressions.
 */
public final class SlurmCommand {

    /** How the result is read: stdout of a command that must succeed, or whether {@code id -u} found the user. */
    public enum Kind { OUTPUT, USER_EXISTS }

    private final List<String> argv;
    private final Kind kind;

    public SlurmCommand(List<String> argv) {
        this(argv, Kind.OUTPUT);
    }

    public SlurmCommand(List<String> argv, Kind kind) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.argv = List.copyOf(argv);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
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
