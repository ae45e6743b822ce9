package org.waldur.agent.slurm;

/**
 * Makes untrusted text safe to put into an exception message: a rejected name may carry newlines or
 * terminal escapes, and a message that spans lines or recolours a terminal hides what was rejected.
 */
final class EscapedText {

    private EscapedText() {
    }

    /** Escapes control characters (C0, DEL, C1, line/paragraph separators) as {@code \n}, {@code \t} or {@code \}{@code uXXXX}. */
    static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** {@link #escape} and cut to {@code max} characters, so a huge value (or 8 GB of "Y or N please") cannot flood a log. */
    static String escapeAndLimit(String text, int max) {
        String escaped = escape(text);
        if (escaped.length() <= max) {
            return escaped;
        }
        return escaped.substring(0, max) + "…(" + (escaped.length() - max) + " more characters)";
    }
}
