package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The last 1–5 rows of a product (m = 6q + r), which the engine runs through its 2- and 4-row edge kernels
 * (PackedGemm.edgeTile) where the 6 × 2 tile has them, give the bits those rows get inside a whole six-row tile:
 * the same product with 6 − r more rows of A, whose first m rows of C must come out bit for bit the same. Every
 * width (the 6-row tile at 512, 256 and 128 bits), one and two threads; A row-major (read in place, the last rows
 * copied) and transposed (the weight gradient's Xᵀ); B row-major and transposed (packed); whole and partial wide
 * panels (32, 64 and 40 columns; 40 also a narrow last panel); k = 1, 7, 300 (two k blocks, so the second adds to
 * the first's partial C); alpha and beta·C; every element-wise activation with a bias. A mutation that scaled the
 * edge kernels' alpha by one ulp failed this and the engine's thread and paired-tile bit tests.
 */
class EdgeTileBitsTest {

    private static final List<GemmKernel> KERNELS = List.of(new BlockedKernel(512), new BlockedKernel(256),
            new BlockedKernel(128), new ParallelKernel(512, 2));

    private static float[] random(int n, Random r) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2 - 1;
        }
        return a;
    }

    @Test
    void theLastRowsGiveTheBitsOfAWholeTile() {
        int[] qs = {0, 1, 3, 21};
        int[] ns = {32, 40, 64};
        int[] ks = {1, 7, 300};
        Activation[] acts = {Activation.IDENTITY, Activation.SIGMOID, Activation.TANH, Activation.RELU};
        int cases = 0;
        for (GemmKernel kernel : KERNELS) {
            for (int q : qs) {
                for (int rest = 1; rest <= 5; rest++) {
                    for (int n : ns) {
                        for (int k : ks) {
                            int variant = q + rest + n + k;
                            boolean transA = variant % 2 == 0;
                            boolean transB = (variant / 2) % 2 == 0;
                            Activation act = acts[variant % acts.length];
                            boolean accumulate = act == Activation.IDENTITY && k == 300;
                            sameBits(kernel, 6 * q + rest, n, k, transA, transB, accumulate, act);
                            cases++;
                        }
                    }
                }
            }
        }
        assertEquals(KERNELS.size() * 4 * 5 * 3 * 3, cases);
    }

    /**
     * C = act(alpha·op(A)·op(B) + beta·C + bias) for m rows and for the next multiple of six rows (A and C
     * extended), the first m rows compared bit for bit.
     */
    private static void sameBits(GemmKernel kernel, int m, int n, int k, boolean transA, boolean transB,
                                 boolean accumulate, Activation act) {
        int whole = (m + 5) / 6 * 6;
        Random r = new Random(31L * m + 7L * n + k + (transA ? 1 : 0) + (transB ? 2 : 0));
        float[] aWhole = random(whole * k, r); // op(A) whole × k: stored whole×k, or k×whole when transposed
        float[] b = random(k * n, r);
        float[] bias = act == Activation.IDENTITY ? null : random(n, r);
        float[] cWhole = random(whole * n, r);
        float alpha = accumulate ? 0.75f : 1f;
        float beta = accumulate ? 0.5f : 0f;
        int ldb = transB ? k : n;
        // the m-row A: the same elements, stored with the same leading dimension as the whole one's
        int lda = transA ? whole : k;
        float[] cShort = Arrays.copyOf(cWhole, m * n);
        kernel.sgemm(transA, transB, m, n, k, alpha, aWhole, 0, lda, b, 0, ldb, beta, cShort, 0, n, bias, 0, act);
        kernel.sgemm(transA, transB, whole, n, k, alpha, aWhole, 0, lda, b, 0, ldb, beta, cWhole, 0, n, bias, 0,
                act);
        for (int i = 0; i < m * n; i++) {
            if (Float.floatToRawIntBits(cWhole[i]) != Float.floatToRawIntBits(cShort[i])) {
                fail(kernel + " m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " "
                        + act + " beta=" + beta + ": row " + i / n + " column " + i % n + " " + cShort[i]
                        + " against " + cWhole[i] + " inside a whole tile");
            }
        }
    }
}
