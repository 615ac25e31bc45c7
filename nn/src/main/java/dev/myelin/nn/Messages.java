package dev.myelin.nn;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

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

    /** {@code count} and the noun, plural unless the count is 1: "1 value", "3 values". */
    static String count(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    /**
     * {@code s} with line breaks, other control characters and invisible ones as escapes ({@code \n}, {@code \r},
     * {@code \u0000}, {@code \uFEFF}): a byte order mark or a zero-width space inside a cell would otherwise make
     * the message read {@code '5' is not a number}.
     */
    static String oneLine(String s) {
        if (s == null || s.chars().noneMatch(c -> hidden(c) || Character.isSurrogate((char) c))) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i)); // a pair: one character outside the BMP, shown as itself
            } else if (Character.isSurrogate(c)) {
                // half of a pair, no character at all (what a JSON escape of one surrogate gives): as its code
                b.append(String.format("\\u%04X", (int) c));
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (hidden(c)) {
                b.append(String.format("\\u%04X", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A cell or string from a file as an error shows it: one line, at most 40 characters and then "…". */
    static String excerpt(String s) {
        if (s.length() <= EXCERPT) {
            return oneLine(s);
        }
        int cut = Character.isHighSurrogate(s.charAt(EXCERPT - 1)) ? EXCERPT - 1 : EXCERPT; // whole characters
        return oneLine(s.substring(0, cut) + "…");
    }

    /**
     * Characters a terminal does not show as themselves: controls other than tab, the Unicode line and paragraph
     * separators, format characters (zero-width space and joiners, the byte order mark, direction marks, the soft
     * hyphen) and spaces other than the ASCII one (a no-break space looks like a space but is not white space to
     * a number parser).
     */
    private static boolean hidden(int c) {
        return Character.isISOControl(c) && c != '\t' || c == '\u2028' || c == '\u2029'
                || Character.getType(c) == Character.FORMAT
                || Character.getType(c) == Character.SPACE_SEPARATOR && c != ' ';
    }

    /**
     * {@code b[from, to)} as UTF-8 text, with every byte that is not part of valid UTF-8 written {@code \xNN}:
     * a Windows-1252 quote or no-break space in a cell shows as {@code \x93} or {@code \xA0} in a message, not as
     * a replacement character that hides which byte it was.
     */
    static String utf8(byte[] b, int from, int to) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, from, to - from);
        CharBuffer out = CharBuffer.allocate(4 * (to - from) + 4);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                for (int k = 0; k < r.length(); k++) {
                    out.put(String.format("\\x%02X", in.get() & 0xFF));
                }
            } else {
                decoder.flush(out);
                return out.flip().toString();
            }
        }
    }
}
