package org.waldur.agent.slurm;

import java.util.List;
import java.util.regex.Pattern;

/** The message both command exceptions carry: command line, exit code, and what the command said. */
final class CommandFailureText {

    private static final int MAX_OUTPUT_CHARS = 2000;
    // None of our commands carries a secret, but this message ends up in logs and in Waldur's error field.
    private static final Pattern SECRET_KEY = Pattern.compile("(?i)[^=]*(pass|token|secret)[^=]*");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,+@%-]+");

    private CommandFailureText() {
    }

    static String describe(List<String> argv, int exitCode, String stdout, String stderr) {
        StringBuilder out = new StringBuilder();
        out.append("Command ").append(commandLine(argv)).append(" failed with exit code ").append(exitCode);
        String said = output(stdout, stderr);
        if (!said.isEmpty()) {
            out.append(": ").append(EscapedText.escapeAndLimit(said, MAX_OUTPUT_CHARS));
        }
        return out.toString();
    }

    /** argv as one readable line; elements that are not plain are single-quoted, secrets are replaced. */
    static String commandLine(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String arg : argv) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(quote(redact(arg)));
        }
        return EscapedText.escapeAndLimit(line.toString(), MAX_OUTPUT_CHARS);
    }

    private static String redact(String arg) {
        int eq = arg.indexOf('=');
        if (eq > 0 && SECRET_KEY.matcher(arg.substring(0, eq)).matches()) {
            return arg.substring(0, eq + 1) + "***";
        }
        return arg;
    }

    private static String quote(String arg) {
        if (!arg.isEmpty() && PLAIN.matcher(arg).matches()) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    private static String output(String stdout, String stderr) {
        String err = stderr == null ? "" : stderr.strip();
        String out = stdout == null ? "" : stdout.strip();
        if (err.isEmpty()) {
            return out;
        }
        return out.isEmpty() ? err : err + " / " + out;
    }
}
