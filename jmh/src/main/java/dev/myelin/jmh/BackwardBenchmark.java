package dev.myelin.jmh;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.core.ErrorBounds;
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
 * The backward pass of one sigmoid layer (dZ = dY ⊙ Y(1−Y) with db, dW = Xᵀ·dZ, dX = dZ·Wᵀ) of every
 * variant; {@code forwardBackward} adds the fused forward, i.e. one training step of the layer.
 *
 * <p>Run: {@code jmh/run BackwardBenchmark -prof gc}. GFLOP/s of the step = 6·m·k·n / (µs/op) / 1000.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2) // see ForwardBenchmark: C2 needs seconds for Vector API kernels
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class BackwardBenchmark {

    @Param({"scalar", "vector", "blocked", "parallel"})
    public String kernel;

    @Param({"128x784x256", "256x784x512", "128x128x10"})
    public String shape;

    /** Threads of {@code parallel} (the single-threaded variants ignore it). */
    @Param({"1"})
    public int threads;

    private LayerShape layer;
    private DenseOps ops;
    private float[] dy;
    private float[] dz;
    private float[] dw;
    private float[] db;
    private float[] dx;
    /** The scalar kernel's outputs, checked against the variant's before timing and again after. */
    private float[] yRef;
    private float[] dzRef;
    private float[] dbRef;
    private float[] dwRef;
    private float[] dxRef;
    /** How far each of the variant's outputs may lie from the scalar kernel's ({@link ErrorBounds}). */
    private double[] yAllowed;
    private double[] dzAllowed;
    private double[] dbAllowed;
    private double[] dwAllowed;
    private double[] dxAllowed;

    @Setup
    public void setUp() {
        layer = new LayerShape(shape);
        ops = LayerShape.ops(kernel, threads);
        dy = LayerShape.fill(new Random(7), layer.m * layer.n, 1f);
        dz = new float[layer.m * layer.n];
        dw = new float[layer.k * layer.n];
        db = new float[layer.n];
        dx = new float[layer.m * layer.k];
        yRef = new float[layer.m * layer.n];
        dzRef = new float[dz.length];
        dbRef = new float[db.length];
        dwRef = new float[dw.length];
        dxRef = new float[dx.length];
        check("");
    }

    /**
     * Every output either benchmark times, checked against scalar: Y (which forwardBackward computes), then dZ,
     * db, dW and dX from it; the scalar kernel's outputs and the bounds are made here from the operands as they
     * are.
     */
    private void check(String when) {
        DenseOps scalar = DenseOps.of("scalar");
        layer.forward(scalar, Activation.SIGMOID, yRef);
        yAllowed = layer.forwardBounds(Activation.SIGMOID, yRef);
        layer.forward(ops, Activation.SIGMOID, layer.y);
        LayerShape.requireAgreement(kernel + " Y at " + shape + when, layer.n, yRef, layer.y, yAllowed);
        backward(scalar, dzRef, dbRef, dwRef, dxRef);
        int m = layer.m;
        int n = layer.n;
        int k = layer.k;
        dzAllowed = ErrorBounds.activationBackward(m, n, Activation.SIGMOID, layer.y, dy);
        dbAllowed = ErrorBounds.biasGradient(m, n, Activation.SIGMOID, layer.y, dy);
        // the variant's dW and dX are products of its own dZ: its allowed difference is carried into theirs
        dwAllowed = ErrorBounds.weightGradient(m, n, k, layer.x, dzRef, dzAllowed);
        dxAllowed = ErrorBounds.inputGradient(m, n, k, dzRef, layer.w, dzAllowed);
        backward(ops, dz, db, dw, dx);
        requireAgreement(when);
    }

    /**
     * The outputs the timed calls left, checked again: the check before timing saw code that C2 had not compiled
     * yet, and a variant wrong only once compiled would otherwise be timed and reported.
     */
    @TearDown
    public void checkAfterTiming() {
        LayerShape.requireAgreement(kernel + " Y at " + shape + " after timing", layer.n, yRef, layer.y, yAllowed);
        requireAgreement(" after timing");
        Random random = new Random(43); // and on the same arrays with new values (LayerShape.refill)
        layer.refill(random);
        LayerShape.fill(random, dy, 1f);
        check(" after timing, operands refilled");
    }

    private void requireAgreement(String when) {
        LayerShape.requireAgreement(kernel + " dZ at " + shape + when, layer.n, dzRef, dz, dzAllowed);
        LayerShape.requireAgreement(kernel + " db at " + shape + when, layer.n, dbRef, db, dbAllowed);
        LayerShape.requireAgreement(kernel + " dW at " + shape + when, layer.n, dwRef, dw, dwAllowed);
        LayerShape.requireAgreement(kernel + " dX at " + shape + when, layer.k, dxRef, dx, dxAllowed);
    }

    private void backward(DenseOps with, float[] dzOut, float[] dbOut, float[] dwOut, float[] dxOut) {
        int m = layer.m;
        int n = layer.n;
        int k = layer.k;
        with.backward(m, n, k, Activation.SIGMOID, layer.x, 0, k, layer.w, 0, n, layer.y, 0, n, dy, 0, n,
                dzOut, 0, n, dwOut, 0, n, dbOut, 0, dxOut, 0, k, false);
    }

    @Benchmark
    public float[] backward() {
        backward(ops, dz, db, dw, dx);
        return dx;
    }

    @Benchmark
    public float[] forwardBackward() {
        layer.forward(ops, Activation.SIGMOID, layer.y);
        backward(ops, dz, db, dw, dx);
        return dx;
    }
}
