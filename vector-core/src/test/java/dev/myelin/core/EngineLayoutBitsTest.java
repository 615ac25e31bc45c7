package dev.myelin.core;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same matrices give the same bits whatever their row stride: the engine reads its in-place A (the forward's
 * X, the input gradient's dZ) through the row stride, chooses how to walk it by the operands' layout (the unit-stride
 * kernels, the loop order and its A-block limit, the copied edge rows), and every choice must do the same operations
 * in the same order. X and dZ are laid out with row strides of exactly their columns, 256 (a stride that is a
 * power of two, and KC) and columns + 5 at an offset; the outputs are compared with {@code Float.floatToRawIntBits}
 * against the tight layout's. Shapes cross KC (k = 300, 784: several k blocks), have edge rows and columns, and
 * m = 1030 puts the forward's A block of 1030 × 196 past the panels-outside order's limit on Intel CPUs (rows
 * outside again).
 */
class EngineLayoutBitsTest {

    /** Layer shapes {m, k, n}: for the forward X is m × k; for the input gradient dZ is m × n. */
    static final int[][] SHAPES = {
        {13, 256, 64}, {127, 256, 33}, {130, 200, 256}, {64, 300, 256}, {127, 784, 256}, {1030, 784, 64},
    };

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int[] s : SHAPES) {
            cases.add(Arguments.of("blocked", s[0], s[1], s[2]));
            cases.add(Arguments.of("parallel", s[0], s[1], s[2]));
        }
        return cases.stream();
    }

    private static DenseKernel kernel(String name) {
        return name.equals("blocked") ? new BlockedKernel(0) : new ParallelKernel(0, 2);
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("cases")
    void theForwardDoesNotDependOnXsRowStride(String name, int m, int k, int n) {
        DenseKernel kernel = kernel(name);
        Random r = new Random(7L * m + 11L * k + n);
        Mat w = Mat.strided(k, n, 0, 0).random(r, -0.1f, 0.1f);
        Mat b = Mat.strided(1, n, 0, 0).random(r, -1f, 1f);
        Mat tight = Mat.strided(m, k, 0, 0).random(r, -1f, 1f);
        assertNoLayoutChangesTheBits(tight, x -> forward(kernel, x, w, b), name + " forward, X");
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("cases")
    void theInputGradientDoesNotDependOnDzsRowStride(String name, int m, int k, int n) {
        DenseKernel kernel = kernel(name);
        Random r = new Random(13L * m + 5L * k + n);
        Mat w = Mat.strided(k, n, 0, 0).random(r, -0.1f, 0.1f);
        Mat tight = Mat.strided(m, n, 0, 0).random(r, -1f, 1f);
        assertNoLayoutChangesTheBits(tight, dz -> inputGradient(kernel, dz, w, k), name + " input gradient, dZ");
    }

    /** {@code product} of {@code tight}'s values in every other layout has the bits of {@code product(tight)}. */
    private static void assertNoLayoutChangesTheBits(Mat tight, Function<Mat, Mat> product, String what) {
        Mat expected = product.apply(tight);
        for (Mat operand : layouts(tight)) {
            product.apply(operand).assertSameBits(expected, what + "'s row stride " + operand.ld + " against "
                    + tight.cols);
        }
    }

    /** {@code tight}'s values with row stride 256 (when its columns fit) and columns + 5 at offset 3. */
    private static List<Mat> layouts(Mat tight) {
        List<Mat> layouts = new ArrayList<>();
        if (tight.cols <= 256) {
            layouts.add(copy(tight, Mat.strided(tight.rows, tight.cols, 0, 256 - tight.cols)));
        }
        layouts.add(copy(tight, Mat.strided(tight.rows, tight.cols, 3, 5)));
        return layouts;
    }

    private static Mat copy(Mat from, Mat to) {
        for (int i = 0; i < from.rows; i++) {
            for (int j = 0; j < from.cols; j++) {
                to.set(i, j, from.get(i, j));
            }
        }
        return to;
    }

    private static Mat forward(DenseKernel kernel, Mat x, Mat w, Mat b) {
        Mat y = Mat.strided(x.rows, w.cols, 0, 0).fill(Float.NaN);
        kernel.forward(x.rows, w.cols, x.cols, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, Activation.SIGMOID,
                y.a, y.off, y.ld);
        return y;
    }

    private static Mat inputGradient(DenseKernel kernel, Mat dz, Mat w, int k) {
        Mat dx = Mat.strided(dz.rows, k, 0, 0).fill(Float.NaN);
        kernel.inputGradient(dz.rows, dz.cols, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld, dx.a, dx.off, dx.ld);
        return dx;
    }
}
