package dev.myelin.core;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The default path gives the same bits at every vector width: {@code blocked} and {@code parallel} (1, 2 and 3
 * threads) with 128-, 256- and 512-bit vectors, compared bit for bit with {@code blocked} at 128 bits, for every
 * operation of the kernel contract (forward with each elementwise activation, both weight gradients, the input
 * gradient, the backward of each activation with db, the two loss heads with db, softmax) and {@code sgemm} in
 * its four transposes with a fused bias and activation. A model trained on a NEON or AVX2 machine is then the
 * model trained on AVX-512.
 *
 * <p>The shapes reach what would break it: a few rows (1, 3, 16: the forward's unpacked path), thin outputs
 * (n = 1, 10), every lane count's tail (n = 5, 17, 33), k across the engine's depth block (1000), and more
 * columns than one tile at every width (257); the thin weight gradient's paired tiles (n = 7, 10, 12, and 15 past them, a
 * batch of 300 across the depth block), which {@code sgemm}'s transposed A with 7 to 12 rows takes too. Inputs span [−12, 12] so that every branch of exp (and so of
 * sigmoid and tanh) is taken.
 */
class EngineWidthBitsTest {

    static final int[] WIDTHS = {128, 256, 512};

    /** Layer shapes {m, k, n}. */
    static final int[][] SHAPES = {
        {1, 1, 1}, {3, 5, 10}, {16, 784, 10}, {17, 33, 5}, {7, 300, 129},
        {128, 128, 10}, {130, 70, 257}, {64, 1000, 33}, {40, 17, 1},
        // the paired tiles of a thin weight gradient (n of 7 to 12, at least NR rows; at 512 bits only): n = 7 and
        // 12 at their ends, 15 past them, a partial last panel (m = 70, 300), the batch across the depth block
        {300, 45, 7}, {70, 40, 12}, {37, 33, 15},
        // the weight gradient's paired tiles: 3 groups of 12 rows and 4 left (k = 40), a batch of 600 across two
        // depth blocks (partial sums through C), 40 columns (a whole panel and a narrow one)
        {600, 40, 40},
    };

    enum Op {
        FORWARD_IDENTITY, FORWARD_SIGMOID, FORWARD_TANH, FORWARD_RELU,
        WEIGHT_GRADIENT, WEIGHT_GRADIENT_ACCUMULATE, INPUT_GRADIENT,
        BACKWARD_SIGMOID, BACKWARD_TANH, BACKWARD_RELU, BACKWARD_IDENTITY,
        OUTPUT_MINUS_TARGET, SOFTMAX_ROWS, SOFTMAX_CROSS_ENTROPY,
        SGEMM_NN, SGEMM_NT, SGEMM_TN, SGEMM_TT
    }

    private static List<DenseKernel> kernels;

    @BeforeAll
    static void kernels() {
        kernels = new ArrayList<>();
        for (int bits : WIDTHS) {
            kernels.add(new BlockedKernel(bits));
            for (int threads = 1; threads <= 3; threads++) {
                kernels.add(new ParallelKernel(bits, threads));
            }
        }
    }

