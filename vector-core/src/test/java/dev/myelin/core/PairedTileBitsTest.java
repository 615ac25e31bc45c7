package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 512-bit paired tiles (PackedGemm.pairedTiles: a transposed A, no bias, identity) give the bits of the
 * 128-bit engine, which has no paired tiles, on the cases the width test does not reach: every group size 7..12
 * and every row count 7..25 (and 36, 37, 43), a partial wide panel (cols between L and NR), k = 1, 2 and two k
 * blocks, beta 0 / 0.5 / 1, B row-major (in place for m <= 12) and transposed (packed), A's view ending exactly
 * at its array's end (the scalar fallback of packColumns) and surrounded by NaN and Inf (the garbage lanes), and
 * the thin weight gradient (C transposed, ccs != 1) with n = 7..15, also accumulating; and the paired tiles of an
 * A read in place (PackedGemm.panelAtATime, and pairedInPlaceTiles over the panels-outside limit).
 */
class PairedTileBitsTest {

    private static final float[] GUARDS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3.4e38f};

    private static List<GemmKernel> kernels() {
        List<GemmKernel> ks = new ArrayList<>();
        ks.add(new BlockedKernel(128)); // reference: no paired tiles at 4 lanes
        ks.add(new BlockedKernel(512));
        ks.add(new ParallelKernel(512, 2));
        ks.add(new ParallelKernel(512, 3));
        ks.add(new BlockedKernel(256));
        return ks;
    }

    /** A rows×cols view, row stride ld, at off, in an array with `tail` floats after its last element. */
    private static float[] view(int rows, int cols, int off, int ld, int tail, Random r, boolean random) {
        float[] a = new float[off + (rows - 1) * ld + cols + tail];
        for (int i = 0; i < a.length; i++) {
            a[i] = GUARDS[r.nextInt(GUARDS.length)];
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                a[off + i * ld + j] = random ? r.nextFloat() * 2 - 1 : 0f;
            }
        }
        return a;
    }

    private static void same(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": index " + i + " expected " + expected[i] + " was " + actual[i]);
            }
        }
    }

    @Test
    void sgemmWithATransposedGivesTheBitsOfTheSixRowPath() {
        List<GemmKernel> ks = kernels();
        int[] ms = {7, 8, 9, 10, 11, 12, 13, 14, 17, 18, 19, 20, 23, 24, 25, 36, 37, 43};
        int[] ns = {32, 50, 81};
        int[] kks = {1, 2, 5, 300};
        float[][] ab = {{1f, 0f}, {0.75f, 0.3f}, {1f, 1f}};
        int cases = 0;
        for (int m : ms) {
            for (int n : ns) {
                for (int k : kks) {
                    for (float[] alphaBeta : ab) {
                        for (boolean transB : new boolean[] {false, true}) {
                            for (int tail : new int[] {0, 9}) {
                                long seed = 31L * m + 1009L * n + 7L * k + (transB ? 1 : 0) + tail;
                                Random r = new Random(seed);
                                int lda = m + 3, aOff = 5;
                                float[] a = view(k, m, aOff, lda, tail, r, true); // stored k×m, read as Aᵀ
                                int ldb = transB ? k + 2 : n + 1, bOff = 2;
                                float[] b = transB ? view(n, k, bOff, ldb, 3, r, true) : view(k, n, bOff, ldb, 3, r, true);
                                int ldc = n + 7, cOff = 4;
                                float[] c0 = view(m, n, cOff, ldc, 5, r, true);
                                float[] expected = null;
                                String what = "m=" + m + " n=" + n + " k=" + k + " alpha=" + alphaBeta[0] + " beta="
                                        + alphaBeta[1] + " transB=" + transB + " tail=" + tail;
                                for (GemmKernel kernel : ks) {
                                    float[] c = c0.clone();
                                    kernel.sgemm(true, transB, m, n, k, alphaBeta[0], a, aOff, lda, b, bOff, ldb,
                                            alphaBeta[1], c, cOff, ldc, null, 0, Activation.IDENTITY);
                                    if (expected == null) {
                                        expected = c;
                                    } else {
                                        same(expected, c, what + " " + kernel);
                                    }
                                }
                                cases++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(ms.length * ns.length * kks.length * ab.length * 2 * 2, cases);
    }

    /**
     * An A read in place (row-major: the forward's X, the input gradient's dZ), which at 512 bits on Intel
     * (PackedGemm.panelAtATime, each B panel packed just before its pass, or pairedInPlaceTiles for a block over
     * the panels-outside limit; the build runs this class once in each loop order, so on any AVX-512 CPU)
     * goes in groups of 12 rows transposed in registers, the bias and activation applied after the kernel: row
     * counts around the groups' edges (15–17 rows: one group only from 16; 124–129), k around a 16-column block
     * (15, 16, 17, 33) and two k blocks (300), B row-major and transposed, every element-wise activation with and
     * without a bias, beta 0 and 0.5, 200 and 215 columns (the path needs 6 wide panels; 215 ends in a partial
     * one); 2 100 rows, whose groups go in two chunks; 1 740 rows at k = 301, whose first k block (151) is over the
     * limit and second (150) under it, so one product takes both paths; 712 columns (two column blocks, both paired);
     * alpha 0.75 and −1 with beta·C and an activation; k = 0.
     */
    @Test
    void sgemmWithAInPlaceGivesTheBitsOfTheSixRowPath() {
        List<GemmKernel> ks = kernels();
        int[] ms = {15, 16, 17, 28, 29, 124, 127, 129};
        int[] kks = {1, 15, 16, 17, 33, 300};
        Activation[] acts = {Activation.IDENTITY, Activation.RELU, Activation.SIGMOID, Activation.TANH};
        int cases = 0;
        for (int m : ms) {
            for (int k : kks) {
                for (Activation act : acts) {
                    for (boolean transB : new boolean[] {false, true}) {
                        int n = transB ? 200 : 215; // 6 or 7 wide panels (the path's minimum: 6), 215 a partial one
                        boolean withBias = (m + k) % 2 == 0 || act == Activation.IDENTITY;
                        float beta = act == Activation.IDENTITY && k == 300 ? 0.5f : 0f;
                        inPlaceCase(ks, m, n, k, 1f, beta, transB, withBias, act);
                        cases++;
                    }
                }
            }
        }
        inPlaceCase(ks, 2100, 200, 300, 1f, 0f, false, true, Activation.SIGMOID); // two chunks
        inPlaceCase(ks, 1740, 200, 301, 1f, 0f, false, true, Activation.SIGMOID); // k blocks on both sides of the limit
        inPlaceCase(ks, 40, 712, 33, 1f, 0f, false, true, Activation.RELU); // two column blocks (NC = 512)
        inPlaceCase(ks, 40, 712, 300, 0.75f, 0.5f, true, true, Activation.TANH);
        inPlaceCase(ks, 29, 215, 300, 0.75f, 0.5f, false, true, Activation.SIGMOID); // alpha, beta·C and the act
        inPlaceCase(ks, 29, 215, 17, -1f, 1f, false, false, Activation.RELU);
        inPlaceCase(ks, 29, 215, 0, 0.5f, 0.5f, false, true, Activation.SIGMOID); // k = 0: the epilogue only
        cases += 7;
        assertEquals(ms.length * kks.length * acts.length * 2 + 7, cases);
    }

    private static void inPlaceCase(List<GemmKernel> ks, int m, int n, int k, float alpha, float beta,
                                    boolean transB, boolean withBias, Activation act) {
        Random r = new Random(53L * m + 17L * n + 3L * k + (transB ? 1 : 0) + act.ordinal());
        int lda = k + 3, aOff = 5;
        float[] a = view(m, k, aOff, lda, 7, r, true);
        int ldb = transB ? k + 2 : n + 1, bOff = 2;
        float[] b = transB ? view(n, k, bOff, ldb, 3, r, true) : view(k, n, bOff, ldb, 3, r, true);
        int ldc = n + 7, cOff = 4;
        float[] c0 = view(m, n, cOff, ldc, 5, r, true);
        float[] bias = withBias ? view(1, n, 1, n, 2, r, true) : null;
        float[] expected = null;
        String what = "m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + beta + " transB=" + transB
                + " bias=" + withBias + " " + act;
        for (GemmKernel kernel : ks) {
            float[] c = c0.clone();
            kernel.sgemm(false, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, bias,
                    withBias ? 1 : 0, act);
            if (expected == null) {
                expected = c;
            } else {
                same(expected, c, what + " " + kernel);
            }
        }
    }

    @Test
    void thinWeightGradientGivesTheBitsOfTheSixRowPath() {
        List<GemmKernel> gks = kernels();
        int cases = 0;
        for (int n = 7; n <= 15; n++) {
            for (int k : new int[] {32, 45, 50, 64}) {
                for (int batch : new int[] {1, 2, 300}) {
                    for (boolean accumulate : new boolean[] {false, true}) {
                        for (int tail : new int[] {0, 4}) {
                            Random r = new Random(97L * n + 13L * k + batch + (accumulate ? 5 : 0) + tail);
                            int ldx = k + 3, xOff = 1;
                            float[] x = view(batch, k, xOff, ldx, 2, r, true);
                            int ldz = n + 2, zOff = 3;
                            float[] dz = view(batch, n, zOff, ldz, tail, r, true); // A of the thin path: dZ
                            int ldw = n + 5, wOff = 2;
                            float[] dw0 = view(k, n, wOff, ldw, 3, r, accumulate);
                            float[] expected = null;
                            for (GemmKernel g : gks) {
                                DenseKernel kernel = (DenseKernel) g;
                                float[] dw = dw0.clone();
                                kernel.weightGradient(batch, n, k, x, xOff, ldx, dz, zOff, ldz, dw, wOff, ldw,
                                        accumulate);
                                if (expected == null) {
                                    expected = dw;
                                } else {
                                    same(expected, dw, "weightGradient batch=" + batch + " k=" + k + " n=" + n
                                            + " accumulate=" + accumulate + " tail=" + tail + " " + kernel);
                                }
                            }
                            cases++;
                        }
                    }
                }
            }
        }
        assertEquals(9 * 4 * 3 * 2 * 2, cases);
    }
}
