package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.core.dispatch.VectorSupport;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Optimizer}'s rules against values worked out by hand and against a double-precision reference written
 * from the formulas here (not from the code under test); its allocation; and that each rule trains XOR.
 */
class OptimizerTest {

    /** A 1→1 layer whose one weight is {@code p} (the bias stays 0 with gradient 0 unless set). */
    private static Dense scalar(float p) {
        Dense d = new Dense(1, 1, Activation.IDENTITY);
        d.weights()[0] = p;
        return d;
    }

    /** Three steps with the weight's gradient fixed at {@code g}; returns the weight after each step. */
    private static float[] threeSteps(OptimizerSpec spec, float p0, float g) {
        Dense d = scalar(p0);
        Optimizer opt = new Optimizer(spec, new Mlp(List.of(d)));
        float[] after = new float[3];
        for (int t = 0; t < 3; t++) {
            d.weightGradient()[0] = g;
            opt.step(spec.learningRate(0));
            after[t] = d.weights()[0];
        }
        return after;
    }

    private static void assertSteps(double[] byHand, float[] actual, String what) {
        for (int t = 0; t < byHand.length; t++) {
            assertEquals(byHand[t], actual[t], 1e-6, what + ", step " + (t + 1));
        }
    }

    @Test
    void updatesWorkedOutByHand() {
        // p0 = 1, g = 1 every step, lr = 0.1, μ = 0.9. Tolerance 1e-6: float rounding of values ≤ 1.
        // sgd: p = 1 − 0.1·t.
        assertSteps(new double[] {0.9, 0.8, 0.7}, threeSteps(OptimizerSpec.sgd(0.1), 1, 1), "sgd");
        // momentum: b = 1, 1.9, 2.71; p = 1 − 0.1, − 0.19, − 0.271.
        assertSteps(new double[] {0.9, 0.71, 0.439}, threeSteps(OptimizerSpec.momentum(0.1, 0.9), 1, 1),
                "momentum");
        // nesterov: b as above; g + μ·b = 1.9, 2.71, 3.439; p = 1 − 0.19, − 0.271, − 0.3439.
        assertSteps(new double[] {0.81, 0.539, 0.1951}, threeSteps(OptimizerSpec.nesterov(0.1, 0.9), 1, 1),
                "nesterov");
        // adam: with a constant g the bias-corrected m̂ = g and v̂ = g², so each step moves p by lr·g/(|g| + ε).
        double adamStep = 0.1 / (1 + 1e-8);
        assertSteps(new double[] {1 - adamStep, 1 - 2 * adamStep, 1 - 3 * adamStep},
                threeSteps(OptimizerSpec.adam(0.1), 1, 1), "adam");
        // adam's step does not scale with g: g = 1000 moves p exactly as far.
        assertSteps(new double[] {1 - adamStep, 1 - 2 * adamStep, 1 - 3 * adamStep},
                threeSteps(OptimizerSpec.adam(0.1), 1, 1000), "adam, g = 1000");
    }

    @Test
    void weightDecayWorkedOutByHand() {
        // g = 0, λ = 0.5, lr = 0.1, p0 = 1.
        // sgd: p −= 0.1·(0 + 0.5·p), so p *= 0.95 each step.
        assertSteps(new double[] {0.95, 0.9025, 0.857375},
                threeSteps(OptimizerSpec.sgd(0.1).withWeightDecay(0.5), 1, 0), "sgd with decay");
        // adamw: p *= 1 − lr·λ = 0.95, and the Adam part of a zero gradient is 0/(0 + ε) = 0.
        assertSteps(new double[] {0.95, 0.9025, 0.857375},
                threeSteps(OptimizerSpec.adamW(0.1).withWeightDecay(0.5), 1, 0), "adamw");
        // adam (coupled): the rule sees g = λ·p > 0, and Adam normalises it away: the first step moves p by
        // lr·g/(|g| + ε) ≈ 0.1, not by lr·λ·p = 0.05 — PyTorch's reason for AdamW.
        assertEquals(0.9, threeSteps(OptimizerSpec.adam(0.1).withWeightDecay(0.5), 1, 0)[0], 1e-6, "adam with decay");
        // The bias decays too, as with PyTorch's default parameter group.
        Dense d = scalar(0);
        d.bias()[0] = 2;
        new Optimizer(OptimizerSpec.sgd(0.1).withWeightDecay(0.5), new Mlp(List.of(d))).step(0.1);
        assertEquals(1.9f, d.bias()[0], 1e-6f, "bias after one decayed step");
    }

    // ---- Against a double reference on random values ----

    /** The rules in double, as the Javadoc of {@link OptimizerSpec.Kind} states them, for one parameter array. */
    private static final class Reference {
        final OptimizerSpec s;
        final double[] p;
        final double[] b;
        final double[] m;
        final double[] v;
        int t;

