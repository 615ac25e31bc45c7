package dev.myelin.jmh;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fused forward {@code Y = act(X·W + b)} of every kernel variant, side by side on the same data.
 *
 * <p>Run: {@code jmh/run ForwardBenchmark -prof gc} (all variants and shapes), or narrow it with
 * {@code -p kernel=blocked,parallel -p shape=128x784x256 -p threads=1,2}. GFLOP/s = 2·m·k·n / (µs/op) / 1000;
 * quote it as a ratio to {@link PeakBenchmark} from the same run (the clock of a shared machine varies).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// C1 cannot compile the Vector API kernels; they run interpreted until C2 is done: warm up for seconds.
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 1)
// C2's outcome varies from one JVM run to the next: two forks show the spread instead of hiding it.
@Fork(2)
@State(Scope.Thread)
public class ForwardBenchmark {

    /** A registered variant ({@code KernelRegistry.names()}). */
    @Param({"scalar", "vector", "blocked", "parallel"})
    public String kernel;

    /**
     * m×k×n: an MNIST-sized layer, a wider one, the square 1024³ of the BLAS tables, a thin output layer, a
     * small square one with odd sizes.
     */
    @Param({"128x784x256", "256x784x512", "1024x1024x1024", "128x128x10", "65x63x67"})
    public String shape;

    /** Threads of {@code parallel} (the single-threaded variants ignore it). */
    @Param({"1"})
    public int threads;

    @Param({"sigmoid"})
    public String activation;

    private LayerShape layer;
    private DenseOps ops;
    private Activation act;
    /** The scalar kernel's Y, checked against the variant's before timing and again after. */
    private float[] expected;
    private double[] allowed;

    @Setup
    public void setUp() {
        layer = new LayerShape(shape);
        ops = LayerShape.ops(kernel, threads);
        act = Activation.parse(activation);
        expected = new float[layer.y.length];
        check("");
    }

    /**
     * The Y the timed calls left, checked again: the check before timing saw code that C2 had not compiled yet,
     * and a variant wrong only once compiled would otherwise be timed and reported; then once more on the same
     * arrays with new values ({@link LayerShape#refill}).
     */
    @TearDown
    public void checkAfterTiming() {
        LayerShape.requireAgreement(kernel + " forward at " + shape + " after timing", layer.n, expected, layer.y,
                allowed);
        layer.refill(new Random(43));
        check(" after timing, operands refilled");
    }

    /** The scalar kernel's Y and its bounds, then the variant's Y, which must agree. */
    private void check(String when) {
        layer.forward(DenseOps.of("scalar"), act, expected);
        allowed = layer.forwardBounds(act, expected);
        layer.forward(ops, act, layer.y);
        LayerShape.requireAgreement(kernel + " forward at " + shape + when, layer.n, expected, layer.y, allowed);
    }

    @Benchmark
    public float[] forward() {
        layer.forward(ops, act, layer.y);
        return layer.y;
    }
}
