package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * {@code parallel} gives the same bits for every thread count, and the same bits as {@code blocked}: every
 * element of C is computed by one thread with the same sequence of operations (ParallelKernel's claim). For
 * {@code ParallelKernel(0, t)}, t ∈ {1, 2, 3, 8}, and {@code BlockedKernel(0)}, on layer shapes above
 * MIN_FLOPS chosen so that each operation is split by columns for some thread counts and by rows for others
 * ({@link #everyOperationIsSplitBothWays}), and crossing KC (k = 1000, and the GEMM depths m = 1000 of the
 * weight gradient and n = 4097 of the input gradient) and NC (n = 4097): forward (sigmoid with bias),
 * weight gradient (overwriting and accumulating) and input gradient are compared with
 * {@code Float.floatToRawIntBits} element by element; a failure names the first differing element. Operands
 * are views at offsets with strides cols + 3 / cols + 7 in sentinel-filled arrays, outputs start as NaN, and
 * every sentinel must survive (a slice written past its edge shows up there).
 */
class EngineThreadBitsTest {

    static final int[] THREADS = {1, 2, 3, 8};

    /** Layer shapes {m, k, n}. */
    static final int[][] SHAPES = {
        {200, 300, 130},  // square-ish: columns for 2 and 3 threads, rows for 8 (forward, weight gradient)
        {37, 1000, 61},   // k = 1000 crosses KC; two column tiles at 512 bits: rows for 3 and 8 threads
        {1000, 130, 10},  // thin output: one column tile, rows for every count (forward, weight gradient)
        {1000, 10, 130},  // thin input: the input gradient has one column tile, rows for every count
        {20, 40, 4097},   // wide: crosses NC; the input gradient's depth 4097 crosses KC 16 times
    };

    enum Op { FORWARD, WEIGHT_GRADIENT, WEIGHT_GRADIENT_ACCUMULATE, INPUT_GRADIENT }

    private static BlockedKernel blocked;
    private static List<ParallelKernel> parallel;

    @BeforeAll
    static void kernels() {
        blocked = new BlockedKernel(0);
        parallel = new ArrayList<>();
        for (int t : THREADS) {
            parallel.add(new ParallelKernel(0, t));
        }
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
    void everyThreadCountGivesTheBitsOfBlocked(Op op, int m, int k, int n) {
        Problem p = new Problem(op, m, k, n, new Random(31L * m + 17L * k + n + op.ordinal()));
        Mat expected = p.run(blocked);
        for (ParallelKernel kernel : parallel) {
            Mat got = p.run(kernel);
            got.assertSameBits(expected, kernel.describe() + " vs " + blocked.describe() + ", " + p
                    + " (split: " + p.plan(kernel) + ")");
        }
    }

    /** One operation's inputs, in strided views; {@link #run} computes the output into a fresh NaN-filled view. */
    static final class Problem extends EngineChecks.Operands {
        final Op op;

        Problem(Op op, int m, int k, int n, Random r) {
            super(m, k, n, r);
            this.op = op;
        }

        Mat run(DenseKernel kernel) {
            Mat x0 = x.copy(), w0 = w.copy(), b0 = b.copy(), dz0 = dz.copy();
            Mat out = switch (op) {
                case FORWARD -> Mat.strided(m, n, 5, 7).fill(Float.NaN);
                case WEIGHT_GRADIENT -> Mat.strided(k, n, 2, 7).fill(Float.NaN);
                case WEIGHT_GRADIENT_ACCUMULATE -> priorDw.copy();
                case INPUT_GRADIENT -> Mat.strided(m, k, 7, 3).fill(Float.NaN);
            };
            Mat before = out.copy();
            switch (op) {
                case FORWARD -> kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off,
                        Activation.SIGMOID, out.a, out.off, out.ld);
                case WEIGHT_GRADIENT, WEIGHT_GRADIENT_ACCUMULATE -> kernel.weightGradient(m, n, k, x.a, x.off, x.ld,
                        dz.a, dz.off, dz.ld, out.a, out.off, out.ld, op == Op.WEIGHT_GRADIENT_ACCUMULATE);
                case INPUT_GRADIENT -> kernel.inputGradient(m, n, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld,
                        out.a, out.off, out.ld);
            }
            String what = kernel.describe() + ", " + this;
            x.assertUnchanged(x0, what + ", X");
            w.assertUnchanged(w0, what + ", W");
            b.assertUnchanged(b0, what + ", b");
            dz.assertUnchanged(dz0, what + ", dZ");
            out.assertOutsideUnchanged(before, what + ", output");
            return out;
        }

        /** The GEMM {M, N, K} the engine runs for this operation. */
        int[] gemm() {
            return gemmShape(op, m, k, n);
        }

        EngineBlocks.Plan plan(DenseKernel kernel) {
            int[] g = gemm();
            return EngineBlocks.plan(g[0], g[1], g[2], ((ParallelKernel) kernel).lanes(), kernel.threads());
        }

        @Override
        public String toString() {
            int[] g = gemm();
            return op + " m=" + m + " k=" + k + " n=" + n + " (GEMM " + g[0] + "×" + g[1] + "×" + g[2] + ")";
        }
    }

    static int[] gemmShape(Op op, int m, int k, int n) {
        return switch (op) {
            case FORWARD -> new int[] {m, n, k};
            case WEIGHT_GRADIENT, WEIGHT_GRADIENT_ACCUMULATE -> new int[] {k, n, m};
            case INPUT_GRADIENT -> new int[] {m, k, n};
        };
    }

    /**
     * The shapes really exercise the threads: every case is above MIN_FLOPS, and (by the model of the
     * partition in {@link EngineBlocks#plan}) each operation is cut into column slices for some case and
     * thread count and into row slices for another.
     */
    @Test
    void everyOperationIsSplitBothWays() {
        int lanes = blocked.lanes();
        Set<Op> byColumns = EnumSet.noneOf(Op.class), byRows = EnumSet.noneOf(Op.class);
        StringBuilder table = new StringBuilder();
        for (int[] s : SHAPES) {
            for (Op op : Op.values()) {
                int[] g = gemmShape(op, s[0], s[1], s[2]);
                assertTrue(2L * g[0] * g[1] * g[2] >= EngineBlocks.MIN_FLOPS, op + " " + java.util.Arrays.toString(s)
                        + " is below MIN_FLOPS = " + EngineBlocks.MIN_FLOPS + ": it would run on one thread");
                for (int t : THREADS) {
                    // a forward or input gradient of at most SMALL_ROWS rows takes the unpacked path, unsplit
                    boolean unpacked = (op == Op.FORWARD || op == Op.INPUT_GRADIENT) && s[0] <= EngineBlocks.SMALL_ROWS;
                    EngineBlocks.Plan plan = unpacked ? new EngineBlocks.Plan(1, false)
                            : EngineBlocks.plan(g[0], g[1], g[2], lanes, t);
                    table.append(op).append(' ').append(java.util.Arrays.toString(s)).append(" t=").append(t)
                            .append(": ").append(plan).append('\n');
                    if (plan.parts() >= 2) {
                        (plan.byColumns() ? byColumns : byRows).add(op);
                    }
                }
            }
        }
        assertEquals(EnumSet.allOf(Op.class), byColumns, "operations split by columns somewhere:\n" + table);
        assertEquals(EnumSet.allOf(Op.class), byRows, "operations split by rows somewhere:\n" + table);
    }

    /** The bit comparison fails on a single flipped low bit, and names the element. */
    @Test
    void aSingleFlippedBitIsReported() {
        Problem p = new Problem(Op.FORWARD, 13, 20, 37, new Random(1));
        Mat expected = p.run(blocked);
        Mat flipped = expected.copy();
        flipped.set(12, 36, Float.intBitsToFloat(Float.floatToRawIntBits(flipped.get(12, 36)) ^ 1));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> flipped.assertSameBits(expected, "flipped"));
        assertTrue(e.getMessage().contains("(12, 36)") && e.getMessage().contains("1 of 481"), e.getMessage());
    }
}
