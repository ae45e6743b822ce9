package org.waldur.agent.slurm;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One SLURM program run: the executable and its arguments as a List, handed to camel-exec as such,
 * so no shell ever parses them.
 */
public final class SlurmCommand {

    /** How the result is read: stdout of a command that must succeed, or whether {@code id -u} found the user. */
    public enum Kind { OUTPUT, USER_EXISTS }

    private static final Set<String> WRITE_VERBS = Set.of("add", "create", "modify", "update", "delete", "remove");

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

    /**
     * True for a sacctmgr command whose first word after the options changes the accounting database. These run
     * one at a time: slurmdbd 22.05 silently loses some accounts and associations added concurrently over
     * different connections (all runs exit 0; found by FaultKillSystemIT, reproduced against slurm-local).
     */
    public boolean isAccountingWrite() {
        if (!Path.of(getExecutable()).getFileName().toString().equals("sacctmgr")) {
            return false;
        }
        for (String arg : getArgs()) {
            if (!arg.startsWith("-")) {
                return WRITE_VERBS.contains(arg.toLowerCase(Locale.ROOT));
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(" ", argv);
    }
}
