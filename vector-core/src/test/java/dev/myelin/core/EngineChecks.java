package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.scalar.ScalarKernel;

/**
 * The error checks of the engine tests, on {@link Strided} views, with the bounds of {@link Conformance}
 * (c = {@value Conformance#C}, ε = 2⁻²³; see its class comment for their derivation):
 * <pre>
 *  forward        |y − y*| ≤ c·k·ε·(|X|·|W| + |b|) + 4ε·|y*| + 2⁻¹²⁶
 *  weightGradient |dW − dW*| ≤ c·(m [+1])·ε·(|X|ᵀ·|dZ| [+ |dW₀|])
 *  inputGradient  |dX − dX*| ≤ c·n·ε·(|dZ|·|W|ᵀ)
 * </pre>
 * against the double reference, and twice that against the scalar kernel.
 */
final class EngineChecks {

    static final ScalarKernel SCALAR = new ScalarKernel();

    private EngineChecks() {
    }

    /** The forward bound for each element: {@code c·k·ε·mag + 4ε·|ref| + τ}. */
    static double[] forwardBound(int k, double[] mag, double[] ref) {
        double[] bound = new double[mag.length];
        for (int t = 0; t < bound.length; t++) {
            bound[t] = Conformance.C * k * Conformance.EPS * mag[t]
                    + Conformance.ACTIVATION_ULPS * Conformance.EPS * Math.abs(ref[t]) + Conformance.TINY;
        }
        return bound;
    }

    /** {@code c·d·ε·mag}: the bound of a d-term reduction. */
    static double[] reductionBound(int d, double[] mag) {
        double[] bound = new double[mag.length];
        for (int t = 0; t < bound.length; t++) {
            bound[t] = Conformance.C * d * Conformance.EPS * mag[t];
        }
        return bound;
    }

    /**
     * Every element of {@code actual}'s view within {@code bound} of {@code ref} (NaN never is), and within twice
     * the bound of {@code scalar}'s view; fails with the count and the worst element.
     */
    static void assertWithin(String what, Strided actual, double[] ref, double[] bound, Strided scalar) {
        check(what + " vs double reference", actual, ref, bound, 1);
        check(what + " vs scalar kernel", actual, scalar.toDouble(), bound, 2);
    }

    static void check(String what, Strided actual, double[] ref, double[] bound, double allowance) {
        int bad = 0, worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < actual.rows; i++) {
            for (int j = 0; j < actual.cols; j++) {
                int t = i * actual.cols + j;
                double err = Math.abs(actual.get(i, j) - ref[t]);
                double allowed = allowance * bound[t];
                if (!(err <= allowed)) {
                    bad++;
                    double ratio = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / allowed;
                    if (worst < 0 || ratio > worstRatio) {
                        worst = t;
                        worstRatio = ratio;
                    }
                }
            }
        }
        if (bad > 0) {
            int i = worst / actual.cols, j = worst % actual.cols;
            fail(what + ": " + bad + " of " + actual.rows * actual.cols + " elements outside the bound (c = "
                    + Conformance.C + ", ε = 2^-23); worst at (" + i + ", " + j + "): got " + actual.get(i, j)
                    + ", expected " + ref[worst] + ", |error| " + Math.abs(actual.get(i, j) - ref[worst])
                    + " > allowed " + allowance * bound[worst]);
        }
    }
}
