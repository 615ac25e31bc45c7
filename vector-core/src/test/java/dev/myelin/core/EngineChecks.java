package dev.myelin.core;

import dev.myelin.core.scalar.ScalarKernel;
import java.util.Random;

/**
 * The error bounds of the engine tests, with the constants of {@link Conformance}
 * (c = {@value Conformance#C}, ε = 2⁻²³; see its class comment for their derivation):
 * <pre>
 *  forward        |y − y*| ≤ c·k·ε·(|X|·|W| + |b|) + 4ε·|y*| + 2⁻¹²⁶
 *  weightGradient |dW − dW*| ≤ c·(m [+1])·ε·(|X|ᵀ·|dZ| [+ |dW₀|])
 *  inputGradient  |dX − dX*| ≤ c·n·ε·(|dZ|·|W|ᵀ)
 * </pre>
 * checked with {@link Conformance#assertWithin} (against the double reference, and twice the bound against the
 * scalar kernel) or {@link Conformance#check}.
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
     * The inputs of one layer shape in the thread tests ({@link EngineThreadBitsTest}, {@link EngineConcurrencyTest}):
     * X (m×k), W (k×n), b (1×n), dZ (m×n) and a prior dW (k×n), uniform in [−1, 1) and drawn from {@code r} in that
     * order, each a view at its own offset with stride cols + 3 or cols + 7 in a sentinel-filled array.
     */
    static class Operands {
        final int m, k, n;
        final Mat x, w, b, dz, priorDw;

        Operands(int m, int k, int n, Random r) {
            this.m = m;
            this.k = k;
            this.n = n;
            x = Mat.strided(m, k, 3, 7).random(r, -1, 1);
            w = Mat.strided(k, n, 6, 3).random(r, -1, 1);
            b = Mat.strided(1, n, 1, 7).random(r, -1, 1);
            dz = Mat.strided(m, n, 4, 3).random(r, -1, 1);
            priorDw = Mat.strided(k, n, 2, 7).random(r, -1, 1);
        }
    }
}