        Reference(OptimizerSpec s, float[] p0) {
            this.s = s;
            this.p = new double[p0.length];
            for (int i = 0; i < p0.length; i++) {
                p[i] = p0[i];
            }
            b = new double[p0.length];
            m = new double[p0.length];
            v = new double[p0.length];
        }

        void step(float[] grad, double lr) {
            t++;
            for (int i = 0; i < p.length; i++) {
                double g = grad[i];
                if (s.kind() != OptimizerSpec.Kind.ADAMW) {
                    g += s.weightDecay() * p[i];
                }
                switch (s.kind()) {
                    case SGD -> p[i] -= lr * g;
                    case MOMENTUM, NESTEROV -> {
                        b[i] = t == 1 ? g : s.momentum() * b[i] + g;
                        p[i] -= lr * (s.kind() == OptimizerSpec.Kind.NESTEROV ? g + s.momentum() * b[i] : b[i]);
                    }
                    case ADAM, ADAMW -> {
                        if (s.kind() == OptimizerSpec.Kind.ADAMW) {
                            p[i] *= 1 - lr * s.weightDecay();
                        }
                        m[i] = s.beta1() * m[i] + (1 - s.beta1()) * g;
                        v[i] = s.beta2() * v[i] + (1 - s.beta2()) * g * g;
                        double mHat = m[i] / (1 - Math.pow(s.beta1(), t));
                        double vHat = v[i] / (1 - Math.pow(s.beta2(), t));
                        p[i] -= lr * mHat / (Math.sqrt(vHat) + s.epsilon());
                    }
                    default -> throw new AssertionError(s.kind());
                }
            }
        }
    }

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of(OptimizerSpec.sgd(0.3)),
                Arguments.of(OptimizerSpec.sgd(0.3).withWeightDecay(0.1)),
                Arguments.of(OptimizerSpec.momentum(0.2, 0.9)),
                Arguments.of(OptimizerSpec.momentum(0.2, 0.5).withWeightDecay(0.01)),
                Arguments.of(OptimizerSpec.nesterov(0.2, 0.9)),
                Arguments.of(OptimizerSpec.nesterov(0.2, 0.8).withWeightDecay(0.02)),
                Arguments.of(OptimizerSpec.adam(0.05)),
                Arguments.of(OptimizerSpec.adam(0.05).withWeightDecay(0.1).withBetas(0.5, 0.9).withEpsilon(1e-4)),
                Arguments.of(OptimizerSpec.adamW(0.05).withWeightDecay(0.1)));
    }

    /**
     * Three steps on a 3×5 layer (15 weights, 5 biases: odd lengths, so vector loops would have tails) with random
     * gradients in [−2, 2] and parameters in [−1, 1], seed 11. Tolerance 1e-5 absolute: float rounding is ~1e-7
     * relative per operation and a step moves a value by at most lr·(a few); a wrong factor moves it by 1e-3.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void threeStepsFollowTheDoubleReference(OptimizerSpec spec) {
        Random r = new Random(11);
        Dense d = new Dense(3, 5, Activation.IDENTITY);
        for (int i = 0; i < 15; i++) {
            d.weights()[i] = (float) (2 * r.nextDouble() - 1);
        }
        for (int i = 0; i < 5; i++) {
            d.bias()[i] = (float) (2 * r.nextDouble() - 1);
        }
        Reference w = new Reference(spec, d.weights());
        Reference b = new Reference(spec, d.bias());
        Optimizer opt = new Optimizer(spec, new Mlp(List.of(d)));
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < 15; i++) {
                d.weightGradient()[i] = (float) (4 * r.nextDouble() - 2);
            }
            for (int i = 0; i < 5; i++) {
                d.biasGradient()[i] = (float) (4 * r.nextDouble() - 2);
            }
            w.step(d.weightGradient(), spec.learningRate());
            b.step(d.biasGradient(), spec.learningRate());
            opt.step(spec.learningRate());
            for (int i = 0; i < 15; i++) {
                assertEquals(w.p[i], d.weights()[i], 1e-5, spec + ": step " + t + ", weight " + i);
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(b.p[i], d.bias()[i], 1e-5, spec + ": step " + t + ", bias " + i);
            }
        }
        assertEquals(3, opt.stepCount());
    }

    /**
     * Allocation, not time: bytes this thread allocates over 20,000 steps on a 2→4→1 net after 20,000 warm-up
     * steps ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}). The step loops allocate
     * nothing even interpreted; the bound, 1 KB, is far below one 16-byte object per step (320 KB).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void stepsAllocateNothing(OptimizerSpec spec) {
        com.sun.management.ThreadMXBean bean =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assertTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
        Mlp m = Mlp.of(new int[] {2, 4, 1}, Activation.SIGMOID, Activation.SIGMOID);
        Init.UNIFORM01.initialize(m, 1);
        for (Dense d : m.layers()) {
            java.util.Arrays.fill(d.weightGradient(), 1e-3f);
            java.util.Arrays.fill(d.biasGradient(), -1e-3f);
        }
        Optimizer opt = new Optimizer(spec, m);
        double lr = spec.learningRate(0);
        for (int i = 0; i < 20_000; i++) {
            opt.step(lr);
        }
        long before = bean.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20_000; i++) {
            opt.step(lr);
        }
        long bytes = bean.getCurrentThreadAllocatedBytes() - before;
        assertTrue(bytes < 1024, spec.kind() + ": " + bytes + " bytes allocated over 20,000 steps");
    }

    /**
     * On a kernel's threads (3 here: the 300×200 weights are cut into 3 ranges of at least {@link Optimizer#GRAIN}
     * elements) four steps give the bits of the same steps on one thread, for every rule, so training stays
     * bit-identical for every thread count. A range that updated the wrong elements, or one twice, changes them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void stepsOnThreadsGiveTheBitsOfOneThread(OptimizerSpec spec) {
        DenseOps threads = DenseOps.of(VectorSupport.parallelKernel(0, 3).orElseThrow());
        assertTrue(300 * 200 / Optimizer.GRAIN >= 3, "the weights must be cut into 3 ranges");
        int[] sizes = {300, 200, 3};
        Mlp serial = Mlp.of(sizes, Activation.SIGMOID, Activation.SIGMOID);
        Mlp parallel = Mlp.of(sizes, Activation.SIGMOID, Activation.SIGMOID);
        Init.UNIFORM01.initialize(serial, 5);
        Init.UNIFORM01.initialize(parallel, 5);
        Optimizer one = new Optimizer(spec, serial);
        Optimizer many = new Optimizer(spec, parallel);
        Random random = new Random(17);
        for (int t = 0; t < 4; t++) {
            for (int l = 0; l < sizes.length - 1; l++) {
                Dense a = serial.layers().get(l);
                Dense b = parallel.layers().get(l);
                for (int i = 0; i < a.weightGradient().length; i++) {
                    a.weightGradient()[i] = b.weightGradient()[i] = (float) random.nextGaussian();
                }
                for (int i = 0; i < a.biasGradient().length; i++) {
                    a.biasGradient()[i] = b.biasGradient()[i] = (float) random.nextGaussian();
                }
            }
            one.step(spec.learningRate(t));
            many.step(spec.learningRate(t), threads);
            for (int l = 0; l < sizes.length - 1; l++) {
                assertTrue(java.util.Arrays.equals(serial.layers().get(l).weights(), parallel.layers().get(l).weights()),
                        spec + ": layer " + (l + 1) + " weights differ after step " + (t + 1));
                assertTrue(java.util.Arrays.equals(serial.layers().get(l).bias(), parallel.layers().get(l).bias()),
                        spec + ": layer " + (l + 1) + " biases differ after step " + (t + 1));
            }
        }
        OptimizerState a = one.exportState();
        OptimizerState b = many.exportState();
        assertEquals(a.buffers().size(), b.buffers().size());
        for (int i = 0; i < a.buffers().size(); i++) {
            assertTrue(java.util.Arrays.equals(a.buffers().get(i), b.buffers().get(i)), spec + ": state buffer " + i);
        }
    }

    static Stream<Arguments> xorRuns() {
        return Stream.of(
                Arguments.of(OptimizerSpec.momentum(0.5, 0.9)),
                Arguments.of(OptimizerSpec.nesterov(0.5, 0.9)),
                Arguments.of(OptimizerSpec.adam(0.05)),
                Arguments.of(OptimizerSpec.adamW(0.05).withWeightDecay(1e-4)
                        .withSchedule(new LrSchedule.Cosine(1000, 0.001))));
    }

    /**
     * Each rule trains the 2→4→1 sigmoid XOR net (uniform init, seed 42, full batch, 1000 epochs; plain SGD at
     * lr 1 needs 5000 epochs in TrainerTest) to a loss below 0.05 with every row right.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("xorRuns")
    void learnsXor(OptimizerSpec spec) {
        Mlp m = Mlp.of(new int[] {2, 4, 1}, Activation.SIGMOID, Activation.SIGMOID);
        Init.UNIFORM01.initialize(m, 42);
        Dataset xor = Dataset.xor();
        double[] first = new double[1];
        TrainingResult r = new Trainer().fit(m, xor,
                new TrainingConfig(Loss.BCE, 1000, 0, spec, 0, GradientConvention.MEAN), (e, loss) -> {
                    if (e == 1) {
                        first[0] = loss;
                    }
                });
        assertTrue(r.finalLoss() < 0.05 && r.finalLoss() < first[0], spec.kind() + ": loss " + first[0] + " → "
                + r.finalLoss());
        float[] y = m.predict(xor.features(), 4);
        for (int i = 0; i < 4; i++) {
            assertEquals(xor.targets()[i], y[i] > 0.5f ? 1f : 0f, spec.kind() + ", row " + i + ": output " + y[i]);
        }
    }
}
