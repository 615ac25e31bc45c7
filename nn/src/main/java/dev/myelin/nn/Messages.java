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
