package dev.myelin.nn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.function.Executable;

/**
 * One edit of a file's bytes, and the generation of the fuzz tests' inputs from a seed: each case of a fuzz test
 * draws its edits (or random bytes) from {@code new Random(seed)}, so the inputs are the same on every run, and a
 * failure is reported by {@link #check} with its seed and input. There is no shrinking, so a failing input is shown
 * as it is, escaped and shortened ({@link #show}). They are plain JUnit tests, with no property-testing library:
 * the one they were first written with prints a notice in which its author asks that AI agents not use it, and
 * the project respects that wish.
 *
 * <p>{@code at} is taken modulo the file's length, so any int is a place in any file. {@code toString} shows the
 * payload as text when it is printable, so an edit list reads as what it does to the file.
 */
public record Mutation(Kind kind, int at, byte[] payload) {

    public enum Kind {
        /** XOR one byte with the payload's first byte (or 1). */
        FLIP,
        /** Insert the payload before byte {@code at}. */
        INSERT,
        /** Delete 1 to 8 bytes from {@code at}. */
        DELETE,
        /** Keep only the first {@code at} bytes. */
        TRUNCATE,
        /** Replace the token (number, word, cell) around {@code at} with the payload. */
        REPLACE_TOKEN,
        /** Write the line around {@code at} twice. */
        DUPLICATE_LINE,
        /** Swap the cell around {@code at} with the next cell of its line. */
        SWAP_CELLS
    }

    /**
     * What a mutation inserts: the values that break readers (NaN, infinities, numbers beyond float and int,
     * quotes, a BOM, CR, NUL, separators, JSON escapes, bytes that are not UTF-8, a very long cell), or a few
     * random bytes.
     */
    static final List<String> SPECIAL = List.of(
            // numbers: NaN, infinities, beyond float, int and long, tiny, signed zero, forms Java does not read
            "NaN", "-Inf", "Infinity", "1e39", "-3.5e38", "1e400", "1e-50", "340282356779733661637539395458142568448",
            "2147483648", "-2147483649", "9223372036854775808", "100000000000", "-0", "0x1p3", "1_000", "1.5", "7",
            // CSV: quotes, separators, white space, a BOM, CR, NUL, quoted line breaks
            "\"", "\"\"", "\"1,2\"", "\"a\nb\"", "\"a\rb\"", ",", ",,", " ", "\t", "\uFEFF", "\r", "\n", "\r\n", "\0",
            "a\u0000b", "\u2028", "\u00A0", "é",
            // JSON: escapes that put a line break or NUL into a string, structure, literals
            "\\n", "a\\nb", "\\u0000", "\"a\\nb\"", "{", "}", "[", "]", ":", "null", "true", "[]", "{}");

    /** 100,000 digits in one cell. */
    static final byte[] LONG_CELL = "1".repeat(100_000).getBytes(StandardCharsets.US_ASCII);

