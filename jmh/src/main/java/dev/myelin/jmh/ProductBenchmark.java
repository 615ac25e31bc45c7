package dev.myelin.jmh;

import dev.myelin.core.Activation;
import dev.myelin.core.Blas;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.ErrorBounds;
import dev.myelin.core.Transpose;
import dev.myelin.core.dispatch.KernelRegistry;
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
 * Each product of one sigmoid layer on its own, by the two paths {@code blocked} chooses between: {@code vector}
 * runs the unpacked Vector API kernel, {@code engine} the packed engine through {@code Blas.sgemm} with the
 * product's transposes, for every shape (the kernels route a forward or input gradient of at most 16 rows to
 * {@code vector}; this benchmark measures both sides of that choice). {@code activationBackward} (dZ with db)
 * sizes what fusing it into the packing could save.
 *
 * <p>Run: {@code jmh/run ProductBenchmark -p product=forward,inputGradient -p shape=4x784x256}. GFLOP/s of a
 * product = 2·m·k·n / (µs/op) / 1000.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2) // see ForwardBenchmark: C2 needs seconds for Vector API kernels
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class ProductBenchmark {

    @Param({"vector", "engine"})
    public String variant;

    @Param({"forward", "weightGradient", "inputGradient", "activationBackward"})
    public String product;

    @Param({"1x784x256", "4x784x256", "16x784x256", "32x784x256", "128x784x256"})
    public String shape;

    private LayerShape layer;
    private DenseKernel vector;
    private Blas engine;
    private float[] dz;
    private float[] dw;
    private float[] dx;
    /** Package-private: BenchmarkChecksTest spoils it, as a kernel wrong only once compiled would. */
    float[] db;
    private float[] dzOut;
    private Runnable call;
    /** The scalar kernel's output, checked against the variant's before timing and again after. */
    private float[] expected;
    /** How far the variant's output may lie from {@link #expected} ({@link ErrorBounds}), and its column count. */
    private double[] allowed;
    private int columns;

    @Setup
    public void setUp() {
        layer = new LayerShape(shape);
        vector = KernelRegistry.get("vector");
        engine = Blas.of("blocked");
        dz = LayerShape.fill(new Random(7), layer.m * layer.n, 1f);
        dw = new float[layer.k * layer.n];
        dx = new float[layer.m * layer.k];
        db = new float[layer.n];
        dzOut = new float[layer.m * layer.n];
        if (!variant.equals("vector") && !variant.equals("engine")) { // any other name would time vector under it
            throw new IllegalArgumentException("unknown variant '" + variant + "' (vector or engine)");
        }
        // Y as a forward leaves it: activationBackward's dZ = dY ⊙ Y(1−Y) would be 0 everywhere on the zeros of a new Y
        layer.forward(DenseOps.of("scalar"), Activation.SIGMOID, layer.y);
        run("scalar"); // the reference every variant is checked against before it is timed
        expected = output();
        bounds();
        call = run(variant);
        LayerShape.requireAgreement(variant + " " + product + " at " + shape, columns, expected, output(), allowed);
    }

    /**
     * The chosen product by one path (vector, engine, or scalar for the reference); it runs once here, so its output
     * is ready for the agreement check.
     */
    private Runnable run(String path) {
        int m = layer.m;
        int n = layer.n;
        int k = layer.k;
        boolean packed = path.equals("engine");
        DenseKernel vector = path.equals("scalar") ? KernelRegistry.get("scalar") : this.vector;
        Runnable r = switch (product) {
            case "forward" -> packed
                    ? () -> engine.sgemm(Transpose.NO_TRANS, Transpose.NO_TRANS, m, n, k, 1f, layer.x, 0, k,
                            layer.w, 0, n, 0f, layer.y, 0, n, layer.b, 0, Activation.SIGMOID)
                    : () -> vector.forward(m, n, k, layer.x, 0, k, layer.w, 0, n, layer.b, 0, Activation.SIGMOID,
                            layer.y, 0, n);
            case "weightGradient" -> packed
                    ? () -> engine.sgemm(Transpose.TRANS, Transpose.NO_TRANS, k, n, m, 1f, layer.x, 0, k,
                            dz, 0, n, 0f, dw, 0, n)
                    : () -> vector.weightGradient(m, n, k, layer.x, 0, k, dz, 0, n, dw, 0, n, false);
            case "inputGradient" -> packed
                    ? () -> engine.sgemm(Transpose.NO_TRANS, Transpose.TRANS, m, k, n, 1f, dz, 0, n,
                            layer.w, 0, n, 0f, dx, 0, k)
                    : () -> vector.inputGradient(m, n, k, dz, 0, n, layer.w, 0, n, dx, 0, k);
            case "activationBackward" -> () -> vector.activationBackward(m, n, Activation.SIGMOID, layer.y, 0, n,
                    dz, 0, n, dzOut, 0, n, db, 0, false);
            default -> throw new IllegalArgumentException("unknown product '" + product + "'");
        };
        r.run();
        return r;
    }

    /** The allowed differences of the chosen product's output, on the operands the reference ran on. */
    private void bounds() {
        int m = layer.m;
        int n = layer.n;
        int k = layer.k;
        columns = product.equals("inputGradient") ? k : n;
        allowed = switch (product) {
            case "forward" -> layer.forwardBounds(Activation.SIGMOID, expected);
            case "weightGradient" -> ErrorBounds.weightGradient(m, n, k, layer.x, dz, null);
            case "inputGradient" -> ErrorBounds.inputGradient(m, n, k, dz, layer.w, null);
            default -> concat(ErrorBounds.activationBackward(m, n, Activation.SIGMOID, layer.y, dz),
                    ErrorBounds.biasGradient(m, n, Activation.SIGMOID, layer.y, dz)); // dZ, then db as a last row
        };
    }

    private static double[] concat(double[] first, double[] second) {
        double[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static float[] concat(float[] first, float[] second) {
        float[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** A copy of what the chosen product writes. */
    private float[] output() {
        return switch (product) {
            case "forward" -> layer.y.clone();
            case "weightGradient" -> dw.clone();
            case "inputGradient" -> dx.clone();
            default -> concat(dzOut, db); // dZ, then db as a last row
        };
    }

    /**
     * The output the timed calls left, checked again: the check before timing saw code that C2 had not compiled
     * yet, and a variant wrong only once compiled would otherwise be timed and reported.
     */
    @TearDown
    public void checkAfterTiming() {
        LayerShape.requireAgreement(variant + " " + product + " at " + shape + " after timing", columns, expected,
                output(), allowed);
    }

    @Benchmark
    public void product() {
        call.run();
    }
}
