package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.scalar.ScalarKernel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' bounds ({@link ErrorBounds}) hold for the scalar kernel against a double-precision oracle (half of
 * each bound, the variant having the other half), and tight enough that 0.01 on one output of k = 784 (a fraction
 * of one dropped term) falls outside.
 */
class ErrorBoundsTest {

    @Test
    void theScalarKernelIsWithinHalfTheBoundOfTheExactForward() {
        Random random = new Random(5);
        for (int[] s : new int[][] {{1, 1, 1}, {7, 300, 9}, {33, 784, 17}}) {
            int m = s[0], k = s[1], n = s[2];
            float[] x = uniform(random, m * k), w = uniform(random, k * n), b = uniform(random, n);
            for (Activation act : new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.IDENTITY}) {
                float[] y = new float[m * n];
                new ScalarKernel().forward(m, n, k, x, 0, k, w, 0, n, b, 0, act, y, 0, n);
                double[] allowed = ErrorBounds.forward(m, n, k, x, w, b, act, y);
                double worst = 0;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double z = b[j];
                        for (int p = 0; p < k; p++) {
                            z += (double) x[i * k + p] * w[p * n + j];
                        }
                        double exact = act == Activation.SIGMOID ? 1 / (1 + Math.exp(-z))
                                : act == Activation.TANH ? Math.tanh(z) : z;
                        worst = Math.max(worst, Math.abs(y[i * n + j] - exact) / (allowed[i * n + j]
                                / ErrorBounds.ALLOWANCE));
                    }
                }
                assertTrue(worst <= 1, act + " " + m + "x" + k + "x" + n + ": " + worst + " of the bound");
            }
        }
    }

    /**
     * Terms of one sign: every rounding of a long sum can go the same way, so the error grows with the length, not
     * its square root. The scalar kernel (in order) and the engine stay within half the bound of the exact sum, for
     * the forward's k and the reductions of the backward over m rows (dW, db) and n outputs (dX); the √k bound alone
     * was broken by the scalar kernel already at k = 784 (this test, run on it), and more the longer the sum.
     */
    @Test
    void sumsOfTermsOfOneSignAreWithinTheBoundAtAnyLength() {
        DenseKernel scalar = new ScalarKernel();
        DenseKernel blocked = dev.myelin.core.dispatch.KernelRegistry.get("blocked");
        for (int r : new int[] {784, 4096, 100_000, 1_000_000}) {
            float[] ones = new float[r], tenths = new float[r], y = new float[r];
            java.util.Arrays.fill(ones, 1f);
            java.util.Arrays.fill(tenths, 0.1f);
            double exact = r * (double) 0.1f;
            for (DenseKernel kernel : new DenseKernel[] {scalar, blocked}) {
                String what = kernel.name() + " r=" + r;
                float[] out = new float[1];
                kernel.forward(1, 1, r, ones, 0, r, tenths, 0, 1, null, 0, Activation.IDENTITY, out, 0, 1);
                assertWithinHalf(what + " Y", out[0], exact,
                        ErrorBounds.forward(1, 1, r, ones, tenths, null, Activation.IDENTITY, out)[0]);
                // a bias that cancels the sum does not cancel the sum's rounding (it is added once, at the end)
                float[] cancel = {-(float) exact};
                kernel.forward(1, 1, r, ones, 0, r, tenths, 0, 1, cancel, 0, Activation.IDENTITY, out, 0, 1);
                assertWithinHalf(what + " Y with bias " + cancel[0], out[0], exact + cancel[0],
                        ErrorBounds.forward(1, 1, r, ones, tenths, cancel, Activation.IDENTITY, out)[0]);
                kernel.weightGradient(r, 1, 1, ones, 0, 1, tenths, 0, 1, out, 0, 1, false);
                assertWithinHalf(what + " dW", out[0], exact, ErrorBounds.weightGradient(r, 1, 1, ones, tenths, null)[0]);
                kernel.inputGradient(1, r, 1, ones, 0, r, tenths, 0, r, out, 0, 1);
                assertWithinHalf(what + " dX", out[0], exact, ErrorBounds.inputGradient(1, r, 1, ones, tenths, null)[0]);
                kernel.activationBackward(r, 1, Activation.IDENTITY, ones, 0, 1, tenths, 0, 1, y, 0, 1, out, 0, false);
                assertWithinHalf(what + " db", out[0], exact,
                        ErrorBounds.biasGradient(r, 1, Activation.IDENTITY, ones, tenths)[0]);
            }
        }
    }

    private static void assertWithinHalf(String what, float actual, double exact, double allowed) {
        double error = Math.abs(actual - exact);
        assertTrue(error <= allowed / ErrorBounds.ALLOWANCE, what + ": " + actual + " against " + exact + ", error "
                + error + " over half the bound " + allowed / ErrorBounds.ALLOWANCE);
    }

    @Test
    void anErrorOfAHundredthIsOutsideAtK784() {
        Random random = new Random(6);
        int m = 16, k = 784, n = 16;
        float[] x = uniform(random, m * k), w = uniform(random, k * n), b = uniform(random, n);
        float[] y = new float[m * n];
        new ScalarKernel().forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.IDENTITY, y, 0, n);
        double[] allowed = ErrorBounds.forward(m, n, k, x, w, b, Activation.IDENTITY, y);
        float[] wrong = y.clone();
        // one term of the sum dropped is an error of about |x||w| = 1/4 on average, far above the bound
        wrong[5] += 0.01f;
        String message = ErrorBounds.disagreement("Y", n, y, wrong, allowed);
        assertTrue(message != null && message.startsWith("Y[0][5] = "), message);
        assertTrue(message.endsWith("1 of 256 elements outside)"), message);
        assertNull(ErrorBounds.disagreement("Y", n, y, y.clone(), allowed));
        for (double a : allowed) {
            // 2·c·√784·ε·|X|·|W| ≈ 2·2·28·1.2e-7·196 ≈ 2.6e-3, and 2·γ₇₈₆·|Z| with |Z| up to about 25
            assertTrue(a < 6e-3, "bound " + a);
        }
        float[] nan = y.clone();
        nan[0] = Float.NaN;
        assertEquals("Y[0][0] = NaN vs " + y[0], ErrorBounds.disagreement("Y", n, y, nan, allowed)
                .substring(0, ("Y[0][0] = NaN vs " + y[0]).length()));
    }

    @Test
    void theComparisonNamesTheWorstElementAndLetsNaNAndInfinitiesPropagate() {
        float inf = Float.POSITIVE_INFINITY;
        float[] expected = {1f, 2f, 3f, Float.NaN, inf, -inf};
        double[] allowed = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        // NaN where NaN is expected and the same infinity agree; 0.05 off is half its bound
        ErrorBounds.Comparison inside = ErrorBounds.compare(expected,
                new float[] {1.05f, 2f, 3f, Float.NaN, inf, -inf}, allowed);
        assertTrue(inside.agrees());
        assertEquals(0.5, inside.worstRatio(), 1e-6);
        assertEquals(-1, inside.worst());
        // two outside: 0.3 off (3× its bound) before 1.0 off (10×): the worse is named, not the first
        float[] twoOff = {1.3f, 3f, 3f, Float.NaN, inf, -inf};
        ErrorBounds.Comparison off = ErrorBounds.compare(expected, twoOff, allowed);
        assertEquals(2, off.outside());
        assertEquals(1, off.worst());
        assertEquals(10, off.worstRatio(), 1e-5);
        assertEquals("v[1] = 3.0 vs 2.0 (bound 0.100; 2 of 6 elements outside)",
                ErrorBounds.disagreement("v", 6, expected, twoOff, allowed));
        assertEquals("M[0][1] = 3.0 vs 2.0 (bound 0.100; 2 of 6 elements outside)",
                ErrorBounds.disagreement("M", 3, expected, twoOff, allowed));
        // a NaN for a number, a number for a NaN, and the opposite infinity are each outside, the NaN infinitely
        for (float[] actual : new float[][] {{Float.NaN, 2f, 3f, Float.NaN, inf, -inf},
                {1f, 2f, 3f, 0f, inf, -inf}, {1f, 2f, 3f, Float.NaN, -inf, -inf}}) {
            ErrorBounds.Comparison c = ErrorBounds.compare(expected, actual, allowed);
            assertEquals(1, c.outside(), java.util.Arrays.toString(actual));
            assertEquals(Double.POSITIVE_INFINITY, c.worstRatio(), java.util.Arrays.toString(actual));
        }
    }

    @Test
    void anInfiniteOrNaNBoundLetsNothingThrough() {
        // bounds as the forward computes them from infinite operands: x·w = ∞ gives an infinite (or NaN) bound,
        // ∞·0 a NaN output and a NaN bound; neither may let a finite value, or the other infinity, pass
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {inf, 1f, inf, 1f};
        float[] w = {1f, 0f};
        float[] b = {0f};
        float[] y = new float[2];
        new ScalarKernel().forward(2, 1, 2, x, 0, 2, w, 0, 1, b, 0, Activation.IDENTITY, y, 0, 1);
        assertEquals(inf, y[0]);
        double[] allowed = ErrorBounds.forward(2, 1, 2, x, w, b, Activation.IDENTITY, y);
        assertTrue(ErrorBounds.compare(y, y.clone(), allowed).agrees());
        for (float wrong : new float[] {5f, -inf, Float.MAX_VALUE, Float.NaN}) {
            float[] actual = {wrong, y[1]};
            ErrorBounds.Comparison c = ErrorBounds.compare(y, actual, allowed);
            assertEquals(1, c.outside(), wrong + " for " + y[0] + " (bound " + allowed[0] + ")");
            assertEquals(0, c.worst());
            assertEquals(Double.POSITIVE_INFINITY, c.worstRatio());
        }
        // an infinite operand through a saturating activation: the right result is exact, so nothing else passes
        float[] xInf = {inf, 1f};
        float[] w1 = {1f, 1f};
        for (Activation act : new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.RELU}) {
            float[] sign = act == Activation.RELU ? new float[] {-inf, 1f} : xInf;
            float[] out = new float[1];
            new ScalarKernel().forward(1, 1, 2, sign, 0, 2, w1, 0, 1, null, 0, act, out, 0, 1);
            double[] bound = ErrorBounds.forward(1, 1, 2, sign, w1, null, act, out);
            assertTrue(ErrorBounds.compare(out, out.clone(), bound).agrees(), act.id());
            ErrorBounds.Comparison c = ErrorBounds.compare(out, new float[] {out[0] - 0.5f}, bound);
            assertEquals(1, c.outside(), act.id() + ": " + (out[0] - 0.5f) + " for " + out[0] + " (bound "
                    + bound[0] + ")");
            assertEquals(Double.POSITIVE_INFINITY, c.worstRatio());
        }
        // relu passes no dY where y ≤ 0, an infinite one included: db's bound stays finite, not ∞·0
        double[] dbBound = ErrorBounds.biasGradient(2, 1, Activation.RELU, new float[] {0f, 1f},
                new float[] {inf, 0.5f});
        assertTrue(Double.isFinite(dbBound[0]) && dbBound[0] > 0, "bound " + dbBound[0]);
        assertTrue(ErrorBounds.compare(new float[] {0.5f}, new float[] {Math.nextUp(0.5f)}, dbBound).agrees());
        float[] nanOut = {Float.NaN};
        float[] zeroW = {0f, 1f};
        float[] x1 = {inf, 1f};
        new ScalarKernel().forward(1, 1, 2, x1, 0, 2, zeroW, 0, 1, b, 0, Activation.IDENTITY, nanOut, 0, 1);
        double[] nanBound = ErrorBounds.forward(1, 1, 2, x1, zeroW, b, Activation.IDENTITY, nanOut);
        assertTrue(Float.isNaN(nanOut[0]));
        assertTrue(ErrorBounds.compare(nanOut, new float[] {Float.NaN}, nanBound).agrees());
        assertEquals(0, ErrorBounds.compare(nanOut, new float[] {1f}, nanBound).worst());
        // a NaN bound beside finite values: outside, named, not an index of −1
        ErrorBounds.Comparison c = ErrorBounds.compare(new float[] {1f}, new float[] {2f}, new double[] {Double.NaN});
        assertEquals(1, c.outside());
        assertEquals(0, c.worst());
        assertTrue(ErrorBounds.disagreement("v", 1, new float[] {1f}, new float[] {2f}, new double[] {Double.NaN})
                .startsWith("v[0] = 2.0 vs 1.0"));
    }

    private static float[] uniform(Random random, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = 2 * random.nextFloat() - 1;
        }
        return a;
    }
    /** Bad arguments name the operand; none ends in an index exception or a bound computed for softmax. */
    @Test
    void badArgumentsAreRefusedNamingTheOperand() {
        float[] x = new float[8], w = new float[12], y = new float[6];
        assertEquals("X (2×4, row stride 4, offset 0) needs an array of at least 8 elements but its array has 7",
                refused(() -> ErrorBounds.forward(2, 3, 4, new float[7], w, null, Activation.RELU, y)));
        assertEquals("m (rows) must be at least 1, got -1",
                refused(() -> ErrorBounds.forward(-1, 3, 4, x, w, null, Activation.RELU, y)));
        assertEquals("activation softmax: the bounds are element-wise; softmax acts on whole rows",
                refused(() -> ErrorBounds.forward(2, 3, 4, x, w, null, Activation.SOFTMAX, y)));
        assertThrows(NullPointerException.class, () -> ErrorBounds.forward(2, 3, 4, x, w, null, null, y));
        assertEquals("b (1×3, row stride 3, offset 0) needs an array of at least 3 elements but its array has 2",
                refused(() -> ErrorBounds.forward(2, 3, 4, x, w, new float[2], Activation.RELU, y)));
        assertEquals("dZ (2×3, row stride 3, offset 0) needs an array of at least 6 elements but its array has 5",
                refused(() -> ErrorBounds.weightGradient(2, 3, 4, x, new float[5], null)));
        assertEquals("dzAllowed has 5 elements, dZ (2×3) 6",
                refused(() -> ErrorBounds.inputGradient(2, 3, 4, y, w, new double[5])));
        assertEquals("expected, actual and allowed must have one length, got 3, 2 and 3",
                refused(() -> ErrorBounds.compare(new float[3], new float[2], new double[3])));
        assertEquals("expected, actual and allowed must have one length, got 3, 4 and 3",
                refused(() -> ErrorBounds.compare(new float[3], new float[4], new double[3])));
        assertEquals("cols 0 does not divide 6 elements into rows",
                refused(() -> ErrorBounds.disagreement("Y", 0, y, y, new double[6])));
        assertEquals("cols 4 does not divide 6 elements into rows",
                refused(() -> ErrorBounds.disagreement("Y", 4, y, y, new double[6])));
    }

    private static String refused(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }
}
