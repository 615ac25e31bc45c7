package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IEEE special values, stale output buffers, accumulation and aliasing, for every variant. Shapes are
 * chosen to cross every tile edge: m = 6 (a 4-row tile and 2 edge rows), n = 37 (two 16-lane vectors and
 * a masked tail at 512 bits; more vectors at narrower widths), k = 19.
 */
class SpecialValuesTest {

    static final int M = 6;
    static final int N = 37;
    static final int K = 19;

    static List<Named<DenseKernel>> variants() {
        return Variants.all();
    }

    // ------------------------------------------------------------------------------------------- NaN / Inf

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void nanInARowOfXMakesThatRowOfYNaNForEveryActivation(DenseKernel kernel) {
        Random r = new Random(11);
        float[] x = random(r, M * K), w = random(r, K * N), b = random(r, N);
        x[1 * K + 7] = Float.NaN; // row 1: inside the 4-row tile
        x[5 * K] = Float.NaN;     // row 5: an edge row
        for (Activation act : KernelConformanceTest.elementwise()) {
            float[] y = new float[M * N];
            kernel.forward(M, N, K, x, 0, K, w, 0, N, b, 0, act, y, 0, N);
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    float v = y[i * N + j];
                    if (i == 1 || i == 5) {
                        assertTrue(Float.isNaN(v), kernel.describe() + " " + act + ": Y[" + i + "][" + j + "] = " + v
                                + " but row " + i + " of X holds a NaN");
                    } else {
                        assertTrue(Float.isFinite(v), kernel.describe() + " " + act + ": Y[" + i + "][" + j + "] = " + v);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void infinityInXFollowsIeee(DenseKernel kernel) {
        Random r = new Random(12);
        float[] x = random(r, M * K), w = random(r, K * N), b = random(r, N);
        x[2 * K + 3] = Float.POSITIVE_INFINITY;
        x[4 * K + 10] = Float.NEGATIVE_INFINITY;
        w[3 * N + 5] = 0f;   // Inf·0 = NaN in column 5 of row 2
        w[10 * N + 36] = 0f; // and in the last (masked) column of row 4
        for (Activation act : KernelConformanceTest.elementwise()) {
            float[] y = new float[M * N];
            kernel.forward(M, N, K, x, 0, K, w, 0, N, b, 0, act, y, 0, N);
            for (int i : new int[] {2, 4}) {
                for (int j = 0; j < N; j++) {
                    // IEEE in double: finite + ±Inf·w = ±Inf with w's sign, Inf·0 = NaN; then the activation
                    double z = b[j];
                    for (int p = 0; p < K; p++) {
                        z += (double) x[i * K + p] * w[p * N + j];
                    }
                    float expected = act.apply((float) z);
                    float got = y[i * N + j];
                    assertTrue(Float.isNaN(expected) ? Float.isNaN(got) : got == expected,
                            kernel.describe() + " " + act + ": Y[" + i + "][" + j + "] = " + got + ", IEEE says "
                                    + expected + " (z = " + z + ")");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void nanInDyPropagatesToDzDbDwAndDx(DenseKernel kernel) {
        Random r = new Random(13);
        for (Activation act : KernelConformanceTest.elementwise()) {
            float[] y = new float[M * N];
            for (int t = 0; t < y.length; t++) {
                y[t] = 0.1f + 0.8f * r.nextFloat(); // inside every activation's range, and > 0 so relu passes dY
            }
            float[] dy = random(r, M * N);
            dy[2 * N + 36] = Float.NaN; // row 2, last (masked) column
            float[] dz = new float[M * N], db = new float[N];
            kernel.activationBackward(M, N, act, y, 0, N, dy, 0, N, dz, 0, N, db, 0, false);
            String what = kernel.describe() + " " + act;
            for (int t = 0; t < dz.length; t++) {
                assertEquals(t == 2 * N + 36, Float.isNaN(dz[t]), what + ": dZ element " + t + " = " + dz[t]);
            }
            for (int j = 0; j < N; j++) {
                assertEquals(j == 36, Float.isNaN(db[j]), what + ": db[" + j + "] = " + db[j]);
            }
            float[] x = random(r, M * K), dw = new float[K * N];
            kernel.weightGradient(M, N, K, x, 0, K, dz, 0, N, dw, 0, N, false);
            for (int t = 0; t < dw.length; t++) {
                assertEquals(t % N == 36, Float.isNaN(dw[t]), what + ": dW[" + t / N + "][" + t % N + "] = " + dw[t]);
            }
            float[] w = random(r, K * N), dx = new float[M * K];
            kernel.inputGradient(M, N, K, dz, 0, N, w, 0, N, dx, 0, K);
            for (int t = 0; t < dx.length; t++) {
                assertEquals(t / K == 2, Float.isNaN(dx[t]), what + ": dX[" + t / K + "][" + t % K + "] = " + dx[t]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void reluGradientFollowsTheScalarRule(DenseKernel kernel) {
        // dZ = (y <= 0) ? 0 : dY: a zero or negative output stops even a NaN dY; a NaN output lets dY through
        float[] y = {Float.NaN, 0f, -0f, 1f, -2f, Float.POSITIVE_INFINITY};
        float[] dy = {2f, Float.NaN, 3f, 4f, Float.NaN, 5f};
        float[] dz = new float[6], db = new float[6];
        kernel.activationBackward(1, 6, Activation.RELU, y, 0, 6, dy, 0, 6, dz, 0, 6, db, 0, false);
        assertArrayBits(new float[] {2f, 0f, 0f, 4f, 0f, 5f}, dz, kernel.describe() + " relu dZ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void softmaxOfARowWithNaNIsNaNAndOtherRowsAreUntouched(DenseKernel kernel) {
        Random r = new Random(14);
        float[] z = random(r, 3 * N);
        z[N + 20] = Float.NaN;
        kernel.softmaxRows(3, N, z, 0, N);
        for (int t = 0; t < z.length; t++) {
            assertEquals(t / N == 1, Float.isNaN(z[t]), kernel.describe() + ": P element " + t + " = " + z[t]);
        }
        float[] infRow = random(r, N);
        infRow[0] = Float.NEGATIVE_INFINITY; // exp(−Inf − max) = 0: a legal input, probability 0
        kernel.softmaxRows(1, N, infRow, 0, N);
        assertEquals(0f, infRow[0], kernel.describe() + ": softmax of −Inf");
        double sum = 0;
        for (float p : infRow) {
            sum += p;
        }
        assertEquals(1.0, sum, 1e-5, kernel.describe() + ": row sum with a −Inf entry");
    }

    // ------------------------------------------------------------------------------------------- stale outputs

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void oldOutputContentsAreIgnoredWhenOverwriting(DenseKernel kernel) {
        Random r = new Random(15);
        float[] x = random(r, M * K), w = random(r, K * N), b = random(r, N), y = new float[M * N];
        for (int t = 0; t < y.length; t++) {
            y[t] = r.nextFloat();
        }
        float[] dy = random(r, M * N), t = random(r, M * N);
        int[] labels = {0, 36, 5, 17, 16, 1};
        String what = kernel.describe();
        for (Activation act : KernelConformanceTest.elementwise()) {
            float[] clean = new float[M * N], stale = nans(M * N);
            kernel.forward(M, N, K, x, 0, K, w, 0, N, b, 0, act, clean, 0, N);
            kernel.forward(M, N, K, x, 0, K, w, 0, N, b, 0, act, stale, 0, N);
            assertArrayBits(clean, stale, what + " forward " + act + " into a NaN-filled Y");

            float[] dzClean = new float[M * N], dbClean = new float[N], dzStale = nans(M * N), dbStale = nans(N);
            kernel.activationBackward(M, N, act, y, 0, N, dy, 0, N, dzClean, 0, N, dbClean, 0, false);
            kernel.activationBackward(M, N, act, y, 0, N, dy, 0, N, dzStale, 0, N, dbStale, 0, false);
            assertArrayBits(dzClean, dzStale, what + " activationBackward " + act + " dZ");
            assertArrayBits(dbClean, dbStale, what + " activationBackward " + act + " db");
        }
        float[] dwClean = new float[K * N], dwStale = nans(K * N);
        kernel.weightGradient(M, N, K, x, 0, K, dy, 0, N, dwClean, 0, N, false);
        kernel.weightGradient(M, N, K, x, 0, K, dy, 0, N, dwStale, 0, N, false);
        assertArrayBits(dwClean, dwStale, what + " weightGradient dW");

        float[] dxClean = new float[M * K], dxStale = nans(M * K);
        kernel.inputGradient(M, N, K, dy, 0, N, w, 0, N, dxClean, 0, K);
        kernel.inputGradient(M, N, K, dy, 0, N, w, 0, N, dxStale, 0, K);
        assertArrayBits(dxClean, dxStale, what + " inputGradient dX");

        float[] dzClean = new float[M * N], dbClean = new float[N], dzStale = nans(M * N), dbStale = nans(N);
        kernel.outputMinusTarget(M, N, y, 0, N, t, 0, N, 0.25f, dzClean, 0, N, dbClean, 0, false);
        kernel.outputMinusTarget(M, N, y, 0, N, t, 0, N, 0.25f, dzStale, 0, N, dbStale, 0, false);
        assertArrayBits(dzClean, dzStale, what + " outputMinusTarget dZ");
        assertArrayBits(dbClean, dbStale, what + " outputMinusTarget db");

        dzClean = new float[M * N];
        dbClean = new float[N];
        dzStale = nans(M * N);
        dbStale = nans(N);
        kernel.softmaxCrossEntropyBackward(M, N, y, 0, N, labels, 0, 0.25f, dzClean, 0, N, dbClean, 0, false);
        kernel.softmaxCrossEntropyBackward(M, N, y, 0, N, labels, 0, 0.25f, dzStale, 0, N, dbStale, 0, false);
        assertArrayBits(dzClean, dzStale, what + " softmaxCrossEntropyBackward dZ");
        assertArrayBits(dbClean, dbStale, what + " softmaxCrossEntropyBackward db");
    }

    // ------------------------------------------------------------------------------------------- accumulate

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void accumulateAddsToThePriorContents(DenseKernel kernel) {
        Random r = new Random(16);
        float[] x = random(r, M * K), dz = random(r, M * N), y = random(r, M * N);
        String what = kernel.describe();

        float[] dw = new float[K * N];
        kernel.weightGradient(M, N, K, x, 0, K, dz, 0, N, dw, 0, N, false);
        float[] dwAcc = new float[K * N]; // onto zeros: exactly the overwrite result (adding 0 is exact) ...
        kernel.weightGradient(M, N, K, x, 0, K, dz, 0, N, dwAcc, 0, N, true);
        assertArrayBits(dw, dwAcc, what + " dW accumulated onto zeros");
        kernel.weightGradient(M, N, K, x, 0, K, dz, 0, N, dwAcc, 0, N, true); // ... and twice: 2·dW
        for (int t = 0; t < dw.length; t++) {
            assertEquals(2 * dw[t], dwAcc[t], Conformance.C * (M + 1) * Conformance.EPS * 2 * Math.abs(dw[t]) + 1e-30,
                    what + " dW accumulated twice, element " + t);
        }
        float[] dwNaN = nans(K * N); // the prior is really read
        kernel.weightGradient(M, N, K, x, 0, K, dz, 0, N, dwNaN, 0, N, true);
        for (float v : dwNaN) {
            assertTrue(Float.isNaN(v), what + " dW accumulated onto NaN");
        }

        float[] dzOut = new float[M * N], db = new float[N], dbAcc = new float[N], dbNaN = nans(N);
        kernel.activationBackward(M, N, Activation.TANH, y, 0, N, dz, 0, N, dzOut, 0, N, db, 0, false);
        kernel.activationBackward(M, N, Activation.TANH, y, 0, N, dz, 0, N, dzOut, 0, N, dbAcc, 0, true);
        assertArrayBits(db, dbAcc, what + " db accumulated onto zeros");
        kernel.activationBackward(M, N, Activation.TANH, y, 0, N, dz, 0, N, dzOut, 0, N, dbNaN, 0, true);
        for (float v : dbNaN) {
            assertTrue(Float.isNaN(v), what + " db accumulated onto NaN");
        }
    }

    // ------------------------------------------------------------------------------------------- aliasing

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void dzMayBeTheVeryViewOfDy(DenseKernel kernel) {
        Random r = new Random(17);
        int off = 3, ld = N + 2;
        for (Activation act : KernelConformanceTest.elementwise()) {
            float[] y = new float[off + M * ld];
            for (int t = 0; t < y.length; t++) {
                y[t] = r.nextFloat();
            }
            float[] dy = random(r, off + M * ld);
            float[] dz = new float[dy.length], db = new float[N];
            kernel.activationBackward(M, N, act, y, off, ld, dy, off, ld, dz, off, ld, db, 0, false);

            float[] shared = dy.clone(), dbShared = new float[N];
            kernel.activationBackward(M, N, act, y, off, ld, shared, off, ld, shared, off, ld, dbShared, 0, false);
            for (int i = 0; i < M; i++) {
                for (int j = 0; j < N; j++) {
                    int at = off + i * ld + j;
                    assertEquals(Float.floatToIntBits(dz[at]), Float.floatToIntBits(shared[at]),
                            kernel.describe() + " " + act + ": dZ aliasing dY differs at (" + i + ", " + j + ")");
                }
            }
            assertArrayBits(db, dbShared, kernel.describe() + " " + act + ": db with dZ aliasing dY");
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int t = 0; t < n; t++) {
            a[t] = 2 * r.nextFloat() - 1;
        }
        return a;
    }

    static float[] nans(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }

    /** Bitwise equality, except that every NaN equals every NaN and +0 equals −0. */
    static void assertArrayBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int t = 0; t < expected.length; t++) {
            boolean same = Float.isNaN(expected[t]) ? Float.isNaN(actual[t]) : expected[t] == actual[t];
            if (!same) {
                fail(what + ": element " + t + " is " + actual[t] + ", expected " + expected[t]);
            }
        }
    }
}
