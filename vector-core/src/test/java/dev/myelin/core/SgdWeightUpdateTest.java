package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.scalar.ScalarKernel;
import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DenseOps#sgdWeightUpdate}: {@code W −= rate·Xᵀ·dZ} in the product's store gives, element by element, the
 * bits of {@link DenseOps#weightGradient} followed by {@code W[i] −= rate·dW[i]} in float, on every kernel that
 * fuses it, for every batch it accepts: shapes with every lane tail (1, 15, 16, 17, 33 columns), thin (the thin
 * weight gradient's Cᵀ path) and wide, 1 to 256 rows, products big enough for several threads, W inside a larger
 * array with a row stride; NaN and infinity carried as the unfused step carries them (NaN for NaN).
 */
class SgdWeightUpdateTest {

    static final int[][] SHAPES = { // {m (batch), k (inputs), n (outputs)}
        {1, 1, 1}, {7, 5, 10}, {17, 33, 15}, {64, 16, 17}, {128, 784, 10}, {128, 128, 64}, {200, 31, 33},
        {256, 100, 16}, {256, 784, 10}, {128, 784, 256}}; // the last two on several threads (over 2^21 flops)

    @Test
    void theFusedStepHasTheBitsOfGradientThenUpdate() {
        List<DenseKernel> kernels = List.of(new ScalarKernel(), new BlockedKernel(512), new BlockedKernel(256),
                new BlockedKernel(128), new ParallelKernel(0, 2), new ParallelKernel(0, 3));
        Random random = new Random(23);
        for (int[] s : SHAPES) {
            int m = s[0], k = s[1], n = s[2];
            int ldw = n + 3, wOff = 5;
            float[] x = gaussian(random, m * k);
            float[] dz = gaussian(random, m * n);
            float[] w0 = gaussian(random, wOff + k * ldw);
            if (m > 10) {
                x[3 * k + 1] = Float.NaN; // a NaN reaches row 1 of W; an infinity row 0
                x[5 * k] = Float.POSITIVE_INFINITY;
            }
            float rate = 0.03f + random.nextFloat();
            for (DenseKernel kernel : kernels) {
                DenseOps ops = DenseOps.of(kernel);
                assertTrue(ops.fusesSgdUpdate(m), kernel + " fuses " + m + " rows");
                float[] dw = new float[k * n];
                ops.weightGradient(m, n, k, x, 0, k, dz, 0, n, dw, 0, n, false);
                float[] expected = w0.clone();
                for (int p = 0; p < k; p++) {
                    for (int j = 0; j < n; j++) {
                        expected[wOff + p * ldw + j] -= rate * dw[p * n + j];
                    }
                }
                float[] w = w0.clone();
                ops.sgdWeightUpdate(m, n, k, x, 0, k, dz, 0, n, rate, w, wOff, ldw);
                for (int i = 0; i < w.length; i++) {
                    boolean bothNaN = Float.isNaN(w[i]) && Float.isNaN(expected[i]); // payloads may differ
                    if (!bothNaN && Float.floatToRawIntBits(w[i]) != Float.floatToRawIntBits(expected[i])) {
                        fail(kernel + ", " + m + "×" + k + "×" + n + ": W element " + i + " is " + w[i] + ", the"
                                + " unfused step gives " + expected[i]);
                    }
                }
            }
        }
    }

    @Test
    void badOperandsAreNamed() {
        DenseOps ops = DenseOps.of(new BlockedKernel(0));
        float[] x = new float[6];
        float[] dz = new float[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.sgdWeightUpdate(2, 2, 3, x, 0, 3, dz, 0, 2, 0.1f, new float[5], 0, 2));
        assertTrue(e.getMessage().contains("W"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.sgdWeightUpdate(2, 2, 3, x, 0, 3, dz, 0, 2, Float.NaN, new float[6], 0, 2));
        assertTrue(e.getMessage().contains("rate"), e.getMessage());
        float[] shared = new float[12];
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.sgdWeightUpdate(2, 2, 3, shared, 0, 3, dz, 0, 2, 0.1f, shared, 4, 2));
        assertTrue(e.getMessage().contains("W") && e.getMessage().contains("X"), e.getMessage());
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> ops.sgdWeightUpdate(257, 1, 1, new float[257], 0, 1, new float[257], 0, 1, 0.1f,
                        new float[1], 0, 1));
        assertTrue(u.getMessage().contains("257 rows"), u.getMessage());
        assertEquals(Integer.MAX_VALUE, new ScalarKernel().onePassDepth());
    }

    private static float[] gaussian(Random random, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
