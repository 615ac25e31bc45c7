package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link DecimalParser} against {@link Float#parseFloat}, the reference, bit for bit. */
class DecimalParserTest {

    private static float parse(String s) {
        byte[] b = ("##" + s + "##").getBytes(StandardCharsets.US_ASCII); // a range inside a larger array
        return DecimalParser.parse(b, 2, b.length - 2);
    }

    private static void assertSame(String s) {
        float expected = Float.parseFloat(s.strip());
        float actual = parse(s);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                () -> "'" + s + "': expected " + expected + " but got " + actual);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "+0", "0.0", "-0.0", "1", "-1", "+1", "255", ".5", "5.", "+.5", "-.5", "-5.",
            "0.1", "0.2", "0.3", "3.14159", "1e-3", "1E3", "1e+3", "2.5e-10", "1e10", "1e-10", "1e11", "1e-11",
            " 7 ", "\t7\t", "  -3.5e2  ", "16777216", "16777217", "16777218", "16777219", "33554431", "33554433",
            "1677721.7", "167772.17", "0.16777217", "1.00000005960464477539062500", "1.00000005960464477539062501",
            "1.00000005960464477539062499", "1.0000000596046448", "0.000000000000000000000000000000000000000000001",
            "1.4e-45", "7.006492321624085e-46", "7.006492321624086e-46", "1e-46", "1.17549435e-38",
            "1.1754942e-38", "3.4028235e38", "3.4028235677973366e38", "3.4028236e38", "-3.4028235e38",
            "123456789012345678901234567890", "0.000000000000000000000000000001234567890123456789", "00000001",
            "0000.0001000", "9999999", "99999999", "4.9999999", "1234567.5", "1234568.5", "8388609.5", "8388610.5",
            "1e38", "1e-38", "1e-45", "1.5e-45", "2.1e-45", "0e100000000", "0.0e-99999999999"})
    void edgeCasesMatchParseFloat(String s) {
        assertSame(s);
    }

    /**
     * A fraction's leading zeros lower the exponent, so an exponent far beyond any float's can still give an
     * ordinary number: 0.(100 000 zeros)1e100001 is exactly 1. Read exactly, as Float.parseFloat reads it, not with
     * the exponent cut short (which gave 0.1).
     */
    @Test
    void aHugeExponentAfterManyLeadingZerosIsReadExactly() {
        String zeros = "0".repeat(100_000);
        assertEquals(1f, parse("0." + zeros + "1e100001"));
        assertEquals(1.5f, parse("0." + zeros + "15e100001"));
        assertEquals(1e9f, parse("0." + zeros + "1e100010"));
        assertEquals(Float.POSITIVE_INFINITY, parse("0." + zeros + "1e100040"));
        assertEquals(Float.NEGATIVE_INFINITY, parse("-1e123456789012"));
        assertEquals(0f, parse("1e-123456789012"));
        assertEquals(Float.MIN_VALUE, parse("0." + zeros + "14e99956"));
    }

    @Test
    void outOfRangeIsInfinite() {
        assertEquals(Float.POSITIVE_INFINITY, parse("1e39"));
        assertEquals(Float.NEGATIVE_INFINITY, parse("-3.5e38"));
        assertEquals(Float.POSITIVE_INFINITY, parse("1e99999999999"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "+", "-", ".", "+.", "-.e1", "e5", "1e", "1e+", "1.2.3", "1..2", "0x10", "1f",
            "1d", "NaN", "Infinity", "-inf", "--1", "+-1", "1 2", "1,2", "1_000", "١", "1e1.5", "'1'", "\"1\""})
    void notNumbersAreNaN(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        assertTrue(Float.isNaN(DecimalParser.parse(b, 0, b.length)), () -> "'" + s + "' should be rejected");
    }

    @Test
    void randomFloatsInJavasSpellings() {
        long seed = 42;
        Random random = new Random(seed);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            assertSame(Float.toString(f));
            assertSame(Double.toString(Float.intBitsToFloat(random.nextInt()) * random.nextDouble())
                    .replace("Infinity", "1").replace("NaN", "2"));
        }
    }

    @Test
    void randomDecimalsNearTheFastPathsLimits() {
        long seed = 7;
        Random random = new Random(seed);
        for (int i = 0; i < 300_000; i++) {
            StringBuilder s = new StringBuilder();
            if (random.nextInt(4) == 0) {
                s.append(random.nextBoolean() ? '-' : '+');
            }
            int intDigits = random.nextInt(10);
            int fracDigits = random.nextInt(10);
            if (intDigits + fracDigits == 0) {
                intDigits = 1;
            }
            for (int d = 0; d < intDigits; d++) {
                s.append((char) ('0' + random.nextInt(10)));
            }
            if (fracDigits > 0 || random.nextBoolean()) {
                s.append('.');
            }
            for (int d = 0; d < fracDigits; d++) {
                s.append((char) ('0' + random.nextInt(10)));
            }
            if (random.nextInt(3) == 0) {
                s.append(random.nextBoolean() ? 'e' : 'E').append(random.nextInt(3) == 0 ? "-" : "")
                        .append(random.nextInt(25));
            }
            String text = s.toString();
            assertSame(text);
        }
    }

    /** Halfway cases: the decimal exactly between two floats, and one digit either side of it. */
    @Test
    void halfwayCasesRoundCorrectly() {
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt(0x7F000000));
            java.math.BigDecimal lo = new java.math.BigDecimal(f);
            java.math.BigDecimal hi = new java.math.BigDecimal(Math.nextUp(f));
            java.math.BigDecimal mid = lo.add(hi).divide(java.math.BigDecimal.valueOf(2));
            String m = mid.toString();
            assertSame(m);
            assertSame(mid.add(mid.ulp()).toString());
            assertSame(mid.subtract(mid.ulp()).toString());
        }
    }

    /** The grammar of a number, {@code [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)?}: what the CSV reader's header rule uses. */
    @ParameterizedTest
    @ValueSource(strings = {"1", "-2.5e3", " +.5e-2\t", "5.", "0.000", "1e999", "-1E+7", "007"})
    void numbers(String text) {
        assertTrue(DecimalParser.isNumber(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ".", "+", "e5", "1e", "1e+", "1.5f", "0x10", "nan", "Infinity", "1,5", "1 2",
        "--1", "\uFF11", "1\u00B2", "label"})
    void notNumbers(String text) {
        assertTrue(!DecimalParser.isNumber(text), text);
    }
}
