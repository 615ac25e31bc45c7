package dev.myelin.nn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * One edit of a file's bytes, for the fuzz tests: {@code at} is taken modulo the file's length, so any int is a
 * place in any file, and jqwik shrinks a failing edit list to fewer edits, smaller positions and shorter payloads.
 * {@code toString} shows the payload as text when it is printable, so a shrunk counterexample reads as a file.
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

    static Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> special = Arbitraries.of(SPECIAL).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8);
        Arbitrary<byte[]> rare = Arbitraries.of(LONG_CELL, new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF, 0});
        return Arbitraries.frequencyOf(Tuple.of(6, special), Tuple.of(3, random), Tuple.of(1, rare));
    }

    /** A list of 1 to {@code max} edits. */
    public static Arbitrary<List<Mutation>> lists(int max) {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(Kind.class),
                Arbitraries.integers().greaterOrEqual(0), payloads()).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(max);
    }

    /**
     * A list of 1 to {@code max} injections: a token (cell, number, word) replaced by, or text inserted of, one of
     * the {@link #SPECIAL} values; denser in values that break readers than {@link #lists}.
     */
    public static Arbitrary<List<Mutation>> injections(int max) {
        Arbitrary<Kind> kinds = Arbitraries.of(Kind.REPLACE_TOKEN, Kind.REPLACE_TOKEN, Kind.INSERT);
        Arbitrary<Mutation> one = Combinators.combine(kinds, Arbitraries.integers().greaterOrEqual(0),
                Arbitraries.of(SPECIAL).map(s -> s.getBytes(StandardCharsets.UTF_8))).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(max);
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
