package dev.myelin.core;

import static dev.myelin.core.EngineChecks.SCALAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NaN and ±Inf through the packed engine, on shapes whose depth crosses KC twice (three k blocks), so that the
 * partial sums stored in C between k blocks carry them, with edge rows (m not a multiple of MR) and an edge
 * column panel. For {@code blocked} at the preferred width and at 256 bits and for {@code parallel} on 3
 * threads (the shapes are above MIN_FLOPS):
 * <ul>
 * <li>a NaN in row i of X, in column j of W or in b[j] makes exactly row i / column j of Y NaN, for identity,
 *     relu, sigmoid and tanh; the anomalies sit in the first, second and last k block, in full and edge tiles;</li>
 * <li>±Inf in X and W, and zeros of W meeting them (Inf·0 = NaN), give exactly what IEEE arithmetic gives: for
 *     every element whose exact sum z is infinite or NaN, the result is {@code act.apply((float) z)} — the
 *     scalar kernel's semantics, and the scalar kernel is checked to agree; every other element is finite and
 *     within the forward bound of the double reference;</li>
 * <li>backward: a NaN in X (row p) or dZ (column j) gives NaN in exactly row p / column j of dW (the GEMM depth
 *     m crosses KC), a NaN and an Inf in the accumulated dW stay in their element; a NaN in dZ (row i) or W
 *     (row p) gives NaN in exactly row i / column p of dX (depth n crosses KC).</li>
 * </ul>
 */
class EngineSpecialValuesTest {

    static List<Named<DenseKernel>> kernels() {
        BlockedKernel preferred = new BlockedKernel(0);
        return List.of(
                Named.of("blocked " + preferred.bits() + "-bit (preferred)", preferred),
                Named.of("blocked 256-bit", new BlockedKernel(256)),
                Named.of("parallel 3 threads", new ParallelKernel(0, 3)));
    }

    private static int lanes(DenseKernel kernel) {
        return kernel instanceof BlockedKernel b ? b.lanes() : ((ParallelKernel) kernel).lanes();
    }

