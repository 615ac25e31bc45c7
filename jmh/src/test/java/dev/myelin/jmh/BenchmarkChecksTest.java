package dev.myelin.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The benchmarks check what they time against the scalar kernel twice: before timing, and on the outputs the
 * timed calls left (JMH's trial tear-down), which C2's code wrote. Here the benchmark methods are called directly,
 * on a shape with every tail, and an output spoiled as a kernel wrong only once compiled would spoil it.
 */
class BenchmarkChecksTest {

    private static final String SHAPE = "19x33x17";

    /** ForwardBenchmark's parameters as JMH sets them: the kernel at the shape, one thread, sigmoid. */
    private static ForwardBenchmark sigmoidForward(String kernel, String shape) {
        ForwardBenchmark bench = new ForwardBenchmark();
        bench.kernel = kernel;
        bench.shape = shape;
        bench.threads = 1;
        bench.activation = "sigmoid";
        return bench;
    }

    /**
     * A row's threads column must be the count its variant runs on: one of one's own over {@code parallel}, made
     * with its own count, is refused under another {@code -p threads}; the single-threaded variants ignore it.
     */
    @Test
    void aVariantOnAThreadCountOfItsOwnIsRefusedUnderAnother() {
        dev.myelin.core.dispatch.KernelRegistry.register("test-three-threads",
                () -> new dev.myelin.core.ForwardingKernel(new dev.myelin.core.scalar.ScalarKernel()) {
                    @Override
                    public String name() {
                        return "test-three-threads";
                    }

                    @Override
                    public int threads() {
                        return 3;
                    }
                });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerShape.ops("test-three-threads", 1));
        assertEquals("-p threads=1: kernel test-three-threads runs on 3 threads whatever -p threads says (only"
                + " parallel takes a thread count): run it with -p threads=3 so that its rows say so", e.getMessage());
        assertEquals(3, LayerShape.ops("test-three-threads", 3).kernel().threads());
        assertEquals(1, LayerShape.ops("scalar", 2).kernel().threads());
    }

    @Test
    void theForwardIsCheckedAfterTiming() {
        ForwardBenchmark bench = sigmoidForward("blocked", SHAPE);
        bench.setUp();
        float[] y = bench.forward();
        bench.checkAfterTiming();
        y[y.length - 1] += 0.01f;
        IllegalStateException e = assertThrows(IllegalStateException.class, bench::checkAfterTiming);
        assertTrue(e.getMessage().startsWith("blocked forward at " + SHAPE + " after timing disagrees with scalar at"
                + " element[18][16] = "), e.getMessage());
    }

    /**
     * The check's bound follows the operands (ErrorBounds, as myelin bench's): at 128×784×256 it is about 4·10⁻⁵ for
     * sigmoid (more where |Z| is largest), so a forward that adds 8·10⁻⁵ to every output is caught, at nearly every
     * element, which the fixed tolerance of 10⁻⁴ let through; the exact forward passes.
     */
    @Test
    void aForwardOffByLessThanTheOldFixedToleranceIsCaught() {
        dev.myelin.core.dispatch.KernelRegistry.register("test-offset", () -> new Faulty("test-offset"));
        ForwardBenchmark bench = sigmoidForward("test-offset", "128x784x256");
        Faulty.offset = 0;
        bench.setUp();
        Faulty.offset = 8e-5f;
        IllegalStateException e = assertThrows(IllegalStateException.class, bench::setUp);
        assertTrue(e.getMessage().startsWith("test-offset forward at 128x784x256 disagrees with scalar at element["),
                e.getMessage());
        java.util.regex.Matcher outside = java.util.regex.Pattern.compile("; (\\d+) of 32768 elements outside\\)$")
                .matcher(e.getMessage());
        assertTrue(outside.find() && Integer.parseInt(outside.group(1)) > 32768 * 0.98, e.getMessage());
    }

    /**
     * A variant that keeps its result by array identity (as a cache of packed W keyed by the array would) passes
     * every check on the operands it first saw; the check after timing runs once more on the same arrays with new
     * values, and there it is stale.
     */
    @Test
    void aForwardThatKeepsResultsByArrayIdentityIsCaughtAfterTiming() {
        dev.myelin.core.dispatch.KernelRegistry.register("test-memo", () -> new Faulty("test-memo"));
        ForwardBenchmark bench = sigmoidForward("test-memo", SHAPE);
        bench.setUp();
        bench.forward();
        IllegalStateException e = assertThrows(IllegalStateException.class, bench::checkAfterTiming);
        assertTrue(e.getMessage().startsWith("test-memo forward at " + SHAPE + " after timing, operands refilled"
                + " disagrees with scalar at element["), e.getMessage());
    }

    /**
     * blocked's forward with a chosen fault, under another name: {@code test-offset} adds {@link #offset} to every
     * output; {@code test-memo} computes once per pair of X and W arrays and then copies that result (a cache keyed
     * by identity).
     */
    private static final class Faulty extends dev.myelin.core.ForwardingKernel {
        static volatile float offset;
        private final String name;
        private float[] memoX;
        private float[] memoW;
        private float[] memoY;

        Faulty(String name) {
            super(dev.myelin.core.dispatch.KernelRegistry.get("blocked"));
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                            float[] b, int bOff, dev.myelin.core.Activation act, float[] y, int yOff, int ldy) {
            boolean memo = name.equals("test-memo");
            if (memo && x == memoX && w == memoW) {
                System.arraycopy(memoY, 0, y, yOff, memoY.length);
                return;
            }
            super.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
            if (memo) {
                memoX = x;
                memoW = w;
                memoY = java.util.Arrays.copyOfRange(y, yOff, yOff + (m - 1) * ldy + n);
                return;
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    y[yOff + i * ldy + j] += offset;
                }
            }
        }
    }

    @Test
    void theBackwardIsCheckedAfterTiming() {
        BackwardBenchmark bench = new BackwardBenchmark();
        bench.kernel = "parallel";
        bench.shape = SHAPE;
        bench.threads = 2;
        bench.setUp();
        bench.forwardBackward();
        float[] dx = bench.backward();
        bench.checkAfterTiming();
        dx[0] = Float.NaN;
        IllegalStateException e = assertThrows(IllegalStateException.class, bench::checkAfterTiming);
        assertTrue(e.getMessage().startsWith("parallel dX at " + SHAPE + " after timing disagrees with scalar at"
                + " element[0][0] = NaN"), e.getMessage());
    }

    @Test
    void everyProductPassesItsChecks() {
        for (String variant : new String[] {"vector", "engine"}) {
            for (String product : new String[] {"forward", "weightGradient", "inputGradient", "activationBackward"}) {
                ProductBenchmark bench = new ProductBenchmark();
                bench.variant = variant;
                bench.product = product;
                bench.shape = SHAPE;
                bench.setUp();
                bench.product();
                bench.checkAfterTiming();
            }
        }
    }

    /** activationBackward writes db beside dZ: both are checked (only dZ was). */
    @Test
    void theBiasGradientOfActivationBackwardIsChecked() {
        ProductBenchmark bench = new ProductBenchmark();
        bench.variant = "vector";
        bench.product = "activationBackward";
        bench.shape = SHAPE;
        bench.setUp();
        bench.product();
        bench.checkAfterTiming();
        bench.db[3] += 0.01f;
        IllegalStateException e = assertThrows(IllegalStateException.class, bench::checkAfterTiming);
        assertTrue(e.getMessage().startsWith("vector activationBackward at " + SHAPE + " after timing disagrees with"
                + " scalar at element[19][3] = "), e.getMessage());
    }

    @Test
    void theTrainingStepPassesItsChecksBeforeAndAfterTiming() {
        for (String optimizer : new String[] {"sgd", "momentum", "adam"}) {
            TrainingStepBenchmark bench = new TrainingStepBenchmark();
            bench.layers = "33-19-17-10";
            bench.batch = 19;
            bench.activation = "sigmoid";
            bench.optimizer = optimizer;
            bench.kernel = "parallel";
            bench.threads = 2;
            bench.setUp();
            for (int i = 0; i < 20; i++) {
                assertTrue(Double.isFinite(bench.step()));
            }
            assertTrue(Double.isFinite(bench.gradients()));
            bench.checkAfterTiming();
        }
    }

    @Test
    void theTrainingStepsLayersAreRefusedWhenMalformed() {
        for (String layers : new String[] {"784", "784-", "784-0-10", "a-b", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingStepBenchmark.sizes(layers));
            assertTrue(e.getMessage().startsWith("layers '" + layers + "' is not sizes joined by '-'"), e.getMessage());
        }
        assertEquals(2.0 * 128 * (784 * 256 * 2 + 256 * 128 * 3 + 128 * 10 * 3),
                TrainingStepBenchmark.gemmFlops(new int[] {784, 256, 128, 10}, 128));
    }

    @Test
    void aGradientOffByAThousandthOfItsScaleIsCaught() {
        float[] expected = {0.5f, -2f, 1e-3f};
        float scale = TrainingStepBenchmark.largest(expected);
        assertEquals(2f, scale);
        TrainingStepBenchmark.requireClose("dW", expected, new float[] {0.5f, -2f, 1.1e-3f}, scale); // 1e-4 of 2
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainingStepBenchmark.requireClose("dW", expected, new float[] {0.5f, -2f, 3e-3f}, scale));
        assertEquals("dW disagrees with scalar at element 2: 0.003 vs 0.001 (the layer's largest gradient 2.0)",
                e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> TrainingStepBenchmark.requireClose("dW", expected, new float[] {0.5f, Float.NaN, 1e-3f}, scale));
        // a bias gradient cancelled to near 0 is judged on its layer's scale, not on its own
        float[] db = {1e-9f, -2e-9f};
        TrainingStepBenchmark.requireClose("db", db, new float[] {3e-9f, -1e-9f}, scale);
    }
}
