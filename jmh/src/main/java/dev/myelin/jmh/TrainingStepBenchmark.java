package dev.myelin.jmh;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.nn.Dense;
import dev.myelin.nn.Init;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.OptimizerSpec;
import dev.myelin.nn.TrainingStep;
import java.util.Arrays;
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
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of a classifier MLP, as {@code myelin train} runs it per mini-batch ({@link TrainingStep}:
 * the forward through every layer, softmax cross-entropy, the backward, the optimizer's update), on batches of
 * random inputs in [0, 1) and random labels. {@code step} is the whole step, {@code gradients} the step without
 * the update; their difference is the update's share, and the step against the sum of its products
 * ({@link ProductBenchmark} at the layers' shapes) is what is not kernel time.
 *
 * <p>Run: {@code jmh/run TrainingStepBenchmark -prof gc} (nothing is allocated per step after warm-up: JMH's
 * own few bytes a call). Samples/s = batch / (µs/op) · 10⁶; GEMM GFLOP/s of
 * the default model = {@link #gemmFlops} / (µs/op) / 1000.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2) // see ForwardBenchmark: C2 needs seconds for Vector API kernels
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class TrainingStepBenchmark {

    /** Layer sizes, inputs first and classes last (Fashion-MNIST's MLP of docs/training.md by default). */
    @Param({"784-256-128-10"})
    public String layers;

    @Param({"128"})
    public int batch;

    /** The hidden layers' activation; the output layer is softmax. */
    @Param({"sigmoid"})
    public String activation;

    /** {@code sgd} (rate 0.01), {@code momentum} (0.9), {@code adam} (rate 10⁻⁴). */
    @Param({"sgd", "adam"})
    public String optimizer;

    @Param({"blocked", "parallel"})
    public String kernel;

    /** Threads of {@code parallel} (the single-threaded variants ignore it). */
    @Param({"1"})
    public int threads;

    /** Batches the benchmark cycles through: the step reads a different batch each call, as training does. */
    static final int BATCHES = 8;

    private DenseOps ops;
    private Mlp model;
    /** The model as set up, before any timed step: what both checks start from. */
    private Mlp initial;
    private OptimizerSpec spec;
    private TrainingStep step;
    private float[] x;
    private int[] labels;
    private int inputs;
    private int next;
    private double lastLoss = Double.NaN;
    /**
     * The checks' copies of the model and their steps, made in {@link #setUp}: the check after timing runs in the
     * last measured iteration's window of {@code -prof gc}, so it allocates nothing either.
     */
    private Mlp variantCopy;
    private Mlp referenceCopy;
    private TrainingStep variantCheck;
    private TrainingStep referenceCheck;

    @Setup
    public void setUp() {
        int[] sizes = sizes(layers);
        inputs = sizes[0];
        Random random = new Random(42);
        x = new float[Math.multiplyExact(BATCHES * batch, inputs)];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        labels = new int[BATCHES * batch];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextInt(sizes[sizes.length - 1]);
        }
        model = Mlp.of(sizes, Activation.parse(activation), Activation.SOFTMAX);
        Init.TORCH.initialize(model, 0);
        spec = switch (optimizer) {
            case "sgd" -> OptimizerSpec.sgd(0.01);
            case "momentum" -> OptimizerSpec.momentum(0.01, 0.9);
            case "adam" -> OptimizerSpec.adam(1e-4);
            default -> throw new IllegalArgumentException("optimizer '" + optimizer + "': sgd, momentum or adam");
        };
        ops = LayerShape.ops(kernel, threads);
        initial = model.copy();
        variantCopy = model.copy();
        referenceCopy = model.copy();
        variantCheck = new TrainingStep(variantCopy, Loss.CE, spec, batch, ops);
        referenceCheck = new TrainingStep(referenceCopy, Loss.CE, spec, batch, DenseOps.of("scalar"));
        requireAgreement("");
        step = new TrainingStep(model, Loss.CE, spec, batch, ops);
    }

    /**
     * The variant's step checked again, with the code the timed calls ran: the check before timing saw code that C2
     * had not compiled yet, and a variant wrong only once compiled would otherwise be timed and reported. From the
     * model as set up, not as the timed steps left it: thousands of Adam steps on random labels saturate the
     * softmax, and the kernels' rounding then differs by more than the tolerance measures (a probe of 20 000
     * steps: up to 7× it after 18 000, on gradients nearly all 0), which once failed a run.
     */
    @TearDown
    public void checkAfterTiming() {
        if (!Double.isFinite(lastLoss)) {
            throw new IllegalStateException(kernel + " step at " + layers + ": the last loss is " + lastLoss);
        }
        requireAgreement(" after timing");
    }

    /**
     * The variant's loss and gradients on the first batch against the scalar kernel's, on copies of the model as
     * set up: each gradient element within 10⁻⁴ of its layer's largest gradient (float sums over k ≤ a few thousand
     * are off by far less; a wrong row, transpose or scale by far more). The update itself is elementwise, the same
     * code for every kernel.
     */
    private void requireAgreement(String when) {
        for (int l = 0; l < initial.layers().size(); l++) { // the model as set up, into both copies
            Dense from = initial.layers().get(l);
            copyParameters(from, variantCopy.layers().get(l));
            copyParameters(from, referenceCopy.layers().get(l));
        }
        double loss = variantCheck.gradients(x, 0, labels, 0, batch);
        double expected = referenceCheck.gradients(x, 0, labels, 0, batch);
        if (!(Math.abs(loss - expected) <= 1e-5 * Math.abs(expected))) {
            throw new IllegalStateException(kernel + " step at " + layers + when + ": loss " + loss
                    + " disagrees with scalar's " + expected);
        }
        for (int l = 0; l < model.layers().size(); l++) {
            requireClose(variantCopy.layers().get(l), referenceCopy.layers().get(l), l, when);
        }
    }

    private static void copyParameters(Dense from, Dense to) {
        System.arraycopy(from.weights(), 0, to.weights(), 0, from.weights().length);
        System.arraycopy(from.bias(), 0, to.bias(), 0, from.bias().length);
    }

    /**
     * Layer {@code l}'s dW and db of the variant against the reference, each element within 10⁻⁴ of the layer's
     * largest gradient magnitude, dW's and db's together: a bias gradient is a sum over the batch that can cancel to
     * near 0 while its rounding error follows the terms' size, so its own largest magnitude is no scale for it.
     * Messages are built only on failure.
     */
    private void requireClose(Dense variant, Dense reference, int l, String when) {
        float scale = Math.max(largest(reference.weightGradient()), largest(reference.biasGradient()));
        if (firstOutside(reference.weightGradient(), variant.weightGradient(), scale) >= 0
                || firstOutside(reference.biasGradient(), variant.biasGradient(), scale) >= 0) {
            String what = kernel + " step at " + layers + when + ", layer " + (l + 1);
            requireClose(what + " dW", reference.weightGradient(), variant.weightGradient(), scale);
            requireClose(what + " db", reference.biasGradient(), variant.biasGradient(), scale);
        }
    }

    static float largest(float[] a) {
        float largest = 0;
        for (float v : a) {
            largest = Math.max(largest, Math.abs(v));
        }
        return largest;
    }

    /** The first element more than 10⁻⁴ of {@code scale} from {@code expected} (NaN included), or −1. */
    private static int firstOutside(float[] expected, float[] actual, float scale) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= 1e-4f * scale)) {
                return i;
            }
        }
        return -1;
    }

    /** Each element within 10⁻⁴ of {@code scale}; else the first that is not, named. */
    static void requireClose(String what, float[] expected, float[] actual, float scale) {
        int i = firstOutside(expected, actual, scale);
        if (i >= 0) {
            throw new IllegalStateException(what + " disagrees with scalar at element " + i + ": " + actual[i]
                    + " vs " + expected[i] + " (the layer's largest gradient " + scale + ")");
        }
    }

    /** "784-256-128-10" → {784, 256, 128, 10}: at least an input and an output size, each at least 1. */
    static int[] sizes(String layers) {
        int[] sizes;
        try {
            sizes = Arrays.stream(layers.split("-", -1)).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            sizes = new int[0];
        }
        if (sizes.length < 2 || Arrays.stream(sizes).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("layers '" + layers + "' is not sizes joined by '-', inputs first,"
                    + " e.g. 784-256-128-10");
        }
        return sizes;
    }

    /** GEMM flops of one step: per layer 2·m·k·n for the forward and for dW, and for dX except the first layer. */
    static double gemmFlops(int[] sizes, int batch) {
        double flops = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            flops += 2.0 * batch * sizes[l] * sizes[l + 1] * (l == 0 ? 2 : 3);
        }
        return flops;
    }

    @Benchmark
    public double step() {
        int b = next;
        next = (b + 1) % BATCHES;
        lastLoss = step.step(x, b * batch * inputs, labels, b * batch, batch, spec.learningRate(0));
        return lastLoss;
    }

    @Benchmark
    public double gradients() {
        int b = next;
        next = (b + 1) % BATCHES;
        lastLoss = step.gradients(x, b * batch * inputs, labels, b * batch, batch);
        return lastLoss;
    }
}
