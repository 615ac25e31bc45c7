package dev.myelin.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.function.Predicate;
import java.util.function.Supplier;

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
        return shortest(Double.toString(v), () -> new BigDecimal(v), d -> d.doubleValue() == v);
    }

    /** As {@link #shortest(double)} for a float: the digits that read back to the same float. */
    private static BigDecimal shortest(float v) {
        return shortest(Float.toString(v), () -> new BigDecimal(v), d -> d.floatValue() == v);
    }

    /**
     * Java's shortest digits {@code javaText} of a value whose exact decimal is {@code exactValue}'s (made only
     * when needed: rarely), or one digit where Java wrote two and one reads back ({@code readsBack}), the closer of
     * the two one-digit roundings.
     */
    private static BigDecimal shortest(String javaText, Supplier<BigDecimal> exactValue,
                                       Predicate<BigDecimal> readsBack) {
        BigDecimal java = new BigDecimal(javaText).stripTrailingZeros();
        if (java.precision() != 2) {
            return java;
        }
        BigDecimal exact = exactValue.get();
        BigDecimal best = java;
        for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
            BigDecimal one = exact.round(new MathContext(1, mode));
            if (readsBack.test(one) && (best == java
                    || one.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
                best = one;
            }
        }
        return best.stripTrailingZeros();
    }

    /**
     * A float as numpy 1.x writes it ({@code str(np.float32(v))}; the oracle's numpy is 1.24.2, and numpy 2.3 moved
     * float32's switch to the exponent form lower): the shortest digits that read back to the same float, in
     * Python's layout, except that numpy chooses the exponent form by the value itself (below 10⁻⁴ or from 10¹⁶ on),
     * not by its shortest digits: {@code 0.1}, {@code 1e-07}, {@code 0.8807971}, {@code 1e-04} (for
     * the float nearest 10⁻⁴, just below it), {@code 3.4028235e+38}, {@code nan}, {@code inf}.
     */
    static String repr(float v) {
        if (Float.isNaN(v) || Float.isInfinite(v) || v == 0) {
            return repr((double) v);
        }
        double magnitude = Math.abs((double) v);
        return layout(shortest(v), v < 0, magnitude < 1e-4 || magnitude >= 1e16);
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
        BigDecimal digits = shortest(v);
        int exponent = digits.precision() - 1 - digits.scale();
        return layout(digits, v < 0, exponent < -4 || exponent >= 16);
    }

    /**
     * Python's layout of a finite, non-zero value's shortest digits (see the class comment), in the exponent form
     * when {@code exponentForm}.
     */
    private static String layout(BigDecimal shortest, boolean negative, boolean exponentForm) {
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - shortest.scale(); // of the first digit
        StringBuilder s = new StringBuilder(negative ? "-" : "");
        if (exponentForm) {
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