    @AfterAll
    static void release() {
        kernels = null;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int[] s : SHAPES) {
            for (Op op : Op.values()) {
                cases.add(Arguments.of(op, s[0], s[1], s[2]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("cases")
    void everyWidthAndThreadCountGivesTheSameBits(Op op, int m, int k, int n) {
        long seed = 1_000_003L * m + 7_919L * k + 31L * n + op.ordinal();
        Mat expected = run(kernels.get(0), op, m, k, n, seed);
        for (DenseKernel kernel : kernels.subList(1, kernels.size())) {
            run(kernel, op, m, k, n, seed).assertSameBits(expected, op + " m=" + m + " k=" + k + " n=" + n
                    + " (seed " + seed + "): " + kernel.describe() + " vs " + kernels.get(0).describe());
        }
    }

    /** The output of {@code op} (with db appended as an extra row where the operation has one). */
    private static Mat run(DenseKernel kernel, Op op, int m, int k, int n, long seed) {
        Random r = new Random(seed);
        Mat x = Mat.strided(m, k, 3, 5).random(r, -3f, 3f);
        Mat w = Mat.strided(k, n, 1, 3).random(r, -12f / (float) Math.sqrt(k), 12f / (float) Math.sqrt(k));
        Mat b = Mat.strided(1, n, 2, 1).random(r, -2f, 2f);
        Mat y = Mat.strided(m, n, 5, 7).fill(Float.NaN);
        return switch (op) {
            case FORWARD_IDENTITY, FORWARD_SIGMOID, FORWARD_TANH, FORWARD_RELU -> {
                kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, activation(op),
                        y.a, y.off, y.ld);
                yield y;
            }
            case WEIGHT_GRADIENT, WEIGHT_GRADIENT_ACCUMULATE -> {
                Mat dz = Mat.strided(m, n, 2, 3).random(r, -1f, 1f);
                boolean accumulate = op == Op.WEIGHT_GRADIENT_ACCUMULATE;
                Mat dw = Mat.strided(k, n, 4, 7);
                if (accumulate) {
                    dw.random(r, -1f, 1f);
                } else {
                    dw.fill(Float.NaN);
                }
                kernel.weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, dw.a, dw.off, dw.ld,
                        accumulate);
                yield dw;
            }
            case INPUT_GRADIENT -> {
                Mat dz = Mat.strided(m, n, 2, 3).random(r, -1f, 1f);
                Mat dx = Mat.strided(m, k, 1, 5).fill(Float.NaN);
                kernel.inputGradient(m, n, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld, dx.a, dx.off, dx.ld);
                yield dx;
            }
            case BACKWARD_SIGMOID, BACKWARD_TANH, BACKWARD_RELU, BACKWARD_IDENTITY -> {
                Activation act = activation(op);
                Mat out = Mat.strided(m + 1, n, 0, 3).fill(Float.NaN); // rows 0..m−1: dZ; row m: db
                Mat yv = Mat.strided(m, n, 1, 1).random(r, -1f, 1f);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        yv.set(i, j, act.apply(yv.get(i, j) * 6f));
                    }
                }
                Mat dy = Mat.strided(m, n, 2, 2).random(r, -1f, 1f);
                kernel.activationBackward(m, n, act, yv.a, yv.off, yv.ld, dy.a, dy.off, dy.ld,
                        out.a, out.off, out.ld, out.a, out.off + m * out.ld, false);
                yield out;
            }
            case OUTPUT_MINUS_TARGET -> {
                Mat out = Mat.strided(m + 1, n, 0, 3).fill(Float.NaN);
                Mat p = Mat.strided(m, n, 1, 1).random(r, 0f, 1f);
                Mat t = Mat.strided(m, n, 2, 2).random(r, 0f, 1f);
                kernel.outputMinusTarget(m, n, p.a, p.off, p.ld, t.a, t.off, t.ld, 1f / (m * n),
                        out.a, out.off, out.ld, out.a, out.off + m * out.ld, false);
                yield out;
            }
            case SOFTMAX_ROWS -> {
                Mat z = Mat.strided(m, n, 2, 3).random(r, -12f, 12f);
                kernel.softmaxRows(m, n, z.a, z.off, z.ld);
                yield z;
            }
            case SOFTMAX_CROSS_ENTROPY -> {
                Mat z = Mat.strided(m, n, 2, 3).random(r, -12f, 12f);
                kernel.softmaxRows(m, n, z.a, z.off, z.ld);
                int[] labels = new int[m + 2];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = r.nextInt(n);
                }
                Mat out = Mat.strided(m + 1, n, 0, 3).fill(Float.NaN);
                kernel.softmaxCrossEntropyBackward(m, n, z.a, z.off, z.ld, labels, 1, 1f / m,
                        out.a, out.off, out.ld, out.a, out.off + m * out.ld, false);
                yield out;
            }
            case SGEMM_NN, SGEMM_NT, SGEMM_TN, SGEMM_TT -> {
                boolean transA = op == Op.SGEMM_TN || op == Op.SGEMM_TT;
                boolean transB = op == Op.SGEMM_NT || op == Op.SGEMM_TT;
                // C[m×n] = sigmoid(0.75·op(A)·op(B) + 0.5·C + bias), A stored k×m when transposed, B n×k
                Mat a = transA ? Mat.strided(k, m, 3, 2).random(r, -3f, 3f) : x;
                Mat bm = transB ? Mat.strided(n, k, 1, 4).random(r, -1f, 1f) : w;
                Mat c = Mat.strided(m, n, 5, 7).random(r, -1f, 1f);
                ((GemmKernel) kernel).sgemm(transA, transB, m, n, k, 0.75f, a.a, a.off, a.ld, bm.a, bm.off,
                        bm.ld, 0.5f, c.a, c.off, c.ld, b.a, b.off, Activation.SIGMOID);
                yield c;
            }
        };
    }

    private static Activation activation(Op op) {
        return switch (op) {
            case FORWARD_SIGMOID, BACKWARD_SIGMOID -> Activation.SIGMOID;
            case FORWARD_TANH, BACKWARD_TANH -> Activation.TANH;
            case FORWARD_RELU, BACKWARD_RELU -> Activation.RELU;
            default -> Activation.IDENTITY;
        };
    }
}
