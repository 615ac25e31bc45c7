package dev.myelin.core.simd;

import static dev.myelin.core.simd.ExpConstants.EXP_C3;
import static dev.myelin.core.simd.ExpConstants.EXP_C4;
import static dev.myelin.core.simd.ExpConstants.EXP_C5;
import static dev.myelin.core.simd.ExpConstants.EXP_C6;
import static dev.myelin.core.simd.ExpConstants.EXP_C7;
import static dev.myelin.core.simd.ExpConstants.EXP_MAX;
import static dev.myelin.core.simd.ExpConstants.EXP_MIN;
import static dev.myelin.core.simd.ExpConstants.LN2_HI;
import static dev.myelin.core.simd.ExpConstants.LN2_LO;
import static dev.myelin.core.simd.ExpConstants.LOG2E;
import static dev.myelin.core.simd.ExpConstants.ROUNDER;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.DenseOps;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API softmax computes, on every element, exactly the recipe FloatKernels' class comment states: the
 * row's max, x = clamp(z − max), e = exp(x) by Cody–Waite reduction, the degree-7 polynomial in fma and two
 * exact power-of-two scalings, the row sum in column order, e / sum. A plain scalar Java model of that recipe
 * ({@code Math.fma} on floats, one rounding per operation as the lanes do) must give the same bits at every
 * vector width, for rows of 1 to 100 columns in any number, with NaN, infinities and values whose exp
 * underflows. So the order in which the kernel takes the rows (a vector apart, sums four at a time) changes
 * no bit of any row, and neither would a change of width.
 */
class SoftmaxRecipeBitsTest {

    /** The recipe on one row, in scalar Java. */
    static void softmaxModel(float[] z, int row, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, z[row + j]);
        }
        for (int j = 0; j < n; j++) {
            float x = Math.min(Math.max(z[row + j] - max, EXP_MIN), EXP_MAX);
            float p = Math.fma(x, LOG2E, ROUNDER) - ROUNDER;
            float r = (x - p * LN2_HI) - p * LN2_LO;
            float e = Math.fma(r, EXP_C7, EXP_C6);
            e = Math.fma(e, r, EXP_C5);
            e = Math.fma(e, r, EXP_C4);
            e = Math.fma(e, r, EXP_C3);
            e = Math.fma(e, r, 0.5f);
            e = Math.fma(e, r, 1f);
            e = Math.fma(e, r, 1f);
            int p0 = (int) p;
            int p1 = p0 >> 1;
            e = e * Float.intBitsToFloat((p1 + 127) << 23) * Float.intBitsToFloat((p0 - p1 + 127) << 23);
            z[row + j] = e;
        }
        float sum = 0f;
        for (int j = 0; j < n; j++) {
            sum += z[row + j];
        }
        for (int j = 0; j < n; j++) {
            z[row + j] /= sum;
        }
    }

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void everyElementHasTheRecipesBits(int bits) {
        DenseOps ops = DenseOps.of(new BlockedKernel(bits));
        Random random = new Random(bits);
        for (int n : new int[] {1, 2, 3, 7, 10, 15, 16, 17, 33, 100}) {
            for (int m : new int[] {1, 4, 5, 9, 41}) {
                float[] z = new float[m * n];
                for (int i = 0; i < z.length; i++) {
                    // mostly logits, some far apart (exp underflows to 0 or subnormals), a few special values
                    double g = random.nextGaussian();
                    z[i] = (float) (random.nextInt(8) == 0 ? g * 60 : g * 4);
                }
                if (m > 3) {
                    z[n + n / 2] = Float.NaN;                  // row 1: NaN
                    z[2 * n] = Float.POSITIVE_INFINITY;        // row 2: +Inf (its row is NaN: Inf − Inf)
                    z[3 * n + n - 1] = Float.NEGATIVE_INFINITY; // row 3: −Inf (exp gives 0 there)
                }
                float[] expected = z.clone();
                for (int i = 0; i < m; i++) {
                    softmaxModel(expected, i * n, n);
                }
                ops.softmaxRows(m, n, z, 0, n);
                for (int i = 0; i < z.length; i++) {
                    if (Float.floatToRawIntBits(z[i]) != Float.floatToRawIntBits(expected[i])
                            && !(Float.isNaN(z[i]) && Float.isNaN(expected[i]))) {
                        fail(bits + " bits, " + m + " rows of " + n + ": row " + i / n + " column " + i % n + " is "
                                + z[i] + " (bits " + Integer.toHexString(Float.floatToRawIntBits(z[i]))
                                + "), the recipe gives " + expected[i]);
                    }
                }
            }
        }
    }
}
