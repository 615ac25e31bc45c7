package dev.myelin.nn;

import ch.randelshofer.fastdoubleparser.JavaFloatParser;

/**
 * Decimal text to the nearest float, read straight from ASCII bytes (no String per cell).
 *
 * <p>The text must be {@code [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?} with optional spaces or tabs around it. The
 * common case, a decimal significand {@code m ≤ 2^24} with a power of ten {@code |k| ≤ 10}, is computed as one
 * float multiplication or division {@code m·10^k}: both operands are exact floats (5^10 < 2^24), and IEEE
 * rounds the single operation correctly, so the result is the float nearest to the decimal, as
 * {@link Float#parseFloat} gives. Everything else (long significands, large exponents) goes to FastDoubleParser,
 * which is also correctly rounded.
 */
final class DecimalParser {

    /** Returned for text that is not a plain decimal number; callers then explain what is wrong with it. */
    static final float NOT_A_NUMBER = Float.NaN;

    private static final float[] POW10 = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
    private static final long MAX_EXACT = 1L << 24;
    /**
     * Where an exponent's digits stop being accumulated (no int overflow). Beyond any float's range only on its own:
     * a fraction's leading zeros lower the exponent too ({@code 0.000…01e100001} is 1), so a text whose exponent
     * reached it is left to {@link Float#parseFloat}, which reads any exponent exactly.
     */
    private static final int MAX_EXPONENT_DIGITS_VALUE = 100_000;

    private DecimalParser() {
    }

    /** Whether {@code text} (spaces or tabs around it allowed) is a decimal number of the accepted form. */
    static boolean isNumber(String text) {
        return !Float.isNaN(parse(text));
    }

    /** {@link #parse(byte[], int, int)} of {@code text}; a character outside ASCII makes it not a number. */
    static float parse(String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); // beyond Latin-1: '?', not a digit
        return parse(b, 0, b.length);
    }

    /**
     * The float nearest to the decimal in {@code b[from, to)}: ±Infinity beyond the float range, or
     * {@link #NOT_A_NUMBER} (NaN) when the text is not of the accepted form.
     */
    static float parse(byte[] b, int from, int to) {
        while (from < to && isSpace(b[from])) {
            from++;
        }
        while (to > from && isSpace(b[to - 1])) {
            to--;
        }
        int p = from;
        boolean negative = false;
        if (p < to && (b[p] == '-' || b[p] == '+')) {
            negative = b[p] == '-';
            p++;
        }
        long m = 0;
        boolean exact = true;   // m holds every digit and is at most 2^24
        int digits = 0;
        int exponent = 0;
        int d;
        while (p < to && (d = b[p] - '0') >= 0 && d <= 9) {
            if (m < MAX_EXACT) {
                m = m * 10 + d;
            } else {
                exact = false;
            }
            digits++;
            p++;
        }
        if (p < to && b[p] == '.') {
            p++;
            while (p < to && (d = b[p] - '0') >= 0 && d <= 9) {
                if (m < MAX_EXACT) {
                    m = m * 10 + d;
                    exponent--;
                } else {
                    exact = false;
                }
                digits++;
                p++;
            }
        }
        if (digits == 0) {
            return NOT_A_NUMBER;
        }
        if (p < to && (b[p] == 'e' || b[p] == 'E')) {
            p++;
            boolean negativeExponent = false;
            if (p < to && (b[p] == '-' || b[p] == '+')) {
                negativeExponent = b[p] == '-';
                p++;
            }
            int e = 0;
            int start = p;
            while (p < to && (d = b[p] - '0') >= 0 && d <= 9) {
                e = Math.min(e * 10 + d, MAX_EXPONENT_DIGITS_VALUE);
                p++;
            }
            if (p == start) {
                return NOT_A_NUMBER;
            }
            if (e == MAX_EXPONENT_DIGITS_VALUE) { // perhaps cut short: the JDK's parser reads the whole text
                return p != to ? NOT_A_NUMBER : Float.parseFloat(new String(b, from, to - from,
                        java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            exponent += negativeExponent ? -e : e;
        }
        if (p != to) {
            return NOT_A_NUMBER;
        }
        if (exact && m <= MAX_EXACT && exponent >= -10 && exponent <= 10) {
            float v = exact(m, exponent);
            return negative ? -v : v;
        }
        // The text matched the grammar above, a subset of Java's float syntax, so this cannot throw.
        return JavaFloatParser.parseFloat(b, from, to - from);
    }

    /**
     * {@code m·10^k}, correctly rounded, for {@code 0 ≤ m ≤ 2^24} and {@code |k| ≤ 10}: both factors are exact
     * floats, so the one multiplication or division is rounded once, to the nearest float.
     */
    static float exact(long m, int k) {
        return k >= 0 ? (float) m * POW10[k] : (float) m / POW10[-k];
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t';
    }
}
