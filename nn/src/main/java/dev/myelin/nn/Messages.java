package dev.myelin.nn;

/**
 * Text from a file inside an error message. Every {@link DataException} and {@link ModelFormatException} is one
 * line (the CLI prints it as one {@code myelin: } line), so a cell or JSON string that holds a line break, a NUL
 * or another control character is shown escaped, and a long one is shortened.
 */
final class Messages {

    /** How much of a cell or string an error message shows. */
    private static final int EXCERPT = 40;

    private Messages() {
    }

    /** {@code s} with line breaks and other control characters as escapes ({@code \n}, {@code \r}, {@code \u0000}). */
    static String oneLine(String s) {
        if (s == null || s.chars().noneMatch(Messages::breaks)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (breaks(c)) {
                b.append(String.format("\\u%04X", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A cell or string from a file as an error shows it: one line, at most 40 characters and then "…". */
    static String excerpt(String s) {
        return oneLine(s.length() > EXCERPT ? s.substring(0, EXCERPT) + "…" : s);
    }

    /** Control characters other than tab, and the Unicode line and paragraph separators. */
    private static boolean breaks(int c) {
        return Character.isISOControl(c) && c != '\t' || c == '\u2028' || c == '\u2029';
    }
}
