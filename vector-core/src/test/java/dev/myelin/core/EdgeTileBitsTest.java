package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The last 1–5 rows of a product (m = 6q + r), which the engine runs through its 2- and 4-row edge kernels
 * (PackedGemm.edgeTile) where the 6 × 2 tile has them, give the bits those rows get inside a whole six-row tile:
 * the same product with 6 − r more rows of A, whose first m rows of C must come out bit for bit the same, and
 * nothing written outside C's view. Every width (the 6-row tile at 512, 256 and 128 bits), one and two threads;
 * every combination of A and B row-major or transposed; the rows left after 0, 1, 2, 3 and 21 tiles (2 tiles: the
 * 12-row paired group of a transposed A at 512 bits, then the edge); whole wide panels (32 columns) and partial
 * ones (46 and 56: a last panel of 14 or 24 columns at 512 bits, 14 at 256, 6 at 128 — 40 would be a whole panel
 * and a narrow one); 200 columns for the paired tiles of an A read in place (six wide panels or more, panels
 * outside; k = 7 only); k = 7 and 300 (two k blocks, the second adding to the first's partial C); alpha and beta·C, and every
 * activation with a bias. And the thin weight gradient computed as Cᵀ (n < 16 columns, A transposed, no bias), whose
 * rows are C's columns: 10 columns are a six-row tile and a 4-row edge, stored transposed through the staging
 * tile. Mutations this fails: the edge kernels' alpha scaled by one ulp, 5 rows sent to the 4-row kernel, the
 * direct store taken for a partial panel or a transposed C.
 */
class EdgeTileBitsTest {

    private static final List<GemmKernel> KERNELS = List.of(new BlockedKernel(512), new BlockedKernel(256),
            new BlockedKernel(128), new ParallelKernel(512, 2));
    private static final Activation[] ACTS = {Activation.SIGMOID, Activation.TANH, Activation.RELU};
    /** What C holds past its view: a write there shows. */
    private static final float GUARD = Float.NaN;

    private static float[] random(int n, Random r) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    @Test
    void theLastRowsGiveTheBitsOfAWholeTile() {
        int[] qs = {0, 1, 2, 3, 21};
        int[] ns = {32, 46, 56};
        int[] ks = {7, 300};
        int cases = 0;
        for (GemmKernel kernel : KERNELS) {
            for (int q : qs) {
                for (int rest = 1; rest <= 5; rest++) {
                    for (int n : q == 21 ? new int[] {32, 46, 56, 200} : ns) {
                        for (int k : ks) {
                            if (n == 200 && k == 300) {
                                continue; // the paired tiles in place need the panels, not the depth
                            }
                            for (int t = 0; t < 4; t++) {
                                boolean transA = (t & 1) != 0;
                                boolean transB = (t & 2) != 0;
                                int m = 6 * q + rest;
                                sameBits(kernel, m, n, k, transA, transB, 0.75f, 0.5f, Activation.IDENTITY, false);
                                sameBits(kernel, m, n, k, transA, transB, 1f, 0f, ACTS[cases % ACTS.length], true);
                                cases++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(KERNELS.size() * 5 * (4 * 3 * 2 + 3 * 2 + 1) * 4, cases);
    }

    /**
     * C = act(alpha·op(A)·op(B) + beta·C + bias) for m rows and for the next multiple of six rows (A and C
     * extended; C's rows n + 3 apart, the 3 columns past the view guards), the first m rows compared bit for bit.
     */
    private static void sameBits(GemmKernel kernel, int m, int n, int k, boolean transA, boolean transB,
                                 float alpha, float beta, Activation act, boolean withBias) {
        int whole = (m + 5) / 6 * 6;
        Random r = new Random(31L * m + 7L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        float[] a = random(whole * k, r); // op(A) whole × k: stored whole×k, or k×whole when transposed
        float[] b = random(k * n, r);
        float[] bias = withBias ? random(n, r) : null;
        int ldc = n + 3;
        float[] cWhole = random(whole * ldc, r);
        float[] cShort = new float[m * ldc + 5];
        for (int i = 0; i < cShort.length; i++) {
            cShort[i] = i < m * ldc && i % ldc < n ? cWhole[i] : GUARD;
        }
        int lda = transA ? whole : k; // the m-row A: the same elements, stored with the whole one's lda
        int ldb = transB ? k : n;
        kernel.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, cShort, 0, ldc, bias, 0, act);
        kernel.sgemm(transA, transB, whole, n, k, alpha, a, 0, lda, b, 0, ldb, beta, cWhole, 0, ldc, bias, 0, act);
        String what = kernel + " m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " "
                + act + (withBias ? " with a bias" : "") + " alpha=" + alpha + " beta=" + beta;
        for (int i = 0; i < cShort.length; i++) {
            boolean inView = i < m * ldc && i % ldc < n;
            float expected = inView ? cWhole[i] : GUARD;
            if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(cShort[i])) {
                fail(what + ": " + (inView ? "row " + i / ldc + " column " + i % ldc : "index " + i
                        + " outside C's view") + " holds " + cShort[i] + ", expected " + expected);
            }
        }
    }

    /**
     * The thin weight gradient, computed as Cᵀ (A transposed, n < 16, no bias, identity: C's columns are the
     * engine's rows, C written transposed): n columns against the next multiple of six, the same A and the first n
     * columns of the same B, C's rows 18 apart with guards past the view.
     */
    @Test
    void theThinWeightGradientsLastColumnsGiveTheBitsOfAWholeTile() {
        int cases = 0;
        for (GemmKernel kernel : KERNELS) {
            for (int m : new int[] {5, 32, 131}) {
                for (int n = 1; n <= 15; n++) {
                    for (int k : new int[] {7, 300}) {
                        for (boolean transB : new boolean[] {false, true}) {
                            thinCase(kernel, m, n, k, transB, cases % 2 == 0 ? 0f : 0.5f);
                            cases++;
                        }
                    }
                }
            }
        }
        assertEquals(KERNELS.size() * 3 * 15 * 2 * 2, cases);
    }

    private static void thinCase(GemmKernel kernel, int m, int n, int k, boolean transB, float beta) {
        int whole = (n + 5) / 6 * 6;
        int ldc = 18;
        Random r = new Random(131L * m + 17L * n + k + (transB ? 1 : 0));
        float[] a = random(k * m, r); // stored k×m, read as Aᵀ
        // B for `whole` columns: row-major k×whole (ldb = whole), or transposed whole×k (ldb = k); the n-column
        // product reads the first n columns of the same array
        float[] b = random(k * whole, r);
        int ldb = transB ? k : whole;
        float[] cWhole = random(m * ldc, r);
        float[] cShort = cWhole.clone();
        for (int i = 0; i < cShort.length; i++) {
            if (i % ldc >= n) {
                cShort[i] = GUARD;
            }
        }
        kernel.sgemm(true, transB, m, n, k, 0.75f, a, 0, m, b, 0, ldb, beta, cShort, 0, ldc, null, 0,
                Activation.IDENTITY);
        kernel.sgemm(true, transB, m, whole, k, 0.75f, a, 0, m, b, 0, ldb, beta, cWhole, 0, ldc, null, 0,
                Activation.IDENTITY);
        for (int i = 0; i < cShort.length; i++) {
            boolean inView = i % ldc < n;
            float expected = inView ? cWhole[i] : GUARD;
            if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(cShort[i])) {
                fail(kernel + " thin m=" + m + " n=" + n + " k=" + k + " transB=" + transB + " beta=" + beta + ": "
                        + (inView ? "row " + i / ldc + " column " + i % ldc : "index " + i + " outside C's view")
                        + " holds " + cShort[i] + ", expected " + expected);
            }
        }
    }
}
