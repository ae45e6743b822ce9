package org.waldur.agent.slurm;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for {@code sacct --parsable2 --noheader} listings other than the usage report ({@link SacctUsage}). */
public final class SacctOutput {

    // 123, 123.batch, 123.extern, 123.0, array tasks 123_4 and 123_[5-9%2], het-job components 123+0.
    private static final Pattern JOB_ID = Pattern.compile("(\\d+(?:_(?:\\d+|\\[[0-9,%\\-]+\\]))?(?:\\+\\d+)?)(?:\\.[A-Za-z0-9_+-]+)?");

    private SacctOutput() {
    }

    /**
     * Job ids from a {@code --format=JobID} listing (first field of each line), without step suffixes and
     * duplicates, in output order: {@code 12}, {@code 12.batch}, {@code 12.extern} give {@code 12}.
     *
     * @throws UnexpectedSlurmOutputException for a line that is not a job id: the caller is about to decide
     *                                        that a user has no jobs left, and guessing could leave jobs running
     */
    public static List<String> jobIds(String output) {
        Set<String> ids = new LinkedHashSet<>();
        if (output == null) {
            return List.of();
        }
        for (String line : output.split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) {
                continue;
            }
            int bar = l.indexOf('|');
            String field = bar >= 0 ? l.substring(0, bar).strip() : l;
            Matcher m = JOB_ID.matcher(field);
            if (!m.matches()) {
                throw new UnexpectedSlurmOutputException("Not a job id in sacct output: \"" + EscapedText.escapeAndLimit(l, 300) + "\"");
            }
            ids.add(m.group(1));
        }
        return List.copyOf(ids);
    }
}