    // ------------------------------------------------------------------------------------------- forward, NaN

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void aNaNInXWOrBMakesExactlyItsRowOrColumnNaN(DenseKernel kernel) {
        int kc = EngineBlocks.KC, nr = EngineBlocks.nr(lanes(kernel));
        int m = 10 * EngineBlocks.mr(lanes(kernel)) + 1, k = 2 * kc + 3, n = 2 * nr + 5; // 3 k blocks, an edge row and panel
        Random r = new Random(21);
        Mat x = Mat.strided(m, k, 3, 7).random(r, -1, 1);
        Mat w = Mat.strided(k, n, 5, 3).random(r, -1, 1);
        Mat b = Mat.strided(1, n, 2, 7).random(r, -1, 1);
        Set<Integer> nanRows = Set.of(1, m - 1), nanCols = Set.of(4, n - 1, nr + 2);
        x.set(1, 3, Float.NaN);          // row 1, first k block
        x.set(m - 1, kc + 5, Float.NaN); // the edge row, second k block
        w.set(7, 4, Float.NaN);          // column 4, first k block
        w.set(k - 1, n - 1, Float.NaN);  // the last column (edge panel), last k block
        b.set(0, nr + 2, Float.NaN);     // a bias NaN: column NR + 2
        for (Activation act : KernelConformanceTest.elementwise()) {
            Mat y = Mat.strided(m, n, 7, 3).fill(Float.NaN), y0 = y.copy();
            kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, act, y.a, y.off, y.ld);
            y.assertOutsideUnchanged(y0, kernel.describe() + " forward " + act);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    boolean affected = nanRows.contains(i) || nanCols.contains(j);
                    float v = y.get(i, j);
                    assertEquals(affected, Float.isNaN(v), kernel.describe() + " " + act + " m=" + m + " n=" + n
                            + " k=" + k + ": Y(" + i + ", " + j + ") = " + v + (affected ? " but row " + i
                            + " or column " + j + " holds a NaN" : " though no NaN reaches it"));
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------- forward, Inf

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void infinitiesFollowIeeeAsTheScalarKernelDoes(DenseKernel kernel) {
        int kc = EngineBlocks.KC, nr = EngineBlocks.nr(lanes(kernel));
        int m = 10 * EngineBlocks.mr(lanes(kernel)) + 1, k = 2 * kc + 3, n = 2 * nr + 5;
        Random r = new Random(22);
        Mat x = Mat.strided(m, k, 3, 7).random(r, -1, 1);
        Mat w = Mat.strided(k, n, 5, 3).random(r, -1, 1);
        Mat b = Mat.strided(1, n, 2, 7).random(r, -1, 1);
        x.set(2, 10, Float.POSITIVE_INFINITY);           // row 2: ±Inf by the sign of W(10, j), first k block
        x.set(m - 1, kc + 3, Float.NEGATIVE_INFINITY);   // the edge row, second k block
        w.set(10, 6, 0f);                                // Inf·0 = NaN at (2, 6)
        w.set(kc + 3, n - 2, 0f);                        // and at (m−1, n−2), in the edge panel
        w.set(kc - 1, 9, Float.POSITIVE_INFINITY);       // column 9: ±Inf by the sign of X(i, KC−1);
        w.set(2 * kc + 1, n - 1, Float.NEGATIVE_INFINITY); // last column, last k block; rows 2 and m−1 meet
                                                         // both infinities (+Inf − Inf = NaN where signs clash)
        double[] xd = x.toDouble(), wd = w.toDouble(), bd = b.toDouble();
        double[] mag = DoubleReference.preActivation(m, n, k, x.toDouble(Math::abs), w.toDouble(Math::abs),
                b.toDouble(Math::abs));
        int special = 0;
        for (Activation act : KernelConformanceTest.elementwise()) {
            Mat y = Mat.strided(m, n, 7, 3).fill(Float.NaN), y0 = y.copy(), ys = y.copy();
            kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, act, y.a, y.off, y.ld);
            SCALAR.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, act, ys.a, ys.off, ys.ld);
            y.assertOutsideUnchanged(y0, kernel.describe() + " forward " + act);
            special = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    // IEEE in double: finite + ±Inf·w = ±Inf, Inf·0 = NaN, Inf − Inf = NaN, in any order
                    double z = bd[j];
                    for (int p = 0; p < k; p++) {
                        z += xd[i * k + p] * wd[p * n + j];
                    }
                    float got = y.get(i, j), scalar = ys.get(i, j);
                    String at = kernel.describe() + " " + act + " m=" + m + " n=" + n + " k=" + k + ": Y(" + i + ", "
                            + j + ") = " + got;
                    if (Double.isFinite(z)) {
                        double ref = DoubleReference.activate(act, z);
                        double bound = EngineChecks.forwardBound(k, new double[] {mag[i * n + j]},
                                new double[] {ref})[0];
                        assertTrue(Math.abs(got - ref) <= bound, at + ", expected " + ref + " ± " + bound);
                    } else {
                        special++;
                        float expected = act.apply((float) z);
                        assertTrue(sameValue(expected, scalar), "the scalar kernel " + act + " gives " + scalar
                                + " at (" + i + ", " + j + "), IEEE says " + expected + " (z = " + z + ")");
                        assertTrue(sameValue(expected, got), at + ", IEEE (and the scalar kernel) say " + expected
                                + " (z = " + z + ")");
                    }
                }
            }
        }
        assertTrue(special >= 2 * n + m, "the infinities reach rows 2 and m−1 and column 9: " + special);
    }

    /** Equal as values, NaN matching NaN (0 and −0 are equal). */
    private static boolean sameValue(float expected, float got) {
        return Float.isNaN(expected) ? Float.isNaN(got) : got == expected;
    }

    // ------------------------------------------------------------------------------------------- backward

    /**
     * Finite products whose sum overflows partway (docs/architecture.md): x = (2, 2), w = (−3·10³⁸, 3·10³⁸), exact
     * sum 0. The engine sums with fma along k, so 2·(−3·10³⁸) overflows to −∞ and the fma with 2·3·10³⁸, exact inside
     * it, leaves −∞; the scalar kernel multiplies and then adds, −∞ + ∞ = NaN (as float32 numpy's matmul gives). With
     * the pair at inputs 150 and 151 of k = 300, the engine's two k blocks of 150 part it, the blocks' partial sums
     * are −∞ and +∞, and the engine gives NaN too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void aSumOfFiniteProductsThatOverflowsFollowsTheFmaChain(DenseKernel kernel) {
        int m = 7;
        int n = 3;
        for (int k : new int[] {2, 40, 300}) {
            float[] x = new float[m * k];
            java.util.Arrays.fill(x, 2f);
            float[] w = new float[k * n];
            for (int j = 0; j < n; j++) {
                w[(k / 2 - 1) * n + j] = -3e38f;
                w[(k / 2) * n + j] = 3e38f;
            }
            float[] fused = new float[m * n];
            float[] scalar = new float[m * n];
            kernel.forward(m, n, k, x, 0, k, w, 0, n, null, 0, Activation.IDENTITY, fused, 0, n);
            SCALAR.forward(m, n, k, x, 0, k, w, 0, n, null, 0, Activation.IDENTITY, scalar, 0, n);
            for (int e = 0; e < m * n; e++) {
                assertTrue(Float.isNaN(scalar[e]), "scalar, k = " + k + ": " + scalar[e]);
                float expected = k == 300 ? Float.NaN : Float.NEGATIVE_INFINITY;
                assertEquals(expected, fused[e], "k = " + k + ", Y[" + e / n + "][" + e % n + "]");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void aNaNReachesExactlyItsRowOrColumnOfDwAndDx(DenseKernel kernel) {
        int kc = EngineBlocks.KC, nr = EngineBlocks.nr(lanes(kernel));
        Random r = new Random(23);

        // dW[k×n] = Xᵀ·dZ: a GEMM k×n×m; m crosses KC twice, n > 2·NR (the transposed X is packed)
        int m = 2 * kc + 3, k = 8 * EngineBlocks.mr(lanes(kernel)) + 1, n = 2 * nr + 5;
        Mat x = Mat.strided(m, k, 3, 7).random(r, -1, 1);
        Mat dz = Mat.strided(m, n, 5, 3).random(r, -1, 1);
        x.set(kc + 1, 4, Float.NaN);       // row 4 of dW, from the second k block
        dz.set(3, n - 1, Float.NaN);       // column n − 1 of dW (edge panel), first k block
        dz.set(m - 1, nr, Float.NaN);      // column NR of dW, last k block
        for (boolean accumulate : new boolean[] {false, true}) {
            Mat dw = Mat.strided(k, n, 2, 7);
            if (accumulate) {
                dw.random(r, -1, 1);
                dw.set(0, 0, Float.NaN);
                dw.set(1, 1, Float.POSITIVE_INFINITY);
            } else {
                dw.fill(Float.NaN); // overwritten: never read
            }
            Mat dw0 = dw.copy();
            kernel.weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, dw.a, dw.off, dw.ld, accumulate);
            dw.assertOutsideUnchanged(dw0, kernel.describe() + " weightGradient");
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    boolean nan = p == 4 || j == n - 1 || j == nr || (accumulate && p == 0 && j == 0);
                    float v = dw.get(p, j);
                    String at = kernel.describe() + " weightGradient" + (accumulate ? "[accumulate]" : "") + " m=" + m
                            + " n=" + n + " k=" + k + ": dW(" + p + ", " + j + ") = " + v;
                    assertEquals(nan, Float.isNaN(v), at);
                    if (!nan && accumulate && p == 1 && j == 1) {
                        assertEquals(Float.POSITIVE_INFINITY, v, at + ": Inf + finite stays Inf");
                    } else if (!nan) {
                        assertTrue(Float.isFinite(v), at);
                    }
                }
            }
        }

        // dX[m×k] = dZ·Wᵀ: a GEMM m×k×n; n crosses KC twice, W is read transposed (packed by gathers)
        int m2 = 8 * EngineBlocks.mr(lanes(kernel)) + 1, n2 = 2 * kc + 3, k2 = 2 * nr + 5;
        Mat dz2 = Mat.strided(m2, n2, 1, 3).random(r, -1, 1);
        Mat w2 = Mat.strided(k2, n2, 6, 7).random(r, -1, 1);
        dz2.set(5, kc + 2, Float.NaN);     // row 5 of dX, second k block
        dz2.set(m2 - 1, 0, Float.NaN);     // the edge row of dX, first k block
        w2.set(k2 - 1, n2 - 1, Float.NaN); // column k2 − 1 of dX (edge panel), last k block
        w2.set(nr + 1, 3, Float.NaN);      // column NR + 1 of dX, first k block
        Mat dx = Mat.strided(m2, k2, 4, 3).fill(Float.NaN), dx0 = dx.copy();
        kernel.inputGradient(m2, n2, k2, dz2.a, dz2.off, dz2.ld, w2.a, w2.off, w2.ld, dx.a, dx.off, dx.ld);
        dx.assertOutsideUnchanged(dx0, kernel.describe() + " inputGradient");
        for (int i = 0; i < m2; i++) {
            for (int p = 0; p < k2; p++) {
                boolean nan = i == 5 || i == m2 - 1 || p == k2 - 1 || p == nr + 1;
                float v = dx.get(i, p);
                assertEquals(nan, Float.isNaN(v), kernel.describe() + " inputGradient m=" + m2 + " n=" + n2 + " k="
                        + k2 + ": dX(" + i + ", " + p + ") = " + v);
            }
        }
    }
}
