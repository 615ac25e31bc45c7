package dev.myelin.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A double as Python's {@code repr} (and {@code str}, and an f-string's {@code {loss}}) writes it, so that the text
 * epoch lines read as the document's program prints them for every loss, not only for those Java happens to write
 * alike: {@code 0.000737682811505179} where {@link Double#toString} writes {@code 7.37682811505179E-4},
 * {@code 1e-05}, {@code 1e+16}, {@code nan}, {@code inf}.
 *
 * <p>The digits are {@link Double#toString}'s, which since JDK 19 are the shortest that read back to the same
 * double, the closest to it among those: the digits of Python's repr; except that Java writes two digits where one
 * would do (4.9E-324 for 5e-324), so a single digit that reads back is looked for. Python writes
 * them positionally when the decimal exponent e of the first digit is in [−5, 16) (so 0.0001 and
 * 1000000000000000.0), else as {@code d.ddde±XX} with at least two exponent digits; a whole number keeps
 * {@code .0}.
 */
final class PythonFloat {

    private PythonFloat() {
    }

    /** The shortest decimal that reads back to {@code v} (finite, not 0), the closest to it among those. */
    private static BigDecimal shortest(double v) {
        BigDecimal java = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        if (java.precision() != 2) {
            return java;
        }
        BigDecimal exact = new BigDecimal(v);
        BigDecimal best = java;
        for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
            BigDecimal one = exact.round(new MathContext(1, mode));
            if (one.doubleValue() == v && (best == java
                    || one.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
                best = one;
            }
        }
        return best.stripTrailingZeros();
    }

    static String repr(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }
        BigDecimal shortest = shortest(v);
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale(); // of the first digit
        StringBuilder s = new StringBuilder(v < 0 ? "-" : "");
        if (exponent < -4 || exponent >= 16) {
            s.append(digits.charAt(0));
            if (digits.length() > 1) {
                s.append('.').append(digits, 1, digits.length());
            }
            s.append('e').append(exponent < 0 ? '-' : '+');
            int magnitude = Math.abs(exponent);
            return s.append(magnitude < 10 ? "0" : "").append(magnitude).toString();
        }
        if (exponent < 0) {
            return s.append("0.").append("0".repeat(-exponent - 1)).append(digits).toString();
        }
        if (digits.length() <= exponent + 1) {
            return s.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0").toString();
        }
        return s.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length()).toString();
    }
}
