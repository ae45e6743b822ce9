package org.waldur.agent.slurm;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks every name before it becomes part of a sacctmgr/scancel argument. No shell is involved, so the
 * danger is not shell injection but sacctmgr's own parsing: {@code =} and {@code ,} split values, a leading
 * {@code -} is read as an option, and a bare word such as {@code where} or {@code set} is read as a keyword.
 */
public final class SlurmNames {

    /**
     * 64 characters: SLURM keeps account and user names in TINYTEXT columns (255 bytes), and Linux user
     * names are limited to 32 by default, so 64 leaves room for a site prefix plus a Waldur slug while
     * keeping command lines and log lines short.
     */
    public static final int MAX_NAME_LENGTH = 64;

    private static final Pattern ACCOUNT_OR_USER =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0," + (MAX_NAME_LENGTH - 1) + "}");
    private static final Pattern QOS_OR_PARTITION = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_NAME_LENGTH + "}");
    private static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0," + (MAX_NAME_LENGTH - 1) + "}");
    // cpu, mem, node, billing, gres/gpu, gres/gpu:a100, license/matlab, fs/disk ...
    private static final Pattern TRES = Pattern.compile("[A-Za-z]{1,32}(/[A-Za-z0-9_.:-]{1,64})?");

    /**
     * sacctmgr treats a bare argument as a keyword when it is a case-insensitive prefix (of at least 3-5
     * characters, depending on the keyword) of one of these; {@code and} ends up in the name list of
     * {@code remove user where name=U and account=A}. Refusing every prefix of 3+ characters is stricter
     * than sacctmgr needs, and costs nothing for real slugs.
     */
    private static final List<String> SACCTMGR_BARE_KEYWORDS = List.of(
            "set", "where", "and", "withassoc", "withcoordinators", "withdeleted", "withrawqoslevel",
            "withsubaccounts", "wolimits", "woplimits", "wopinfo", "onlydefaults", "tree");

    private static final String NAME_RULE = "allowed: ASCII letters, digits, '_', '-', '.'; must start with a"
            + " letter or digit; at most " + MAX_NAME_LENGTH + " characters";

    private SlurmNames() {
    }

    /** An account name; {@code field} names the argument in the error message (e.g. "parent account"). */
    public static String account(String field, String value) {
        return accountOrUser(field, value);
    }

    public static String user(String field, String value) {
        return accountOrUser(field, value);
    }

    public static String qos(String field, String value) {
        return qosOrPartition(field, value);
    }

    public static String partition(String field, String value) {
        return qosOrPartition(field, value);
    }

    public static String cluster(String value) {
        if (value == null || !CLUSTER.matcher(value).matches()) {
            throw new InvalidSlurmNameException("cluster name", value,
                    "allowed: ASCII letters, digits, '_', '-'; must start with a letter or digit; at most "
                            + MAX_NAME_LENGTH + " characters");
        }
        return value;
    }

    /** A TRES name as sacctmgr prints it in {@code list tres}: {@code cpu}, {@code mem}, {@code gres/gpu}. */
    public static String tres(String value) {
        if (value == null || !TRES.matcher(value).matches()) {
            throw new InvalidSlurmNameException("TRES name", value,
                    "expected a TRES type such as cpu or mem, optionally followed by /name, e.g. gres/gpu");
        }
        return value;
    }

    /**
     * Makes a free-text value (description, organization) safe to send as {@code key="value"}: sacctmgr ends
     * the value at the first {@code "}, and a newline would split one {@code --parsable2} record over
     * several lines (slurm.md §1 item 5). Control characters count as whitespace; runs collapse to one space.
     */
    public static String sanitizeDescription(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(value.length());
        boolean pendingSpace = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                continue;
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace && out.length() > 0) {
                out.append(' ');
            }
            pendingSpace = false;
            out.append(c);
        }
        return out.toString();
    }

    private static String accountOrUser(String field, String value) {
        if (value == null || !ACCOUNT_OR_USER.matcher(value).matches()) {
            throw new InvalidSlurmNameException(field, value, NAME_RULE);
        }
        String lower = value.toLowerCase(Locale.ROOT);
        for (String keyword : SACCTMGR_BARE_KEYWORDS) {
            if (lower.length() >= 3 && keyword.startsWith(lower)) {
                throw new InvalidSlurmNameException(field, value, "sacctmgr would read it as the keyword '" + keyword + "'");
            }
        }
        return value;
    }

    private static String qosOrPartition(String field, String value) {
        if (value == null || !QOS_OR_PARTITION.matcher(value).matches()) {
            throw new InvalidSlurmNameException(field, value,
                    "allowed: ASCII letters, digits, '_', '-'; at most " + MAX_NAME_LENGTH + " characters");
        }
        return value;
    }
}
