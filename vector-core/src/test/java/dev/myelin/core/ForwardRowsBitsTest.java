package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The default path's forward of a row does not depend on the other rows of the call: {@code blocked} and
 * {@code parallel} at every width give, for each row of a 41-row batch, the bits they give for that row in
 * calls of 1, 3, 16 and 17 rows (a few rows take the unpacked path, more the packed engine) — so one sample
 * predicted alone is the same sample predicted in a batch. Before the unpacked forward cut k into the engine's
 * blocks, every k above {@code KC} (257, 784 here) failed it for calls of up to 16 rows.
 */
class ForwardRowsBitsTest {

    /** Layer shapes {k, n}: k within one block, at the block size, one past it, and the MNIST input. */
    static final int[][] SHAPES = {{1, 1}, {5, 10}, {256, 17}, {257, 33}, {784, 10}, {784, 40}, {1000, 3}};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits : EngineWidthBitsTest.WIDTHS) {
            for (int[] s : SHAPES) {
                for (Activation act : new Activation[] {Activation.IDENTITY, Activation.SIGMOID, Activation.TANH,
                        Activation.RELU, Activation.SOFTMAX}) {
                    cases.add(Arguments.of(bits, s[0], s[1], act));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} bits k={1} n={2} {3}")
    @MethodSource("cases")
    void aRowGetsTheSameBitsWhateverTheBatch(int bits, int k, int n, Activation act) {
        int m = 41;
        Random random = new Random(31L * k + n + bits);
        float[] x = new float[m * k];
        float[] w = new float[k * n];
        float[] b = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() / Math.sqrt(k));
        }
        for (int i = 0; i < n; i++) {
            b[i] = (float) random.nextGaussian();
        }
        for (DenseKernel kernel : List.of(new BlockedKernel(bits), new ParallelKernel(bits, 2))) {
            DenseOps ops = DenseOps.of(kernel);
            float[] whole = new float[m * n];
            ops.forward(m, n, k, x, 0, k, w, 0, n, b, 0, act, whole, 0, n);
            for (int rows : new int[] {1, 3, 16, 17}) {
                for (int start = 0; start < m; start += rows) {
                    int part = Math.min(rows, m - start);
                    float[] y = new float[part * n];
                    ops.forward(part, n, k, x, start * k, k, w, 0, n, b, 0, act, y, 0, n);
                    for (int i = 0; i < part * n; i++) {
                        int row = start + i / n;
                        if (Float.floatToRawIntBits(whole[row * n + i % n]) != Float.floatToRawIntBits(y[i])) {
                            fail(kernel + ": row " + row + " column " + i % n + " is " + y[i] + " in a call of "
                                    + part + " rows but " + whole[row * n + i % n] + " in a call of " + m + " rows");
                        }
                    }
                }
            }
        }
    }
}