    /** The rare payloads: a very long cell, a UTF-8 lead byte alone, a byte that is never UTF-8 and a NUL. */
    private static final List<byte[]> RARE = List.of(LONG_CELL, new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF, 0});

    /** The characters of CSV and JSON (and of NaN and Infinity), for random text that gets past the first token. */
    private static final String SYNTAX = "0123456789.-+eE,\"\n\r {}[]:NaInfy\0";

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    public static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    /** A place in a file: 0 (the start, or an empty file for TRUNCATE) one time in 8, else any non-negative int. */
    private static int at(Random r) {
        return r.nextInt(8) == 0 ? 0 : r.nextInt() & Integer.MAX_VALUE;
    }

    private static byte[] special(Random r) {
        return SPECIAL.get(r.nextInt(SPECIAL.size())).getBytes(StandardCharsets.UTF_8);
    }

    /** A {@link #SPECIAL} value 6 times in 10, 1 to 8 random bytes 3 in 10, a {@link #RARE} payload 1 in 10. */
    static byte[] payload(Random r) {
        int f = r.nextInt(10);
        return f < 6 ? special(r) : f < 9 ? randomBytes(r, 1, 8) : RARE.get(r.nextInt(RARE.size()));
    }

    /** A list of 1 to {@code max} edits of any kind. */
    public static List<Mutation> lists(Random r, int max) {
        List<Mutation> edits = new ArrayList<>();
        for (int k = 1 + r.nextInt(max); k > 0; k--) {
            edits.add(new Mutation(pick(r, Kind.values()), at(r), payload(r)));
        }
        return edits;
    }

    /**
     * A list of 1 to {@code max} injections: a token (cell, number, word) replaced by, or text inserted of, one of
     * the {@link #SPECIAL} values; denser in values that break readers than {@link #lists}.
     */
    public static List<Mutation> injections(Random r, int max) {
        List<Mutation> edits = new ArrayList<>();
        for (int k = 1 + r.nextInt(max); k > 0; k--) {
            edits.add(new Mutation(pick(r, Kind.REPLACE_TOKEN, Kind.REPLACE_TOKEN, Kind.INSERT), at(r), special(r)));
        }
        return edits;
    }

    /** {@code min} to {@code max} random bytes; the shortest length one time in 8, so that empty files come up. */
    public static byte[] randomBytes(Random r, int min, int max) {
        byte[] b = new byte[r.nextInt(8) == 0 ? min : min + r.nextInt(max - min + 1)];
        r.nextBytes(b);
        return b;
    }

    /** Random bytes (up to 200), or as often random text of the characters of CSV and JSON. */
    public static byte[] randomText(Random r) {
        if (r.nextBoolean()) {
            return randomBytes(r, 0, 200);
        }
        char[] c = new char[r.nextInt(201)];
        for (int i = 0; i < c.length; i++) {
            c[i] = SYNTAX.charAt(r.nextInt(SYNTAX.length()));
        }
        return new String(c).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code file} with every edit applied in turn. */
    public static byte[] applyAll(byte[] file, List<Mutation> edits) {
        byte[] b = file;
        for (Mutation m : edits) {
            b = m.apply(b);
        }
        return b;
    }

    byte[] apply(byte[] b) {
        int n = b.length;
        int i = n == 0 ? 0 : at % (n + 1);
        return switch (kind) {
            case FLIP -> {
                if (n == 0) {
                    yield payload.clone();
                }
                byte[] c = b.clone();
                int j = Math.min(i, n - 1);
                c[j] ^= payload.length == 0 || payload[0] == 0 ? 1 : payload[0];
                yield c;
            }
            case INSERT -> splice(b, i, i, payload);
            case DELETE -> splice(b, i, Math.min(n, i + 1 + at % 8), new byte[0]);
            case TRUNCATE -> Arrays.copyOf(b, i);
            case REPLACE_TOKEN -> splice(b, tokenStart(b, i), tokenEnd(b, i), payload);
            case DUPLICATE_LINE -> {
                int s = lineStart(b, i);
                int e = lineEnd(b, i);
                yield splice(b, e, e, withNewline(Arrays.copyOfRange(b, s, e)));
            }
            case SWAP_CELLS -> {
                int s1 = cellStart(b, i);
                int e1 = cellEnd(b, i);
                if (e1 >= n || b[e1] != ',') {
                    yield b;
                }
                int e2 = cellEnd(b, e1 + 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream(n);
                out.write(b, 0, s1);
                out.write(b, e1 + 1, e2 - e1 - 1);
                out.write(',');
                out.write(b, s1, e1 - s1);
                out.write(b, e2, n - e2);
                yield out.toByteArray();
            }
        };
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] c = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, c, 0, from);
        System.arraycopy(insert, 0, c, from, insert.length);
        System.arraycopy(b, to, c, from + insert.length, b.length - to);
        return c;
    }

    private static byte[] withNewline(byte[] line) {
        byte[] c = Arrays.copyOf(line, line.length + 1);
        c[line.length] = '\n';
        return c;
    }

    private static boolean isSeparator(byte c) {
        return c == ',' || c == '\n' || c == '\r' || c == '"' || c == ':' || c == '[' || c == ']' || c == '{'
                || c == '}' || c == ' ';
    }

    private static int tokenStart(byte[] b, int i) {
        while (i > 0 && !isSeparator(b[i - 1])) {
            i--;
        }
        return i;
    }

    private static int tokenEnd(byte[] b, int i) {
        while (i < b.length && !isSeparator(b[i])) {
            i++;
        }
        return i;
    }

    private static int lineStart(byte[] b, int i) {
        while (i > 0 && b[i - 1] != '\n') {
            i--;
        }
        return i;
    }

    private static int lineEnd(byte[] b, int i) {
        while (i < b.length && b[i] != '\n') {
            i++;
        }
        return i;
    }

    private static int cellStart(byte[] b, int i) {
        while (i > 0 && b[i - 1] != ',' && b[i - 1] != '\n') {
            i--;
        }
        return i;
    }

    private static int cellEnd(byte[] b, int i) {
        while (i < b.length && b[i] != ',' && b[i] != '\n') {
            i++;
        }
        return i;
    }

    /** About how long a rendering by {@link #show} gets before the middle of the file is left out. */
    private static final int SHOWN = 240;

    /**
     * {@code bytes} as one readable line: printable ASCII as it is, {@code \\}, {@code \n}, {@code \r},
     * {@code \t}, {@code \0} escaped, any other byte as {@code \xNN}; beyond {@value #SHOWN} characters, the start
     * and the end with the number of bytes between.
     */
    public static String show(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        int head = -1;
        for (int i = 0; i < bytes.length; i++) {
            if (head < 0 && s.length() >= SHOWN * 3 / 4 && bytes.length - i > SHOWN / 4) {
                head = i; // skip to the last SHOWN / 4 bytes
                i = bytes.length - SHOWN / 4;
                s.append(" …(").append(i - head).append(" bytes)… ");
            }
            int b = bytes[i] & 0xFF;
            switch (b) {
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case 0 -> s.append("\\0");
                default -> {
                    if (b >= 0x20 && b < 0x7F) {
                        s.append((char) b);
                    } else {
                        s.append("\\x").append(HexFormat.of().withUpperCase().toHexDigits((byte) b));
                    }
                }
            }
        }
        return "\"" + s + "\" (" + bytes.length + " bytes)";
    }

    /**
     * Runs one fuzz case; when it fails (an assertion, or any exception that {@code check} lets out), the failure
     * names the seed and the input, since there is no shrinking to show a smaller one.
     */
    public static void check(long seed, String input, Executable check) {
        try {
            check.execute();
        } catch (Throwable e) {
            String why = e instanceof AssertionError ? e.getMessage() : e.toString();
            throw new AssertionError("seed " + seed + ", input " + input + ": " + why, e);
        }
    }

    @Override
    public String toString() {
        String shown = payload.length > 40 ? payload.length + " bytes"
                : isUtf8(payload) ? "\"" + new String(payload, StandardCharsets.UTF_8)
                        .replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0")
                        + "\""
                : "0x" + HexFormat.of().formatHex(payload);
        return kind + "@" + at + (kind == Kind.INSERT || kind == Kind.REPLACE_TOKEN || kind == Kind.FLIP
                ? " " + shown : "");
    }

    private static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
