package dev.myelin.jmh;

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

    @Test
    void theForwardIsCheckedAfterTiming() {
        ForwardBenchmark bench = new ForwardBenchmark();
        bench.kernel = "blocked";
        bench.shape = SHAPE;
        bench.threads = 1;
        bench.activation = "sigmoid";
        bench.setUp();
        float[] y = bench.forward();
        bench.checkAfterTiming();
        y[y.length - 1] += 0.01f;
        IllegalStateException e = assertThrows(IllegalStateException.class, bench::checkAfterTiming);
        assertTrue(e.getMessage().startsWith("blocked forward at " + SHAPE + " after timing disagrees with scalar at"
                + " element " + (y.length - 1)), e.getMessage());
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
                + " element 0: NaN"), e.getMessage());
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
}
